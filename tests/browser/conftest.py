"""Browser tests: Debian's headless Chromium, driven through Selenium, against a live server
running the production settings (DEBUG off, WhiteNoise, the strict CSP).

One Chromium for the whole session keeps the suite fast; each test gets a clean browser
(no cookies, an empty HTTP cache, desktop width, an empty console) through the `browser`
fixture.
"""

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from followup.demo.loader import load_demo
from promises.models import Agreement, AgreementSection, PromisePeriod
from promises.publishing import publish

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = Path(__file__).resolve().parent
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP_WIDTH, PHONE_WIDTH = 1280, 375
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # tryfirst: the marker must be on the items before `-m browser` deselects anything.
    for item in items:
        if BROWSER_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _served_by_whitenoise(application):
    """Let static files reach WhiteNoise, as in production.

    pytest-django's live server normally wraps the site in StaticFilesHandler, which looks
    files up through the finders by their plain names; with DEBUG off the pages name the
    hashed files from collectstatic's manifest (scripts/test runs collectstatic), which only
    WhiteNoise serves from STATIC_ROOT. So the browser loads exactly what production serves.
    """
    return application


@pytest.fixture(scope="session")
def live_server():
    # The host is "localhost", not 127.0.0.1: with DEBUG off the session, CSRF and language
    # cookies are Secure, and Chromium accepts Secure cookies over plain HTTP only from
    # localhost (a potentially trustworthy origin). So the admin login works without
    # weakening the cookie settings under test.
    #
    # The server's threads close their database connection after every request (no
    # persistent connections, unlike production): Chromium keeps idle HTTP connections
    # open, and on PostgreSQL their sessions would stop the test database being dropped.
    saved_ages = {alias: conn["CONN_MAX_AGE"] for alias, conn in connections.settings.items()}
    for alias in saved_ages:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _served_by_whitenoise
    server.start()
    yield server
    server.stop()
    for alias, age in saved_ages.items():
        connections.settings[alias]["CONN_MAX_AGE"] = age


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--disable-search-engine-choice-screen",
        f"--window-size={DESKTOP_WIDTH},1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    # The console ("browser" log) is where Chromium reports CSP violations.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def demo(live_server, django_db_serialized_rollback):
    """The Katrineholm demo data, committed so the live server's thread sees it.

    The live server needs the transactional database, which is flushed after each test;
    serialized rollback brings back what the migrations loaded (counties, municipalities)
    for the tests that run afterwards.
    """
    load_demo()


def demo_period(year):
    """The demo's Katrineholm period that starts in `year`."""
    return PromisePeriod.objects.get(municipalities__code="0483", valid_from__year=year)


def demo_agreement():
    """A published collaboration agreement over the demo's 2022–2023 period (the demo has
    none of its own)."""
    period = demo_period(2022)
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse 2022–2025",
        valid_from=datetime.date(2022, 1, 1), valid_to=datetime.date(2025, 12, 31),
    )
    agreement.municipalities.add(*period.municipalities.all())
    AgreementSection.objects.create(
        agreement=agreement, order=1, heading="Syfte",
        text="Polisen och kommunen samverkar för ett tryggare Katrineholm.",
    )
    period.agreement = agreement
    period.save()
    publish(agreement, by=None)
    return agreement


@pytest.fixture
def public_pages(demo):
    """One address of each public page type, on the Katrineholm demo data.

    Every one must exist: a URL name that no longer reverses fails the tests that use it.
    """
    period_2018 = demo_period(2018)
    return {
        "home": reverse("public:home"),
        "overview": reverse("public:overview"),
        "overview_filtered": reverse("public:overview")
        + "?lan=04&sortera=promises&ordning=fallande",
        "municipality": reverse(
            "public:municipality", args=[period_2018.municipalities.get().slug]
        ),
        "period": reverse("public:period", args=[period_2018.pk]),
        "tertial_report": reverse("public:tertial_report", args=[period_2018.pk, 2018, 2]),
        "agreement": reverse("public:agreement", args=[demo_agreement().pk]),
        "search": reverse("public:search") + "?q=Katrineholm",
        "accessibility": reverse("public:accessibility"),
        "verify": reverse("public:verify"),
        "not_found": "/finns-inte-har/",
    }


@pytest.fixture
def browser(chromium, live_server, django_db_serialized_rollback, request):
    page = Browser(chromium, live_server.url, test_name=request.node.name)
    page.reset()
    yield page
    page.reset()


def is_gone(element):
    """Whether the page that held `element` has been replaced. Chromium reports this either
    as a stale element or, caught mid-navigation, as an inspector error about a node that
    no longer belongs to the document (which Selenium's staleness_of does not expect)."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


class Browser:
    """A thin layer over the WebDriver with what these tests ask again and again."""

    def __init__(self, driver, base_url, *, test_name):
        self.driver = driver
        self.base_url = base_url
        self.test_name = re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        self.console = []
        self.axe_rules_passed = 0

    # Navigation and state -------------------------------------------------------------

    def reset(self):
        self.driver.delete_all_cookies()
        # Public pages may be kept for PUBLIC_PAGE_MAX_AGE; the next test's data is new.
        self.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        self.set_width(DESKTOP_WIDTH)
        self.read_console()
        self.console = []

    def get(self, path):
        self.driver.get(self.url(path))
        self.read_console()

    def navigate_by(self, action):
        """Do `action` (a click, a key press) and wait until the next page has loaded."""
        old_page = self.find("html")
        action()
        WebDriverWait(self.driver, 20).until(lambda driver: is_gone(old_page))
        WebDriverWait(self.driver, 20).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )
        self.read_console()

    def url(self, path):
        return path if path.startswith("http") else self.base_url + path

    @property
    def path(self):
        return self.driver.current_url.removeprefix(self.base_url)

    def set_width(self, width, height=900):
        """Give the page a viewport exactly `width` CSS pixels wide."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    @property
    def text(self):
        return self.find("body").text

    def status_of_current_page(self):
        """The HTTP status of the last navigation, from the Navigation Timing API."""
        return self.driver.execute_script(
            "const [entry] = performance.getEntriesByType('navigation');"
            "return entry ? entry.responseStatus : null;"
        )

    def log_in(self, username, password):
        """Log in through the admin's own login form, typing and pressing Enter."""
        self.get("/admin/login/?next=/admin/")
        self.find("#id_username").send_keys(username)
        password_field = self.find("#id_password")
        password_field.send_keys(password)
        self.navigate_by(lambda: password_field.send_keys(Keys.ENTER))
        assert self.driver.get_cookie("sessionid"), (
            "No session cookie after logging in; the page said:\n" + self.text[:500]
        )

    def promise_card(self, text):
        """The promise card that holds `text` (the promise's or one of its activities'), as
        the reader sees it, or None."""
        for card in self.find_all("article.promise-card"):
            if text in card.text:
                return card
        return None

    # Keyboard -------------------------------------------------------------------------

    def press(self, *keys):
        """Type into whatever has the focus, as a person at the keyboard does."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def focus_is_visible(self):
        """Whether the focused element draws a focus indicator (an outline or a ring)."""
        return self.driver.execute_script(
            "const style = getComputedStyle(document.activeElement);"
            "const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;"
            "return outline || style.boxShadow !== 'none';"
        )

    def tab_to(self, predicate, *, limit=150, description="the wanted element"):
        """Press Tab until `predicate(focused element)` holds; return that element."""
        for _ in range(limit):
            self.press(Keys.TAB)
            element = self.focused()
            if predicate(element):
                return element
        raise AssertionError(f"Tab never reached {description} within {limit} presses.")

    # Console and CSP ------------------------------------------------------------------

    def read_console(self):
        """Collect what the console logged since the last read (WebDriver drains it)."""
        try:
            self.console.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass
        return self.console

    def csp_violations(self):
        """Console messages about the Content-Security-Policy blocking something.

        Older Chromium says "Refused to …"; Chromium 156 says "… violates the following
        Content Security Policy directive …" from the "security" source. Either counts.
        """
        self.read_console()
        return [
            entry["message"]
            for entry in self.console
            if "Refused to" in entry["message"]
            or "Content Security Policy" in entry["message"]
            or entry.get("source") == "security"
        ]

    def console_errors(self):
        self.read_console()
        return [entry["message"] for entry in self.console if entry["level"] == "SEVERE"]

    # Accessibility --------------------------------------------------------------------

    def axe_violations(self):
        """Run axe-core (from node_modules, never a CDN) with WCAG 2.1 A/AA rules.

        WebDriver's execute_script evaluates through the DevTools protocol, which the
        page's Content-Security-Policy does not govern, so the production CSP stays as it is.
        """
        if not self.driver.execute_script("return typeof window.axe !== 'undefined';"):
            self.driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            "  .then(r => done(JSON.stringify("
            "    {violations: r.violations, passed: r.passes.length})))"
            "  .catch(e => done(JSON.stringify({error: String(e)})));",
            WCAG_21_AA,
        )
        result = json.loads(result)
        if "error" in result:
            raise AssertionError(f"axe-core failed on {self.path}: {result['error']}")
        self.axe_rules_passed = result["passed"]
        return result["violations"]

    def assert_accessible(self):
        violations = self.axe_violations()
        assert not violations, f"axe-core, {self.path}:\n" + describe_violations(violations)

    # Screenshots ----------------------------------------------------------------------

    def screenshot(self, name=None, widths=(PHONE_WIDTH, DESKTOP_WIDTH)):
        """Save full-height screenshots at each width to test-artifacts/screenshots/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = name or self.test_name
        saved = []
        for width in widths:
            self.set_width(width)
            height = self.driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight,"
                " document.body ? document.body.scrollHeight : 0);"
            )
            # Full height, capped so a very long page cannot exhaust memory on CI.
            self.set_width(width, height=min(max(height, 600), 12000))
            path = SCREENSHOTS / f"{name}-{width}.png"
            self.driver.save_screenshot(str(path))
            saved.append(path)
        self.set_width(DESKTOP_WIDTH)
        return saved


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
