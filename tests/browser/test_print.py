"""Printing a period page in Chromium: everything unfolded, the address and date at the end."""

import base64
import io

from pypdf import PdfReader
from selenium.webdriver.common.print_page_options import PrintOptions

from tests.browser.conftest import demo_period


def printed_text(browser):
    options = PrintOptions()
    options.background = True
    pdf = base64.b64decode(browser.driver.print_page(options))
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_printed_period_page_is_unfolded_and_names_its_address_and_date(browser, demo):
    period = demo_period(2022)
    browser.get(period.get_absolute_url())
    text = printed_text(browser)
    assert browser.url(period.get_absolute_url()) in text.replace(" ", "")
    assert "Printed from" in text or "Utskriven från" in text
    # The folded background is on paper; the site's menu and footer are not.
    folded = " ".join(period.introduction.split()[:6])
    assert folded and folded in text
    assert "Hoppa till innehållet" not in text and "Tillgänglighetsredogörelse" not in text
