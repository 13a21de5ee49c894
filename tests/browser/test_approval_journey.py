"""Both parties approve a tertial report on the tertial screen, by keyboard: the
municipality's publisher first (the report waits for the police), then the police area's
publisher, whose approval publishes it. With PORTAL_DUAL_APPROVAL on, as it ships."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from followup.models import TertialReport
from tests.browser.conftest import demo_period

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def both_parties(settings):
    settings.PORTAL_DUAL_APPROVAL = True


def publisher(username, **place):
    get_user_model().objects.create_user(username, password=PASSWORD)
    call_command("grant", username, role="publisher", stdout=io.StringIO(), **place)


def test_both_parties_approve_a_tertial_report_and_the_second_publishes_it(
    browser, demo, both_parties
):
    period = demo_period(2020)
    screen = reverse("admin:followup_tertial", args=[period.pk, 2020, 3])
    publisher("kommunens-publicerare", municipality="0483")
    publisher("polisens-publicerare", police_area=period.police_area.name)

    for username, published in (("kommunens-publicerare", False),
                                ("polisens-publicerare", True)):
        browser.driver.delete_all_cookies()
        browser.log_in(username, PASSWORD)
        browser.get(screen)
        approve = browser.find("form[action$='/publish/'] button[type=submit]")
        browser.tab_to(lambda element, approve=approve: element == approve,
                       description="the approve button")
        browser.navigate_by(lambda: browser.press(Keys.ENTER))
        assert browser.find_all(".messagelist .success"), browser.text[:800]
        browser.assert_accessible()
        report = TertialReport.objects.get(period=period, year=2020, tertial=3)
        assert report.is_published is published
        assert report.approvals.count() == (1 if not published else 2)
        if not published:
            # The municipality has approved: the screen offers its publisher nothing more
            # to press, and says the report waits for the police.
            assert not browser.find_all("form[action$='/publish/']")
            state = browser.find(".report-state").text
            assert "Police" in state or "Polis" in state, state
            browser.screenshot("tertial-screen-waiting-for-the-police")
