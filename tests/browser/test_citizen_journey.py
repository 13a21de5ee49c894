"""A citizen finds how a promise is kept: from the home page, by search or by clicking, with a
mouse on a desktop and with the keyboard alone on a phone-sized screen. The period page
answers first: how the promises stand in the latest reported tertial, then one card per
promise."""

from urllib.parse import urlsplit

from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import PHONE_WIDTH, demo_period

ACTIVITY = "Arbeta i SIG grupper"
SIG_ACCOUNT = "Socialen och polisen träffas minst en gång i månaden"
TERTIAL_2_ONLY = "158 narkotikabrott har rapporteras"
TERTIAL_3_ONLY = "221 narkotikabrott har rapporterats under 2018"


def links_to(path):
    def matches(element):
        href = element.get_dom_attribute("href") or ""
        return urlsplit(href).path == path

    return matches


def assert_period_page_answers_first(browser):
    """The answer (how many promises are kept, in the latest tertial) comes before the
    promises, and the SIG activity's card shows its tertial 3 account and status. The 2018
    document reports on its activities only, so its five promises have no status of their
    own: the summary says so rather than inventing one."""
    summary = browser.find(".summary")
    assert "tertial 3 2018" in summary.text
    assert "0 av 5 löften" in summary.text and "Inte rapporterat: 5" in summary.text, (
        summary.text
    )
    assert len(browser.find_all(".summary .status-bar .bar-part")) == 5
    card = browser.promise_card(ACTIVITY)
    assert card is not None, f"No promise card with {ACTIVITY!r} on {browser.path}"
    assert SIG_ACCOUNT in card.text and "Utfört och pågående" in card.text
    assert TERTIAL_3_ONLY in browser.text and TERTIAL_2_ONLY not in browser.text
    assert summary.location["y"] < card.location["y"]


def test_citizen_finds_the_2018_sig_account_by_searching_from_home(browser, public_pages):
    period_path = reverse("public:period", args=[demo_period(2018).pk])

    browser.get(public_pages["home"])
    search_box = browser.find("input[type=search][name=q]")
    search_box.send_keys("Katrineholm")
    browser.navigate_by(lambda: search_box.send_keys(Keys.ENTER))
    assert urlsplit(browser.driver.current_url).path == reverse("public:search")

    result = next(
        (link for link in browser.find_all("main a") if links_to(period_path)(link)), None
    )
    assert result is not None, "No search result links to the 2018 period:\n" + browser.text
    browser.navigate_by(result.click)

    assert urlsplit(browser.driver.current_url).path == period_path
    assert_period_page_answers_first(browser)

    # An earlier tertial is one click away, with that tertial's own account.
    tertial_2 = reverse("public:tertial_report", args=[demo_period(2018).pk, 2018, 2])
    link = next(link for link in browser.find_all(".summary a") if links_to(tertial_2)(link))
    browser.navigate_by(link.click)
    assert TERTIAL_2_ONLY in browser.promise_card("Spangrupp & IGV").text
    assert TERTIAL_3_ONLY not in browser.text


def test_citizen_reaches_the_period_in_three_clicks_from_home(browser, public_pages):
    period = demo_period(2018)
    municipality_path = reverse("public:municipality", args=[period.municipalities.get().slug])
    period_path = reverse("public:period", args=[period.pk])

    browser.get(public_pages["home"])
    clicks = 0
    for path in (municipality_path, period_path):
        link = next(link for link in browser.find_all("main a") if links_to(path)(link))
        browser.navigate_by(link.click)
        clicks += 1
    assert clicks <= 3
    assert_period_page_answers_first(browser)

    # The background is folded away and opens with a click, without JavaScript.
    background = browser.find("details.background#background")
    assert background.get_attribute("open") is None
    assert not browser.find("#background .prose").is_displayed()
    background.find_element("css selector", "summary").click()
    assert browser.find("#background .prose").is_displayed()


def test_keyboard_alone_on_a_phone_reaches_the_answer_and_the_account(browser, public_pages):
    period_path = reverse("public:period", args=[demo_period(2018).pk])
    browser.get(public_pages["home"])
    browser.set_width(PHONE_WIDTH, 800)

    first_stop = browser.tab_to(lambda element: True, description="anything")
    assert urlsplit(first_stop.get_dom_attribute("href") or "").fragment == "main", (
        "The first Tab stop should be the skip link to the main content"
    )
    assert first_stop.is_displayed() and browser.focus_is_visible()

    browser.tab_to(
        lambda element: element.get_attribute("name") == "q", description="the search box"
    )
    assert browser.focus_is_visible(), "The focused search box shows no focus indicator"
    browser.press("Katrineholm")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    browser.tab_to(links_to(period_path), description="a result linking to the 2018 period")
    assert browser.focus_is_visible(), "The focused search result shows no focus indicator"
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    assert urlsplit(browser.driver.current_url).path == period_path
    assert_period_page_answers_first(browser)
    # On a phone the answer is on the first screen, without scrolling.
    answer_bottom = browser.driver.execute_script(
        "return document.querySelector('.summary .answer').getBoundingClientRect().bottom;"
    )
    assert answer_bottom <= 800, f"The answer ends {answer_bottom}px down a 800px screen"
    browser.screenshot("citizen-keyboard-period", widths=(PHONE_WIDTH,))
