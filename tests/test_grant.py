"""The grant command: roles from the command line, with clear errors."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from municipalities.models import AuditEvent, Membership, PoliceArea, PoliceRegion
from promises.models import PromisePeriod


@pytest.fixture
def eva(db):
    return User.objects.create_user("eva", "eva@katrineholm.se")


def test_grant_coordinator_for_a_municipality(eva):
    call_command("grant", "eva", municipality="0483", role="coordinator")
    membership = Membership.objects.get(user=eva)
    assert membership.role == "coordinator" and membership.municipality.name == "Katrineholm"
    eva.refresh_from_db()
    assert eva.is_staff
    assert AuditEvent.objects.filter(action="role_granted").exists()


def test_granting_twice_changes_nothing(eva):
    call_command("grant", "eva", municipality="0483", role="coordinator")
    call_command("grant", "eva", municipality="0483", role="coordinator")
    assert Membership.objects.filter(user=eva).count() == 1


def test_grant_police_for_a_police_area_by_short_name(eva):
    area = PoliceArea.objects.create(name="Lokalpolisområde Katrineholm",
                                     police_region=PoliceRegion.objects.get(name="Region Öst"))
    call_command("grant", "eva", police_area="Katrineholm", role="police")
    assert Membership.objects.get(user=eva).police_area == area


def test_police_role_by_municipality_covers_its_periods(katrineholm, eva):
    call_command("grant", "eva", municipality="0483", role="police")
    assert set(PromisePeriod.objects.readable_by(eva)) == set(katrineholm.values())


def test_revoke(eva):
    call_command("grant", "eva", municipality="0483", role="reviewer")
    call_command("grant", "eva", municipality="0483", role="reviewer", revoke=True)
    assert not Membership.objects.filter(user=eva).exists()
    assert AuditEvent.objects.filter(action="role_revoked").exists()


def test_national_admin_needs_no_place(eva):
    call_command("grant", "eva", role="admin")
    assert Membership.objects.get(user=eva).municipality is None


@pytest.mark.parametrize("kwargs, message", [
    ({"municipality": "0483", "role": "coordinator", "username": "nobody"}, "No user named"),
    ({"municipality": "9999", "role": "coordinator"}, "No municipality with code '9999'"),
    ({"municipality": "Katrineholm", "role": "coordinator"}, "Did you mean 0483"),
    ({"police_area": "Atlantis", "role": "police"}, "No police area named 'Atlantis'"),
    ({"role": "coordinator"}, "--municipality CODE or --police-area NAME"),
    ({"role": "admin", "municipality": "0483"}, "no municipality or police area"),
])
def test_clear_errors(eva, kwargs, message):
    username = kwargs.pop("username", "eva")
    with pytest.raises(CommandError, match=message):
        call_command("grant", username, **kwargs)
    assert not Membership.objects.exists()


def test_unknown_role_exits_non_zero(eva, capsys):
    from django.core.management import ManagementUtility

    argv = ["manage.py", "grant", "eva", "--municipality", "0483", "--role", "king"]
    # As manage.py runs it, parsing the command line itself, in this process.
    with pytest.raises(SystemExit) as exit:
        ManagementUtility(argv).fetch_command("grant").run_from_argv(argv)
    assert exit.value.code != 0
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("role", ["lead", "publisher", "signer", "reviewer"])
def test_every_municipal_role_is_granted_for_a_municipality(eva, role):
    call_command("grant", "eva", municipality="0483", role=role)
    assert Membership.objects.get(user=eva).role == role


def test_create_makes_a_staff_user_without_a_password_and_grants(db):
    call_command("grant", "olle", create=True, email="olle@example.se", municipality="0483",
                 role="coordinator")
    olle = User.objects.get(username="olle")
    assert olle.is_staff and olle.email == "olle@example.se"
    assert not olle.has_usable_password()
    assert Membership.objects.get(user=olle).municipality.code == "0483"


@pytest.mark.parametrize("kwargs, message", [
    ({"municipality": "0483"}, "--create needs --email"),
    ({"email": "olle@example.se", "municipality": "9999"}, "No municipality with code"),
    ({"email": "olle@example.se"}, "--municipality CODE or --police-area NAME"),
])
def test_a_refused_grant_with_create_creates_no_user(db, kwargs, message):
    with pytest.raises(CommandError, match=message):
        call_command("grant", "olle", create=True, role="coordinator", **kwargs)
    assert not User.objects.filter(username="olle").exists()
    assert not Membership.objects.exists()
