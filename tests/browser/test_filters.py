"""Citizens narrow the national overview and the search with the keyboard alone, on a phone
and on a desktop: the filters are plain forms, so they work without JavaScript too."""

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import DESKTOP_WIDTH, PHONE_WIDTH

SODERMANLAND = "04"


def choose_by_keyboard(browser, select, value):
    """Move a focused <select> to `value` with the arrow keys, as a keyboard user does."""
    for _ in range(40):
        if select.get_property("value") == value:
            return
        browser.press(Keys.ARROW_DOWN)
    raise AssertionError(f"The arrow keys never reached {value!r} in #{select.get_attribute('id')}")


@pytest.mark.parametrize("width", [PHONE_WIDTH, DESKTOP_WIDTH])
def test_the_overview_filters_by_county_with_the_keyboard(browser, public_pages, width):
    browser.set_width(width)
    browser.get(public_pages["overview"])
    all_rows = len(browser.find_all("table tbody tr"))
    county = browser.tab_to(lambda element: element.get_attribute("id") == "overview-county",
                            description="the county filter")
    assert browser.focus_is_visible(), "The county filter shows no focus indicator"
    choose_by_keyboard(browser, county, SODERMANLAND)
    browser.tab_to(lambda element: element.get_attribute("type") == "submit",
                   description="the filter's button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    assert f"lan={SODERMANLAND}" in browser.path
    rows = browser.find_all("table tbody tr")
    assert 0 < len(rows) < all_rows
    assert all("Södermanlands län" in row.text for row in rows)
    assert any("Katrineholm" in row.text for row in rows)
    overflow = browser.driver.execute_script(
        "return document.body.scrollWidth - document.documentElement.clientWidth;"
    )
    assert width == PHONE_WIDTH or overflow <= 0


@pytest.mark.parametrize("width", [PHONE_WIDTH, DESKTOP_WIDTH])
def test_search_filters_unfold_and_narrow_by_year_with_the_keyboard(
    browser, public_pages, width
):
    browser.set_width(width)
    browser.get(public_pages["search"])
    assert "2022" in browser.text  # the 2022–2023 period is found before filtering
    more = browser.find("details.search-more")
    assert more.get_attribute("open") is None
    browser.tab_to(lambda element: element.tag_name == "summary",
                   description="the filters' summary")
    browser.press(Keys.ENTER)
    assert more.get_attribute("open") is not None
    browser.tab_to(lambda element: element.get_attribute("name") == "year",
                   description="the year filter")
    browser.press("2018")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))

    assert "year=2018" in browser.path
    results = browser.find("main").text
    assert "2018" in results and "Medborgarlöfte 2022–2023" not in results
