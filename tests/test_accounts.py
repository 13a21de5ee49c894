"""People run their own accounts: a password reset by e-mail from the admin login, which never
tells whether an address is known; a national administrator resets a lost two-factor
device; both audited."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from municipalities.models import AuditEvent, Municipality
from tests.factories import make_member


@pytest.fixture
def eva(db):
    return User.objects.create_user("eva", "eva@example.se", "gammalt-lösenord-1", is_staff=True)


def test_the_admin_login_offers_a_password_reset(db, client):
    page = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in page


def test_a_password_reset_mails_a_link_that_sets_a_new_password(eva, client):
    response = client.post(reverse("admin_password_reset"), {"email": "eva@example.se"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eva@example.se"]
    assert "lösenord" in mail.outbox[0].body  # Swedish
    link = re.search(r"https?://[^/\s]+(/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django moves the token out of the address
    response = client.post(form_url, {"new_password1": "Nytt-lösenord-2026",
                                      "new_password2": "Nytt-lösenord-2026"})
    assert response.status_code == 302
    eva.refresh_from_db()
    assert eva.check_password("Nytt-lösenord-2026")
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_RESET)
    assert event.username == "eva"


def test_a_password_reset_does_not_tell_whether_an_address_is_known(eva, client):
    known = client.post(reverse("admin_password_reset"), {"email": "eva@example.se"})
    unknown = client.post(reverse("admin_password_reset"), {"email": "ingen@example.se"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET).count() == 1


@pytest.mark.parametrize("role, answer", [
    ("admin", 302), ("coordinator", 403), ("lead", 403), ("reviewer", 403),
])
def test_only_a_national_administrator_resets_a_two_factor_device(db, client, eva, role, answer):
    device = TOTPDevice.objects.create(user=eva, name="Telefon", confirmed=True)
    municipality = None if role == "admin" else Municipality.objects.get(code="0483")
    client.force_login(make_member(role, municipality=municipality))
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == answer
    reset = AuditEvent.objects.filter(action=AuditEvent.Action.DEVICE_RESET)
    if answer == 302:
        assert not TOTPDevice.objects.filter(pk=device.pk).exists()
        assert reset.get().details == {"member": "eva", "device": "Telefon"}
    else:
        assert TOTPDevice.objects.filter(pk=device.pk).exists() and not reset.exists()


# A lead coordinator invites and removes colleagues of their own municipality ---------------

@pytest.fixture
def katrineholm_kommun(db):
    return Municipality.objects.get(code="0483")


def invite(client, municipality, email="per@example.se", role="coordinator"):
    return client.post(reverse("admin:municipalities_membership_invite"), {
        "email": email, "first_name": "Per", "last_name": "Persson", "role": role,
        "municipality": municipality.pk,
    })


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("role", ["lead", "admin"])
def test_a_lead_coordinator_invites_a_colleague(client, katrineholm_kommun, role,
                                                 django_capture_on_commit_callbacks):
    municipality = None if role == "admin" else katrineholm_kommun
    client.force_login(make_member(role, municipality=municipality))
    page = client.get(reverse("admin:municipalities_membership_changelist")).content.decode()
    assert reverse("admin:municipalities_membership_invite") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, katrineholm_kommun)
    assert response.status_code == 302
    per = User.objects.get(email="per@example.se")
    assert per.is_staff and not per.has_usable_password()
    assert per.memberships.get().municipality == katrineholm_kommun
    granted = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_GRANTED,
                                     details__member=per.username)
    assert granted.details["role"] == "coordinator"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["per@example.se"]
    link = re.search(r"https?://[^/\s]+(/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    assert client.post(form_url, {"new_password1": "Per-lösenord-2026",
                                  "new_password2": "Per-lösenord-2026"}).status_code == 302
    per.refresh_from_db()
    assert per.check_password("Per-lösenord-2026")


@pytest.mark.parametrize("role", ["coordinator", "police", "publisher", "reviewer", "signer"])
def test_only_a_lead_coordinator_invites(client, katrineholm_kommun, role):
    client.force_login(make_member(role, municipality=katrineholm_kommun))
    assert client.get(reverse("admin:municipalities_membership_invite")).status_code == 403
    assert invite(client, katrineholm_kommun).status_code == 403
    assert not User.objects.filter(email="per@example.se").exists()


def test_a_lead_coordinator_invites_to_no_other_municipality(client, katrineholm_kommun):
    client.force_login(make_member("lead", municipality=katrineholm_kommun))
    flen = Municipality.objects.get(code="0482")
    assert invite(client, flen).status_code == 400
    assert invite(client, katrineholm_kommun, role="admin").status_code == 400
    assert not User.objects.filter(email="per@example.se").exists()
    assert len(mail.outbox) == 0


def test_a_lead_coordinator_removes_a_colleague(client, katrineholm_kommun):
    colleague = make_member("coordinator", municipality=katrineholm_kommun, username="per")
    membership = colleague.memberships.get()
    url = reverse("admin:municipalities_membership_delete", args=[membership.pk])
    client.force_login(make_member("coordinator", municipality=katrineholm_kommun))
    assert client.post(url, {"post": "yes"}).status_code == 403
    elsewhere = make_member("lead", municipality=Municipality.objects.get(code="0482"))
    client.force_login(elsewhere)
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert colleague.memberships.exists()
    client.force_login(make_member("lead", municipality=katrineholm_kommun))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not colleague.memberships.exists()
    revoked = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_REVOKED)
    assert revoked.details["member"] == "per"
