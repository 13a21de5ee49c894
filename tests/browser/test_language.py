"""The interface is Swedish by default and switches to English with a plain link, without
JavaScript; what municipalities and police wrote stays exactly as entered."""

from urllib.parse import urlsplit

from django.urls import reverse

from promises.models import PromisePeriod

ACTIVITY = "Arbeta i SIG grupper"


def test_language_switch_to_english_works_without_javascript(browser, public_pages):
    period = PromisePeriod.objects.get(municipalities__code="0483", valid_from__year=2018)
    period_path = reverse("public:period", args=[period.pk])

    # With scripting off, only HTML forms and links can do the switch.
    browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(period_path)
        assert browser.find("html").get_attribute("lang") == "sv", browser.driver.current_url
        swedish_interface = browser.find(".skip-link").get_attribute("textContent").strip()
        swedish_menu = browser.find("nav").text
        assert period.title in browser.text and ACTIVITY in browser.text

        switch = browser.find("header a[hreflang=en]")
        assert switch.get_attribute("lang") == "en" and switch.text == "In English"
        browser.navigate_by(switch.click)
    finally:
        browser.driver.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": False}
        )

    assert browser.find("html").get_attribute("lang") == "en"
    # Same page, now under /en/.
    assert urlsplit(browser.driver.current_url).path == "/en" + period_path
    english_interface = browser.find(".skip-link").get_attribute("textContent").strip()
    assert english_interface == "Skip to content" != swedish_interface
    assert browser.find("nav").text != swedish_menu
    # The content is not translated: the Swedish titles and texts stay.
    assert period.title in browser.text and ACTIVITY in browser.text
    assert "Socialen och polisen träffas minst en gång i månaden" in browser.text
    # The Swedish content inside an English page must not break the page's accessibility.
    browser.assert_accessible()

    # Links keep the language: they lead under /en/.
    home = next(
        link for link in browser.find_all("header a")
        if urlsplit(link.get_attribute("href")).path == "/en" + reverse("public:home")
    )
    browser.navigate_by(home.click)
    assert browser.find("html").get_attribute("lang") == "en"


def test_language_switch_back_to_swedish_returns_to_the_swedish_address(browser, public_pages):
    period = PromisePeriod.objects.get(municipalities__code="0483", valid_from__year=2018)
    period_path = reverse("public:period", args=[period.pk])

    browser.get(period_path)
    browser.navigate_by(browser.find("header a[hreflang=en]").click)
    assert browser.find("html").get_attribute("lang") == "en"
    switch = browser.find("header a[hreflang=sv]")
    assert switch.get_attribute("lang") == "sv" and switch.text == "På svenska"
    browser.navigate_by(switch.click)

    assert urlsplit(browser.driver.current_url).path == period_path
    assert browser.find("html").get_attribute("lang") == "sv"
