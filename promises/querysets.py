"""Reusable filters for promise periods: what is public, what is current, and what a
given user may read or change. The admin, public views, feeds and exports all use these."""

import datetime

from django.db import models
from django.db.models import Q


def scoped_q(user, *, prefix="", roles=None):
    """A Q over PromisePeriod (through `prefix`) matching the user's memberships.

    `roles` limits which membership roles count (None: any role). A superuser or a
    national administrator matches everything.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    # Not an empty Q(): `Q(...) | Q()` drops the empty side, so it would match nothing more.
    everything = Q(**{f"{prefix}pk__isnull": False})
    if user.is_superuser:
        return everything
    memberships = list(user.memberships.values_list("role", "municipality_id", "police_area_id"))
    if any(role == "admin" for role, _, _ in memberships):
        return everything
    municipalities = {m for role, m, _ in memberships if m and (roles is None or role in roles)}
    areas = {a for role, _, a in memberships if a and (roles is None or role in roles)}
    return Q(**{f"{prefix}municipality_id__in": municipalities}) | Q(
        **{f"{prefix}police_area_id__in": areas}
    )


class PromisePeriodQuerySet(models.QuerySet):
    def published(self):
        """Public periods: published, and archived ones that stay online for good."""
        return self.filter(status__in=["published", "archived"])

    def drafts(self):
        return self.filter(status="draft")

    def current(self, today=None):
        today = today or datetime.date.today()
        return self.filter(valid_from__lte=today, valid_to__gte=today)

    def for_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def readable_by(self, user):
        """Every period the user may read in the admin, drafts included."""
        return self.filter(scoped_q(user))

    def visible_to(self, user):
        """What a page may show this user: the public periods, plus drafts they may read."""
        return self.filter(Q(status__in=["published", "archived"]) | scoped_q(user))

    def editable_by(self, user):
        """Periods whose content the user may change (coordinators, national admins)."""
        from municipalities.permissions import Access, filter_queryset

        return filter_queryset(self, Access(user).content_q())

    def publishable_by(self, user):
        """Periods the user may publish and unpublish (publishers, national admins)."""
        from municipalities.permissions import Access, filter_queryset

        return filter_queryset(self, Access(user).publish_q())
