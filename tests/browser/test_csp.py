"""The strict Content-Security-Policy holds in a real browser: no page, public or admin,
makes Chromium refuse a script, a stylesheet, a style attribute or a font (0 "Refused to" or
"violates the following Content Security Policy directive" messages in the console)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from promises.models import PromisePeriod

PASSWORD = "a-long-browser-test-password"


def test_public_pages_cause_no_csp_violations(browser, public_pages):
    refused = {}
    for path in public_pages.values():
        browser.get(path)
        violations = browser.csp_violations()
        if violations:
            refused[path] = violations
        browser.console.clear()
    assert not refused, "CSP violations:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(messages) for path, messages in refused.items()
    )


def admin_pages(period):
    return {
        "index": reverse("admin:index"),
        "period changelist": reverse("admin:promises_promiseperiod_changelist"),
        "period change form": reverse("admin:promises_promiseperiod_change", args=[period.pk]),
        "follow-up changelist": reverse("admin:followup_followup_changelist"),
        "tertial report changelist": reverse("admin:followup_tertialreport_changelist"),
        "tertial chooser": reverse("admin:followup_tertial_choose"),
        "tertial screen": reverse("admin:followup_tertial", args=[period.pk, 2018, 3]),
    }


def test_admin_pages_cause_no_csp_violations(browser, demo):
    get_user_model().objects.create_superuser("national", "national@example.org", PASSWORD)
    period = PromisePeriod.objects.get(municipalities__code="0483", valid_from__year=2018)

    browser.get(reverse("admin:login"))
    refused = {"login": browser.csp_violations()}
    browser.log_in("national", PASSWORD)
    for name, path in admin_pages(period).items():
        browser.console.clear()
        browser.get(path)
        assert browser.status_of_current_page() == 200, f"{name} ({path}) did not answer 200"
        refused[name] = browser.csp_violations()

    refused = {name: messages for name, messages in refused.items() if messages}
    assert not refused, "CSP violations in the admin:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in refused.items()
    )


def test_an_inline_script_is_refused_and_reported(browser):
    """The check above can fail: an inline script without the nonce shows up as a refusal."""
    browser.get("/finns-inte-har/")
    browser.driver.execute_script(
        "const script = document.createElement('script');"
        "script.textContent = 'document.title = \"inline ran\"';"
        "document.body.append(script);"
    )
    assert browser.driver.title != "inline ran"
    assert any(
        "Content Security Policy" in message and "inline script" in message
        for message in browser.csp_violations()
    )
