"""Security hardening: headers, deploy checks, login lockout, the second factor, the
audit log and who may read it."""

import io
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from municipalities.models import AuditEvent, Membership, Municipality, Role
from promises.publishing import unpublish

PASSWORD = "a long and unusual passphrase 41"
LOGIN_URL = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("anna", password=PASSWORD, is_staff=True)


def login(client, username, password, *, address="10.0.0.1", **extra):
    return client.post(
        LOGIN_URL, {"username": username, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def test_deploy_check_gives_no_warnings_with_production_environment(
    settings_from_environment, settings, db
):
    production = settings_from_environment(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="deploy-check-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="medborgarloften.example.se",
        DJANGO_SECURE_SSL_REDIRECT="1",
        PORTAL_OPERATOR="Exempelkommunernas förbund",
        PORTAL_CONTACT_EMAIL="dataskydd@example.se",
    )
    # Everything that environment changes, over this run's settings; the test database stays.
    for name in dir(production):
        value = getattr(production, name)
        if name.isupper() and name != "DATABASES" and value != getattr(settings, name, None):
            setattr(settings, name, value)
    out = io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only(client, staff):
    client.get("/admin/login/", secure=True)
    response = client.post(
        LOGIN_URL, {"username": "anna", "password": PASSWORD}, secure=True,
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_at_that_address_only(client, django_user_model, staff):
    django_user_model.objects.create_user("bertil", password=PASSWORD, is_staff=True)
    for _ in range(4):
        assert login(client, "anna", "wrong password").status_code == 200
    assert login(client, "anna", "wrong password").status_code == 429  # the fifth locks

    locked = login(Client(), "anna", PASSWORD)
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in locked.content.decode()

    # A colleague behind the same town-hall address still logs in…
    assert login(Client(), "bertil", PASSWORD).status_code == 302
    # …and so does the same person from another address.
    assert login(Client(), "anna", PASSWORD, address="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short", "password1234", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)


def test_admin_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_without_2fa_setting_staff_log_in_with_password_alone(client, staff):
    assert login(client, "anna", PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@override_settings(REQUIRE_2FA=True)
def test_with_2fa_staff_without_a_device_cannot_use_the_admin(client, staff):
    response = login(client, "anna", PASSWORD)
    assert response.status_code == 200
    assert "autentiseringsapp" in response.content.decode()

    client.force_login(staff)  # a password-only session, e.g. from before the switch
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@override_settings(REQUIRE_2FA=True)
def test_with_2fa_staff_log_in_with_password_and_current_code(client, staff):
    out = io.StringIO()
    call_command("enrol_totp", "anna", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    device = TOTPDevice.objects.get(user=staff)

    assert login(client, "anna", PASSWORD, otp_token="000000").status_code == 200
    assert client.get("/admin/").status_code == 302

    code = format(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits),
                  "06d")
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    # The first attempt, as a person makes it: the form shows no device list yet, and the
    # only device the user has is the one the code is checked against.
    response = login(client, "anna", PASSWORD, otp_token=code)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_with_2fa_a_password_only_session_sees_no_drafts_on_the_public_site(
    client, katrineholm, django_user_model
):
    period = unpublish(katrineholm[2022], by=None, reason="Omarbetas")
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", PASSWORD)
    client.force_login(editor)  # password only: not verified by a second factor
    assert client.get(f"/medborgarloften/{period.pk}/").status_code == 404
    device = TOTPDevice.objects.create(user=editor, name="Telefon", confirmed=True)

    # Verify the session as the two-factor login does, then the preview opens.
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(
        client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    request.user = editor
    otp_login(request, device)
    request.session.save()
    assert client.get(f"/medborgarloften/{period.pk}/").status_code == 200


@pytest.mark.django_db
def test_logins_failures_and_logouts_are_audited(client, staff):
    login(client, "anna", "wrong password")
    login(client, "anna", PASSWORD)
    client.post("/admin/logout/")
    events = list(AuditEvent.objects.order_by("at", "pk").values_list("action", "username",
                                                                       "ip_address"))
    assert events == [
        ("login_failed", "anna", "10.0.0.1"),
        ("login", "anna", "10.0.0.1"),
        ("logout", "anna", "127.0.0.1"),
    ]


@pytest.mark.django_db
def test_role_changes_are_audited_with_who_and_where(django_user_model, staff):
    katrineholm = Municipality.objects.get(code="0483")
    vingaker = Municipality.objects.get(code="0428")
    membership = Membership.objects.create(
        user=staff, role=Role.COORDINATOR, municipality=katrineholm
    )
    membership.municipality = vingaker
    membership.save()
    membership.save()  # nothing changed: nothing logged
    membership.delete()

    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.details["municipality"]) for e in events] == [
        ("role_granted", "Katrineholm"),
        ("role_revoked", "Katrineholm"),
        ("role_granted", "Vingåker"),
        ("role_revoked", "Vingåker"),
    ]
    assert all(e.details["member"] == "anna" for e in events)


@pytest.mark.django_db
def test_role_change_in_the_admin_names_the_acting_administrator(superuser_client, staff):
    from simple_history.models import HistoricalRecords

    request = superuser_client.get("/admin/").wsgi_request
    HistoricalRecords.context.request = request
    try:
        Membership.objects.create(user=staff, role=Role.NATIONAL_ADMIN)
    finally:
        del HistoricalRecords.context.request
    event = AuditEvent.objects.get(action="role_granted")
    assert event.username == "root"
    assert event.details["member"] == "anna"


@pytest.fixture
def coordinator(django_user_model):
    user = django_user_model.objects.create_user("cecilia", password=PASSWORD, is_staff=True)
    Membership.objects.create(
        user=user, role=Role.COORDINATOR, municipality=Municipality.objects.get(code="0483")
    )
    # Even a stray model permission must not open the audit log.
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    return user


@pytest.mark.django_db
def test_stray_model_permissions_on_a_user_or_a_group_grant_nothing(client, staff):
    staff.user_permissions.add(Permission.objects.get(codename="view_promiseperiod"))
    group = Group.objects.create(name="Redaktörer")
    group.permissions.add(Permission.objects.get(codename="change_promiseperiod"))
    staff.groups.add(group)
    assert not staff.has_perm("promises.view_promiseperiod")
    assert not staff.has_perm("promises.change_promiseperiod")
    assert not staff.has_module_perms("promises")
    client.force_login(staff)
    assert client.get(reverse("admin:promises_promiseperiod_changelist")).status_code == 403


@pytest.mark.django_db
def test_coordinator_gets_403_on_the_audit_log(client, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:municipalities_auditevent_changelist")
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_national_administrator_reads_but_cannot_change_the_audit_log(client, staff):
    Membership.objects.create(user=staff, role=Role.NATIONAL_ADMIN)
    AuditEvent.objects.all().delete()
    login(client, "anna", "wrong password <script>")
    client.force_login(staff)
    url = reverse("admin:municipalities_auditevent_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "Misslyckad inloggning" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert client.get(reverse("admin:municipalities_auditevent_change",
                              args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:municipalities_auditevent_delete",
                               args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:municipalities_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
