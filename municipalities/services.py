"""Keeping police areas: which municipalities an area's periods rely on, and merging
duplicates (everything that names the others moves to the one kept)."""

from django.apps import apps
from django.db import transaction

from municipalities.audit import record_event
from municipalities.models import AuditEvent, Membership, PoliceArea


def models_naming_police_areas():
    """(model, field) for every foreign key to PoliceArea outside this app, found through
    the model registry so this app never imports the ones built on it."""
    for model in apps.get_models():
        if model._meta.app_label == "municipalities" or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if (
                getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)
            ) and field.concrete and field.related_model is PoliceArea:
                yield model, field.name


def municipalities_relied_on(area):
    """The municipalities served by `area` that a period or agreement with it also names."""
    relied = set()
    for model, name in models_naming_police_areas():
        if not hasattr(model, "municipalities"):
            continue
        for row in model._default_manager.filter(**{name: area}).prefetch_related(
            "municipalities"
        ):
            relied |= set(row.municipalities.all())
    return sorted(relied & set(area.municipalities.all()), key=lambda m: m.name)


@transaction.atomic
def merge_police_areas(keep, others, *, by=None, request=None):
    """Move every period, agreement, signing key and membership of `others` to `keep`,
    give `keep` their municipalities, and delete them. Returns what moved."""
    moved = {"periods": 0, "memberships": 0}
    for other in others:
        for model, name in models_naming_police_areas():
            if model._meta.get_field(name).one_to_one:
                # One signing key per area: the kept area's own wins.
                if not model._default_manager.filter(**{name: keep}).exists():
                    model._default_manager.filter(**{name: other}).update(**{name: keep})
                continue
            count = model._default_manager.filter(**{name: other}).update(**{name: keep})
            if model._meta.model_name == "promiseperiod":
                moved["periods"] += count
        for membership in Membership.objects.filter(police_area=other):
            if Membership.objects.filter(
                user=membership.user, role=membership.role, police_area=keep
            ).exists():
                membership.delete()
            else:
                membership.police_area = keep
                membership.save()
                moved["memberships"] += 1
        keep.municipalities.add(*other.municipalities.all())
        record_event(
            action=AuditEvent.Action.MERGED, user=by, obj=keep, request=request,
            merged=str(other), merged_pk=other.pk,
        )
        other.delete()
    return moved
