"""A coordinator enters a tertial's follow-up in the admin with the keyboard alone; citizens
see it once the publisher has published that tertial's report, and never the internal note."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from followup.models import FollowUp, TertialReport
from promises.models import Activity, PromisePeriod

PASSWORD = "a-long-browser-test-password"
ACTIVITY = "Antilangningskampanj vid riskhelger"
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
    period = PromisePeriod.objects.get(municipality__code="0483", valid_from__year=2020)
    promise = period.promises.get(text__startswith="Kommunens kommer genomföra antilangning")
    # The 2020 document lists promises only; the coordinator has planned one activity.
    Activity.objects.create(
        promise=promise, order=1, text=ACTIVITY, responsible_party="municipality"
    )
    return period


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

    row = next(
        fieldset for fieldset in browser.find_all("fieldset.tertial-row")
        if ACTIVITY in fieldset.find_element("css selector", "legend").text
    )
    status = row.find_element("css selector", "select[name$='status']")
    account = row.find_element("css selector", "textarea[name$='account']")
    note = row.find_element("css selector", "textarea[name$='internal_note']")

    browser.tab_to(lambda element: element == status, description="the activity's status")
    for _ in range(len(FollowUp.Status.choices)):
        if status.get_attribute("value") == FollowUp.Status.COMPLETED:
            break
        browser.press(Keys.ARROW_DOWN)
    assert status.get_attribute("value") == FollowUp.Status.COMPLETED
    browser.tab_to(lambda element: element == account, description="the account")
    browser.press(ACCOUNT)
    browser.tab_to(lambda element: element == note, description="the internal note")
    browser.press(INTERNAL_NOTE)
    save = browser.find("#tertial-form [type=submit]")
    browser.tab_to(lambda element: element == save, description="the save button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    assert browser.find_all(".messagelist .success"), browser.text[:800]
    saved = FollowUp.objects.get(activity__text=ACTIVITY, year=2020, tertial=3)
    assert (saved.status, saved.account, saved.internal_note) == (
        FollowUp.Status.COMPLETED, ACCOUNT, INTERNAL_NOTE
    )
    assert saved.updated_by.username == "samordnare"

    # Saved is not yet public: the council sees it first.
    browser.get(public_period)
    assert ACCOUNT not in browser.text

    # The publisher publishes the tertial report from the same screen, by keyboard.
    browser.driver.delete_all_cookies()
    browser.log_in("publicerare", PASSWORD)
    browser.get(screen)
    publish = browser.find("form[action$='/publish/'] button[type=submit]")
    browser.tab_to(lambda element: element == publish, description="the publish button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.find_all(".messagelist .success"), browser.text[:800]
    assert TertialReport.objects.get(period=period_2020, year=2020, tertial=3).is_published

    # Citizens (no session) now see the account in the Tertial 3 column, never the note.
    browser.driver.delete_all_cookies()
    browser.get(public_period)
    cell = browser.tertial_cell(ACTIVITY, 3)
    assert cell is not None and ACCOUNT in cell, browser.text[:2000]
    assert INTERNAL_NOTE not in browser.driver.page_source
    browser.screenshot("coordinator-public-period-2020")

    assert browser.csp_violations() == []
