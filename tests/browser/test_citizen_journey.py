"""A citizen finds how a promise is kept: from the home page, by search or by clicking, with a
mouse on a desktop and with the keyboard alone on a phone-sized screen."""

from urllib.parse import urlsplit

from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from promises.models import PromisePeriod
from tests.browser.conftest import PHONE_WIDTH

ACTIVITY = "Arbeta i SIG grupper"
TERTIAL_2_ACCOUNT = "Socialen och polisen träffas minst en gång i månaden"


def period_2018():
    return PromisePeriod.objects.get(municipality__code="0483", valid_from__year=2018)


def links_to(path):
    def matches(element):
        href = element.get_dom_attribute("href") or ""
        return urlsplit(href).path == path

    return matches


def assert_tertial_2_account_shown(browser):
    """The account sits in the activity's row, in the column headed Tertial 2."""
    cell = browser.tertial_cell(ACTIVITY, 2)
    assert cell is not None, (
        f"No table row for {ACTIVITY!r} with a Tertial 2 column on {browser.path}"
    )
    assert TERTIAL_2_ACCOUNT in cell


def test_citizen_finds_the_2018_sig_account_by_searching_from_home(browser, public_pages):
    period_path = reverse("public:period", args=[period_2018().pk])

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
    assert_tertial_2_account_shown(browser)


def test_citizen_reaches_the_period_in_three_clicks_from_home(browser, public_pages):
    period = period_2018()
    municipality_path = reverse("public:municipality", args=[period.municipality.slug])
    period_path = reverse("public:period", args=[period.pk])

    browser.get(public_pages["home"])
    clicks = 0
    for path in (municipality_path, period_path):
        link = next(link for link in browser.find_all("main a") if links_to(path)(link))
        browser.navigate_by(link.click)
        clicks += 1
    assert clicks <= 3
    assert_tertial_2_account_shown(browser)


def test_keyboard_alone_on_a_phone_reaches_the_account(browser, public_pages):
    period_path = reverse("public:period", args=[period_2018().pk])
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
    assert_tertial_2_account_shown(browser)
    browser.screenshot("citizen-keyboard-period", widths=(PHONE_WIDTH,))
