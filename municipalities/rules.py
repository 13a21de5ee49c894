"""Who acts where: the membership predicates every app's rules.py builds on, and the same
memberships as queryset filters, so a list and a single object are judged alike.

A membership names a role and a municipality or a police area (a national administrator's
names neither). It covers an object when the object's scope (`obj.scope()`, a Scope of
municipality and police-area ids) contains that municipality or police area.
"""

import rules
from django.apps import apps
from django.db import models
from django.db.models import Q

from municipalities.roles import (
    ANY_ROLE, EDITORS, LEADS, POLICE_EDITORS, PUBLISHERS, SIGNERS, Role, Scope,
)



def membership_rows(user):
    """(role, municipality id, police area id) of each of the user's memberships, read once
    per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    rows = getattr(user, "_membership_rows", None)
    if rows is None:
        membership = apps.get_model("municipalities", "Membership")
        rows = tuple(
            membership.objects.filter(user=user).values_list(
                "role", "municipality_id", "police_area_id"
            )
        )
        user._membership_rows = rows
    return rows


def forget_memberships(user):
    """After granting or revoking in the same request."""
    user.__dict__.pop("_membership_rows", None)


def is_national(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(
        role == Role.NATIONAL_ADMIN for role, _m, _a in membership_rows(user)
    )


def roles_over(user, scope):
    """The roles the user holds over `scope` (a Scope); every role for a national admin."""
    if is_national(user):
        return set(Role)
    return {
        Role(role) for role, municipality, area in membership_rows(user)
        if (municipality and municipality in scope.municipalities)
        or (area and area in scope.police_areas)
    }


def holds_any(user, roles):
    """Whether the user holds one of `roles` anywhere (or is a national admin)."""
    return is_national(user) or any(role in roles for role, _m, _a in membership_rows(user))


def places(user, roles):
    """(municipality ids, police area ids) where the user holds one of `roles`."""
    rows = [row for row in membership_rows(user) if row[0] in roles]
    return (
        frozenset(m for _r, m, _a in rows if m),
        frozenset(a for _r, _m, a in rows if a),
    )


def scope_of(obj):
    return obj.scope() if obj is not None else Scope()


def role_predicate(roles, name):
    """A predicate: with an object, whether the user holds one of `roles` over it; without
    one, whether they hold one anywhere (may they use this kind of thing at all)."""

    @rules.predicate(name=name)
    def predicate(user, obj=None):
        if obj is None:
            return holds_any(user, roles)
        return bool(roles_over(user, scope_of(obj)) & roles)

    return predicate


is_national_admin = rules.predicate(is_national, name="is_national_admin")
is_member = role_predicate(ANY_ROLE, "is_member")
is_editor = role_predicate(EDITORS, "is_editor")
is_police_editor = role_predicate(POLICE_EDITORS, "is_police_editor")
is_publisher = role_predicate(PUBLISHERS, "is_publisher")
is_signer = role_predicate(SIGNERS, "is_signer")
is_lead = role_predicate(LEADS, "is_lead")


def scope_q(user, roles, paths):
    """A filter matching rows whose scope some membership with one of `roles` covers.

    `paths` are (municipalities, police area) lookup paths from the filtered model to the
    municipalities (one or many) and the police area of what it belongs to; several pairs
    when it may belong to one thing or another. None means every row (a national
    administrator): callers use `filter_scope`, because `Q() | x` drops the empty side.
    """
    if is_national(user):
        return None
    municipality_ids, area_ids = places(user, roles)
    q = Q(pk__in=[])
    for municipalities, police_area in paths:
        if municipality_ids:
            q |= Q(**{f"{municipalities}__in": municipality_ids})
        if area_ids and police_area:
            q |= Q(**{f"{police_area}__in": area_ids})
    return q


def filter_scope(queryset, q):
    """Apply a scope_q result; many-to-many paths may repeat rows, so keep them distinct."""
    if q is None:
        return queryset
    return queryset.filter(pk__in=queryset.model._base_manager.filter(q).values("pk"))


class ScopedQuerySet(models.QuerySet):
    """Rows judged by the memberships covering what they belong to (`scope_paths`)."""

    scope_paths = (("municipalities", "police_area"),)

    def for_roles(self, user, roles):
        return filter_scope(self, scope_q(user, roles, self.scope_paths))

    def readable_by(self, user):
        """What the user may read in the admin, whatever their role there."""
        return self.for_roles(user, ANY_ROLE)

    def editable_by(self, user):
        return self.for_roles(user, EDITORS)


class PoliceAreaQuerySet(ScopedQuerySet):
    """Police areas, judged by the municipalities they serve and by themselves."""

    scope_paths = (("municipalities", "pk"),)


# Reference data and memberships.
rules.add_perm("municipalities.view_municipality", rules.is_authenticated & rules.is_staff)
rules.add_perm("municipalities.view_county", rules.is_authenticated & rules.is_staff)
rules.add_perm("municipalities.view_policeregion", rules.is_authenticated & rules.is_staff)
for action in ("add", "change", "delete", "revert"):
    for model in ("municipality", "county", "policeregion", "auditevent"):
        rules.add_perm(f"municipalities.{action}_{model}", is_national_admin)
rules.add_perm("municipalities.view_auditevent", is_national_admin)
# Police areas: every member looks them up; an editor creates the one that serves their
# municipality and changes the areas that serve it; merging is national.
rules.add_perm("municipalities.view_policearea", is_national_admin | is_member)
rules.add_perm("municipalities.add_policearea", is_national_admin | is_editor)
rules.add_perm("municipalities.change_policearea", is_national_admin | is_editor)
rules.add_perm("municipalities.delete_policearea", is_national_admin)
rules.add_perm("municipalities.revert_policearea", is_national_admin | is_editor)
rules.add_perm("municipalities.merge_policearea", is_national_admin)
# Memberships: national administrators everywhere; a lead coordinator in their own
# municipality (inviting and removing colleagues).
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"municipalities.{action}_membership", is_national_admin | is_lead)
# An old version may name another place or role: only national administrators restore one.
rules.add_perm("municipalities.revert_membership", is_national_admin)
