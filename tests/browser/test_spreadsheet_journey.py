"""A coordinator uploads a filled-in tertial spreadsheet in a real browser: the screen offers
the download and the upload, the preview lists the problem of a bad file and the changes
of a good one, both pages are accessible and keep the Content-Security-Policy, and saving
shows the values on the screen."""

import io
from urllib.parse import urlsplit

import openpyxl
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from followup.forms import TertialSheet
from followup.models import FollowUp
from followup.spreadsheet import tertial_workbook
from followup.tertials import Tertial
from tests.browser.conftest import demo_period

PASSWORD = "a-long-browser-test-password"
ACCOUNT = "Uppdaterat i kalkylarket: två vandringar till i centrum."


def test_coordinator_uploads_a_spreadsheet_sees_the_preview_and_saves(browser, demo, tmp_path):
    period = demo_period(2018)
    user = get_user_model().objects.create_user("samordnare", password=PASSWORD)
    call_command("grant", "samordnare", municipality="0483", role="coordinator",
                 stdout=io.StringIO())
    screen = reverse("admin:followup_tertial", args=[period.pk, 2018, 3])
    # The file the download link gives (the same function makes it).
    data = tertial_workbook(TertialSheet(period, Tertial(2018, 3), user))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    first = next(n for n in range(4, ws.max_row + 1) if ":promise:" in (ws[f"A{n}"].value or ""))
    key = ws[f"A{first}"].value
    ws[f"K{first}"] = "Kanske"
    book.save(tmp_path / "bad.xlsx")
    ws[f"K{first}"] = "Pågående"
    ws[f"M{first}"] = ACCOUNT
    book.save(tmp_path / "good.xlsx")

    browser.log_in("samordnare", PASSWORD)
    browser.get(screen)
    download = browser.find("#download-spreadsheet").get_dom_attribute("href")
    assert download == reverse("admin:followup_tertial_download", args=[period.pk, 2018, 3])
    browser.assert_accessible()

    for name in ("bad", "good"):
        browser.get(screen)
        browser.find("#upload-form input[type=file]").send_keys(str(tmp_path / f"{name}.xlsx"))
        browser.navigate_by(lambda: browser.find("#upload-form button[type=submit]").click())
        browser.assert_accessible()
        assert not browser.csp_violations()
        browser.screenshot(f"spreadsheet-preview-{name}")
        browser.set_width(320)  # reflows: only the tables scroll sideways, never the page
        assert browser.driver.execute_script(
            "return document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth;") <= 0
        browser.set_width(1280)
        problems = [row.text for row in browser.find_all("#problem-table tbody tr")]
        if name == "bad":
            assert len(problems) == 1 and problems[0].startswith(str(first))
            assert "Kanske" in problems[0] and not browser.find_all("#confirm-form")
        else:
            assert problems == []
    change = browser.find("#change-table tbody").text
    assert ACCOUNT in change and str(first) in change

    browser.navigate_by(lambda: browser.find("#confirm-form input[type=submit]").click())
    assert urlsplit(browser.driver.current_url).path == screen
    promise_id = int(key.rsplit(":", 1)[1])
    assert browser.find(f"#id_p{promise_id}-account").get_attribute("value") == ACCOUNT
    followup = FollowUp.objects.get(promise_id=promise_id, activity=None, indicator=None,
                                    year=2018, tertial=3)
    assert (followup.status, followup.account) == ("ongoing", ACCOUNT)
