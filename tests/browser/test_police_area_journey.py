"""A new coordinator, of a municipality that has no police area yet, starts from nothing with
the keyboard alone: creates the police area that serves their municipality, then the period,
choosing both through the admin's autocomplete fields. Every page passes axe-core."""

import io
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from municipalities.models import Municipality, PoliceArea
from promises.models import PromisePeriod

PASSWORD = "a-long-browser-test-password"
AREA = "Lokalpolisområde Vingåker"
TITLE = "Medborgarlöfte Vingåker hösten 2026"


def link_to(path):
    def matches(element):
        return urlsplit(element.get_dom_attribute("href") or "").path == path

    return matches


def is_field(name):
    return lambda element: element.get_dom_attribute("name") == name


def choose(browser, field_id, typed):
    """Choose in an autocomplete field (select2) by keyboard: Tab to it, open it, type,
    wait for the suggestions, Enter on the first."""
    container = browser.find(f"#{field_id} + .select2")

    def in_field(element):
        return element in container.find_elements(
            "css selector", ".select2-selection, .select2-search__field")

    element = browser.tab_to(in_field, description=f"the {field_id} field")
    if "select2-selection--single" in (element.get_dom_attribute("class") or ""):
        browser.press(Keys.ENTER)  # opens the dropdown with its own search field
    browser.press(typed)
    WebDriverWait(browser.driver, 10).until(lambda driver: any(
        typed.lower() in option.text.lower()
        for option in browser.find_all(".select2-results__option--highlighted")
    ))
    browser.press(Keys.ENTER)


def test_a_new_coordinator_creates_the_police_area_and_a_period_by_keyboard(browser):
    place = Municipality.objects.get(code="0428")
    assert not place.police_areas.exists()
    get_user_model().objects.create_user("ny-samordnare", password=PASSWORD)
    call_command("grant", "ny-samordnare", municipality="0428", role="coordinator",
                 stdout=io.StringIO())
    browser.log_in("ny-samordnare", PASSWORD)
    browser.assert_accessible()

    # The police area: from the admin index's "Add" link, named and given the municipality.
    add_area = reverse("admin:municipalities_policearea_add")
    browser.tab_to(link_to(add_area), description="the link to add a police area")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.path == add_area
    browser.assert_accessible()
    browser.tab_to(is_field("name"), description="the name field")
    browser.press(AREA)
    choose(browser, "id_municipalities", "Vingåker")
    save = browser.find("input[name=_save]")
    browser.tab_to(lambda element: element == save, description="the save button")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.find_all(".messagelist .success"), browser.text[:800]
    area = PoliceArea.objects.get(name=AREA)
    assert list(area.municipalities.all()) == [place]
    assert area.police_region.name == "Region Öst"
    browser.assert_accessible()

    # The period, from the admin index, with the new area chosen beside the municipality.
    browser.get(reverse("admin:index"))
    add_period = reverse("admin:promises_promiseperiod_add")
    browser.tab_to(link_to(add_period), description="the link to add a period")
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.path == add_period
    browser.assert_accessible()
    choose(browser, "id_parties", "Vingåker")
    choose(browser, "id_police_area", "Vingåker")
    for name, value in [("title", TITLE), ("valid_from", "2026-09-01"),
                        ("valid_to", "2026-12-31")]:
        browser.tab_to(is_field(name), description=f"the {name} field")
        browser.press(value)
    save = browser.find("input[name=_save]")
    browser.tab_to(lambda element: element == save, description="the save button",
                   limit=400)
    browser.navigate_by(lambda: browser.press(Keys.ENTER))
    assert browser.find_all(".messagelist .success"), browser.text[:1500]
    period = PromisePeriod.objects.get(title=TITLE)
    assert period.police_area == area and list(period.municipalities.all()) == [place]
    browser.assert_accessible()
    assert browser.csp_violations() == []
