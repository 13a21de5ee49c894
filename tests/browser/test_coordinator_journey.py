"""A coordinator enters a tertial's follow-up on the tertial screen with the keyboard alone:
the promise's own row and an activity's row. Citizens see it once the publisher has
published that tertial's report, and never the internal note."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from followup.models import FollowUp, Status, TertialReport
from promises.models import Activity
from tests.browser.conftest import demo_period

PASSWORD = "a-long-browser-test-password"
PROMISE = "Kommunens kommer genomföra antilangningskampanjer vid riskhelger"
ACTIVITY = "Antilangningskampanj vid riskhelger"
PROMISE_ACCOUNT = "Två kampanjer genomförda under hösten, inför Lucia och nyår."
ACCOUNT = "Kampanjen genomfördes inför Lucia och nyår tillsammans med fältassistenterna."
INTERNAL_NOTE = "Kontaktperson på Systembolaget: Anna, ring före kampanjen."


def staff_user(username, role):
    get_user_model().objects.create_user(username, password=PASSWORD)
    call_command("grant", username, municipality="0483", role=role, stdout=io.StringIO())


def link_to(path):
    def matches(element):
        href = element.get_dom_attribute("href") or ""
        return urlsplit(href).path == path

    return matches


@pytest.fixture
def period_2020(demo):
    period = demo_period(2020)
    promise = period.promises.get(text=PROMISE)
    # The 2020 document lists promises only; the coordinator has planned one activity.
    Activity.objects.create(
        promise=promise, order=1, text=ACTIVITY, responsible_party="municipality"
    )
    return period


def row(browser, kind, text):
    """The tertial screen's fieldset for the promise `text` itself, or for its activity."""
    for group in browser.find_all("section.promise-group"):
        heading = group.find_element("css selector", "h2").text
        for fieldset in group.find_elements("css selector", f"fieldset.tertial-row-{kind}"):
            legend = fieldset.find_element("css selector", "legend").text
            if text in (heading if kind == "promise" else legend):
                return fieldset
    raise AssertionError(f"No {kind} row for {text!r} on {browser.path}")


def fill(browser, fieldset, *, status, account, note=None):
    """Choose the status with the arrow keys and type the texts, Tab by Tab."""
    select = fieldset.find_element("css selector", "select[name$='status']")
    browser.tab_to(lambda element: element == select, description="the row's status")
    for _ in range(len(Status.choices) + 1):
        if select.get_attribute("value") == status:
            break
        browser.press(Keys.ARROW_DOWN)
    assert select.get_attribute("value") == status
    textarea = fieldset.find_element("css selector", "textarea[name$='account']")
    browser.tab_to(lambda element: element == textarea, description="the row's account")
    browser.press(account)
    if note is not None:
        textarea = fieldset.find_element("css selector", "textarea[name$='internal_note']")
        browser.tab_to(lambda element: element == textarea, description="the internal note")
        browser.press(note)


def test_coordinator_fills_tertial_3_by_keyboard_and_citizens_see_it_once_published(
    browser, period_2020
):
    chooser = reverse("admin:followup_tertial_choose")
    screen = reverse("admin:followup_tertial", args=[period_2020.pk, 2020, 3])
    public_period = reverse("public:period", args=[period_2020.pk])
    staff_user("samordnare", "coordinator")
    staff_user("publicerare", "publisher")

    # The coordinator logs in and reaches the screen from the admin index by keyboard.
    browser.log_in("samordnare", PASSWORD)
    browser.tab_to(link_to(chooser), description="the tertial follow-up link on the index")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    # The 2020 period is over, so its default tertial is its last: tertial 3.
    browser.tab_to(link_to(screen), description="the 2020 period's tertial screen")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert urlsplit(browser.driver.current_url).path == screen
    browser.assert_accessible()
    assert not browser.find_all("form[action$='/publish/']"), (
        "A coordinator without the publisher role is offered the publish button"
    )
    # Every promise of the document has a row of its own, in the document's order.
    assert len(browser.find_all("fieldset.tertial-row-promise")) == 7

    fill(browser, row(browser, "promise", PROMISE), status=Status.COMPLETED,
         account=PROMISE_ACCOUNT)
    fill(browser, row(browser, "activity", ACTIVITY), status=Status.COMPLETED,
         account=ACCOUNT, note=INTERNAL_NOTE)
    save = browser.find("#tertial-form [type=submit]")
    browser.tab_to(lambda element: element == save, description="the save button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    assert browser.find_all(".messagelist .success"), browser.text[:800]
    own = FollowUp.objects.get(promise__text=PROMISE, activity=None, indicator=None,
                               year=2020, tertial=3)
    assert (own.status, own.account) == (Status.COMPLETED, PROMISE_ACCOUNT)
    saved = FollowUp.objects.get(activity__text=ACTIVITY, year=2020, tertial=3)
    assert (saved.status, saved.account, saved.internal_note) == (
        Status.COMPLETED, ACCOUNT, INTERNAL_NOTE
    )
    assert saved.updated_by.username == "samordnare"
    browser.screenshot("coordinator-tertial-screen")

    # Saved is not yet public: the council sees it first.
    browser.get(public_period)
    assert PROMISE_ACCOUNT not in browser.text and ACCOUNT not in browser.text

    # The publisher publishes the tertial report from the same screen, by keyboard.
    browser.driver.delete_all_cookies()
    browser.log_in("publicerare", PASSWORD)
    browser.get(screen)
    publish = browser.find("form[action$='/publish/'] button[type=submit]")
    browser.tab_to(lambda element: element == publish, description="the publish button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.find_all(".messagelist .success"), browser.text[:800]
    assert TertialReport.objects.get(period=period_2020, year=2020, tertial=3).is_published

    # Citizens (no session) now see tertial 3 as the latest report, the promise's card
    # with its status and account and the activity's, and never the note.
    browser.driver.delete_all_cookies()
    browser.get(public_period)
    assert "tertial 3 2020" in browser.find(".summary").text
    card = browser.promise_card(PROMISE)
    assert card is not None, browser.text[:2000]
    assert PROMISE_ACCOUNT in card.text and ACCOUNT in card.text
    assert card.find_element("css selector", "header .status-completed").is_displayed()
    assert INTERNAL_NOTE not in browser.driver.page_source
    browser.screenshot("coordinator-public-period-2020")

    assert browser.csp_violations() == []
