"""Every admin changelist, add page and change page answers 200 to a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from followup.models import Measurement
from promises.models import Indicator

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def every_model_has_a_row(katrineholm):
    from django.contrib.auth.models import Group

    Group.objects.create(name="Samordnare")
    katrineholm[2022].priorities.create(order=1, text="Tryggare centrum")
    indicator = Indicator.objects.create(
        promise=katrineholm[2022].promises.first(), name="Antal trygghetsvandringar",
        unit="st", target_value=4,
    )
    Measurement.objects.create(indicator=indicator, year=2022, tertial=1, value=2)
    from django.contrib.auth.models import User

    from municipalities.models import Membership

    Membership.objects.create(
        user=User.objects.create_user("samordnare"), role="coordinator",
        municipality=katrineholm[2022].municipality,
    )


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_answer_200(model, every_model_has_a_row, superuser_client):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert superuser_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"{base}_add")).status_code == 200
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
