"""Every public page type meets WCAG 2.1 AA as far as a machine can tell: axe-core finds no
violation, there is one h1, the page reflows at 320 px without sideways scrolling, and
screenshots at phone and desktop width are kept for a human to look at."""

import pytest

from tests.browser.conftest import demo_period, describe_violations

REFLOW_WIDTH = 320
EXPECTED_STATUS = {"not_found": 404}


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["swedish", "english"])
def test_public_pages_have_no_axe_violations(browser, public_pages, prefix):
    problems = {}
    for page_type, path in public_pages.items():
        path = prefix + path
        browser.get(path)
        found = []
        status = browser.status_of_current_page()
        if status != EXPECTED_STATUS.get(page_type, 200):
            found.append(f"answered HTTP {status}")
        violations = browser.axe_violations()
        # A guard against a silently empty run: axe must have checked real rules.
        assert browser.axe_rules_passed > 5, f"axe-core checked almost nothing on {path}"
        if violations:
            found.append(describe_violations(violations))
        headings = len(browser.find_all("h1"))
        if headings != 1:
            found.append(f"has {headings} h1 elements, not one")
        if not browser.find("html").get_attribute("lang"):
            found.append("has no lang on <html>")
        browser.screenshot(f"public-{page_type}{prefix.replace('/', '-')}")

        browser.set_width(REFLOW_WIDTH)
        overflow = browser.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        )
        if overflow > 0:
            found.append(f"scrolls sideways by {overflow}px at {REFLOW_WIDTH}px wide")
        browser.set_width(1280)
        if found:
            problems[f"{page_type} ({path})"] = found

    assert not problems, "Accessibility problems:\n" + "\n".join(
        f"{page}:\n" + "\n".join(found) for page, found in problems.items()
    )



def test_the_2018_period_is_at_most_three_screens_tall_on_a_desktop(browser, public_pages):
    """At 1280×800, with its background folded, the whole 2018 period (summary, five promise
    cards, documents and data links) fits in three screens; unfolding the background with
    the keyboard shows it."""
    browser.set_width(1280, 800)
    browser.get(public_pages["period"])
    assert demo_period(2018).title in browser.find("h1").text
    height = browser.driver.execute_script("return document.documentElement.scrollHeight;")
    assert height <= 3 * 800, f"The 2018 period is {height}px tall at 1280px wide"
    background = browser.find("details.background")
    assert background.get_attribute("open") is None
    browser.find("details.background summary").click()
    assert background.get_attribute("open") is not None


def test_axe_reports_an_image_without_alt_text(browser):
    """The check above can fail: axe-core, as injected here, finds a real violation."""
    browser.get("/finns-inte-har/")
    browser.driver.execute_script(
        "const img = document.createElement('img');"
        "img.src = '/static/none.png';"
        "document.querySelector('main').append(img);"
    )
    violations = browser.axe_violations()
    assert "image-alt" in {violation["id"] for violation in violations}
    assert "image-alt" in describe_violations(violations)


def test_verify_results_have_no_axe_violations(browser, demo, signing_keys, tmp_path):
    """The answers the verification page gives after an upload: a withdrawn document's
    (signature table, dates) and a refused file's (the error tied to the field)."""
    from promises.documents import storage
    from promises.publishing import unpublish
    from tests import pdf_corpus
    from tests.browser.conftest import demo_period
    from tests.factories import sign_all

    period = demo_period(2022)
    signed = storage.read(sign_all(period))
    unpublish(period, by=None, reason="Fel siffror")
    files = {
        "withdrawn": (signed, ".verdict-warn"),
        "too-complex": (pdf_corpus.many_updates(signed, 20), "#file-errors"),
    }
    for name, (data, answer) in files.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        browser.get("/verifiera/")
        browser.find(".verify-form input[type=file]").send_keys(str(path))
        browser.navigate_by(lambda: browser.find(".verify-form button[type=submit]").click())
        assert browser.find(answer).is_displayed()
        browser.assert_accessible()
        assert len(browser.find_all("h1")) == 1
        browser.screenshot(f"verify-{name}")
