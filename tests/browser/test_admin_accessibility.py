"""axe-core finds no WCAG 2.1 A/AA violation on the admin's page types: the login page, the
password reset, a changelist with its filters, the period's change form with its inlines and
document panel, the tertial screen, the membership invitation and the history pages."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from municipalities.models import Municipality
from tests.browser.conftest import demo_period
from tests.factories import make_member

PASSWORD = "Ett-långt-lösenord-2026"


@pytest.fixture
def admin_user(demo):
    User.objects.create_superuser("root", "root@example.se", PASSWORD)


@pytest.fixture
def lead(demo):
    user = make_member("lead", municipality=Municipality.objects.get(code="0483"),
                       username="lead")
    user.set_password(PASSWORD)
    user.save()


def assert_accessible(browser, paths):
    failures = {}
    for path in paths:
        browser.get(path)
        if violations := browser.axe_violations():
            from tests.browser.conftest import describe_violations

            failures[path] = describe_violations(violations)
    assert not failures, "\n\n".join(f"{path}:\n{text}" for path, text in failures.items())


def test_the_login_and_password_reset_pages_have_no_axe_violations(browser, demo):
    assert_accessible(browser, [reverse("admin:login"), reverse("admin_password_reset")])


def test_the_admins_forms_and_lists_have_no_axe_violations(browser, admin_user):
    period = demo_period(2022)
    browser.log_in("root", PASSWORD)
    assert_accessible(browser, [
        reverse("admin:index"),
        reverse("admin:promises_promiseperiod_changelist"),
        reverse("admin:promises_promiseperiod_change", args=[period.pk]),
        reverse("admin:promises_promiseperiod_add"),
        reverse("admin:promises_promiseperiod_history", args=[period.pk]),
        reverse("admin:promises_promise_changelist"),
        reverse("admin:municipalities_municipality_changelist"),
        reverse("admin:followup_tertial", args=[period.pk, 2022, 1]),
        reverse("admin:municipalities_auditevent_changelist"),
    ])


def test_the_invitation_form_has_no_axe_violations(browser, lead):
    browser.log_in("lead", PASSWORD)
    assert_accessible(browser, [
        reverse("admin:municipalities_membership_changelist"),
        reverse("admin:municipalities_membership_invite"),
    ])


def test_the_lists_fit_at_1280_px(browser, admin_user):
    """No list scrolls sideways on a 1280 px screen, its filters beside it."""
    browser.log_in("root", PASSWORD)
    browser.set_width(1280)
    too_wide = {}
    for name in ["promises_promiseperiod", "promises_agreement", "promises_promise",
                 "promises_activity", "promises_indicator", "promises_signatory",
                 "followup_followup", "followup_tertialreport", "followup_yearendcomment",
                 "municipalities_membership", "municipalities_policearea",
                 "municipalities_municipality", "municipalities_auditevent"]:
        browser.get(reverse(f"admin:{name}_changelist"))
        table, room = browser.driver.execute_script(
            "const t = document.querySelector('#result_list');"
            "return t ? [t.scrollWidth, t.parentElement.clientWidth] : [0, 0];"
        )
        if table > room:
            too_wide[name] = (table, room)
    assert too_wide == {}
