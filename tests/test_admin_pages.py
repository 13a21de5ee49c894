"""Every admin changelist, add page and change page answers 200 to a superuser."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from followup.models import FollowUp
from promises.models import Agreement, Indicator, SigningKey

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def every_model_has_a_row(katrineholm):
    from django.contrib.auth.models import Group

    Group.objects.create(name="Samordnare")
    katrineholm[2022].priorities.create(order=1, text="Tryggare centrum")
    period = katrineholm[2022]
    indicator = Indicator.objects.create(
        promise=period.promises.first(), name="Antal trygghetsvandringar",
        target_comparison="at_least", target_value=4, target_unit="st",
    )
    FollowUp.objects.create(promise=indicator.promise, indicator=indicator, year=2022,
                            tertial=1, value=2)
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse 2020–2023",
        valid_from="2020-01-01", valid_to="2023-12-31",
    )
    agreement.municipalities.set(period.municipalities.all())
    agreement.sections.create(order=1, heading="Syfte", text="Tryggare tillsammans.")
    SigningKey.objects.create(police_area=period.police_area, kind="pkcs11",
                              pkcs11_module="/usr/lib/softhsm/libsofthsm2.so")
    from django.contrib.auth.models import User

    from municipalities.models import Membership

    coordinator = User.objects.create_user("samordnare")
    Membership.objects.create(
        user=coordinator, role="coordinator", municipality=period.municipalities.first(),
    )
    TOTPDevice.objects.create(user=coordinator, name="Telefon", confirmed=True)
    from public.models import Subscription
    from public.tasks import announce

    Subscription.objects.create(
        email="medborgare@example.se", municipality=period.municipalities.first()
    )
    announce.enqueue(0)  # a row in the task queue (django-tasks-db's admin)
    # A real failed login, so the lockout tables (attempts, failure log) hold a row.
    Client().post(reverse("admin:login"), {"username": "samordnare", "password": "fel"})


def addable(model, user):
    """Whether the model's admin lets a superuser add rows (logs are read-only)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_answer_200(
    model, every_model_has_a_row, superuser_client, django_user_model
):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert superuser_client.get(reverse(f"{base}_changelist")).status_code == 200
    user = django_user_model.objects.get(username="root")
    # Logs (audit events, lockouts, devices) are written by the system, never added by hand.
    expected = 200 if addable(model, user) else 403
    assert superuser_client.get(reverse(f"{base}_add")).status_code == expected
    obj = model._default_manager.first()
    assert obj is not None, f"no {opts.label} row to open"
    assert superuser_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200
    if hasattr(model, "history"):
        assert superuser_client.get(reverse(f"{base}_history", args=[obj.pk])).status_code == 200


def test_admin_lists_the_three_katrineholm_periods(katrineholm, superuser_client):
    response = superuser_client.get(reverse("admin:promises_promiseperiod_changelist"))
    page = response.content.decode()
    for title in [
        "Lokala medborgarlöften i Katrineholms kommun år 2018",
        "Medborgarlöfte 2020",
        "Medborgarlöfte 2022–2023",
    ]:
        assert title in page
