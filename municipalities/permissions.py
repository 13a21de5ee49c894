"""Who may do what where: the roles a user holds through their memberships, turned into
querysets filters. The admin, the tertial screen, services and commands all ask here.

Scope rules (every membership names a municipality or a police area; a period is in a
membership's scope when its municipality or its police area is the one named):
- national administrator (superuser, or a membership with role "admin"): everything;
- coordinator: edits the content and follow-up of the periods in scope;
- police coordinator: edits follow-ups and measurements of police and joint promises in
  the periods in scope (a police membership may name a municipality: then it covers that
  municipality's periods);
- publisher: publishes and unpublishes the periods and tertial reports in scope;
- reviewer: reads.
Every role reads the periods in its scope.
"""

from django.db.models import Q

from municipalities.models import Membership, Municipality, PoliceArea, Role

CONTENT_ROLES = frozenset({Role.COORDINATOR})
POLICE_ROLES = frozenset({Role.POLICE})
PUBLISH_ROLES = frozenset({Role.PUBLISHER})
POLICE_PARTIES = ("police", "joint")


class Access:
    """One user's memberships, read once, answering scope questions as Q objects.

    `None` from a *_q method means "no restriction" (a national administrator); callers
    use `filter_queryset` rather than combining those with `|`, because `Q() | x == x`.
    """

    def __init__(self, user):
        self.user = user
        self.memberships = []
        self.is_national = False
        if user is None or not user.is_authenticated or not user.is_active:
            return
        self.memberships = list(
            Membership.objects.filter(user=user).values_list(
                "role", "municipality_id", "police_area_id"
            )
        )
        self.is_national = user.is_superuser or any(
            role == Role.NATIONAL_ADMIN for role, _m, _a in self.memberships
        )

    @classmethod
    def for_request(cls, request):
        """The request user's access, computed once per request."""
        access = getattr(request, "_access", None)
        if access is None or access.user is not request.user:
            access = cls(request.user)
            request._access = access
        return access

    def has_role(self, roles=None):
        if self.is_national:
            return True
        return any(roles is None or role in roles for role, _m, _a in self.memberships)

    def has_any_membership(self):
        return self.is_national or bool(self.memberships)

    def roles_for_period(self, period):
        """The roles the user holds over one period ({"admin"} for a national admin)."""
        if self.is_national:
            return {Role.NATIONAL_ADMIN.value}
        return {
            str(role) for role, municipality, area in self.memberships
            if (municipality and municipality == period.municipality_id)
            or (area and area == period.police_area_id)
        }

    def _period_q(self, prefix, roles):
        municipalities = {m for role, m, _a in self.memberships if m and role in roles}
        areas = {a for role, _m, a in self.memberships if a and role in roles}
        return Q(**{f"{prefix}municipality_id__in": municipalities}) | Q(
            **{f"{prefix}police_area_id__in": areas}
        )

    def read_q(self, prefix=""):
        """Periods (through `prefix`) the user may read."""
        if self.is_national:
            return None
        return self._period_q(prefix, {role for role, _m, _a in self.memberships})

    def content_q(self, prefix=""):
        """Periods whose content (text, promises, activities, indicators, reports) the user
        may edit."""
        if self.is_national:
            return None
        return self._period_q(prefix, CONTENT_ROLES)

    def publish_q(self, prefix=""):
        if self.is_national:
            return None
        return self._period_q(prefix, PUBLISH_ROLES)

    def followup_q(self, prefix="", party_path=None):
        """Rows whose follow-up the user may edit: coordinators all of their periods',
        police coordinators those of police and joint promises (party at `party_path`)."""
        if self.is_national:
            return None
        q = self._period_q(prefix, CONTENT_ROLES)
        if party_path is not None:
            q |= self._period_q(prefix, POLICE_ROLES) & Q(
                **{f"{party_path}__in": POLICE_PARTIES}
            )
        return q

    def police_only_q(self, prefix="", party_path="party"):
        """Rows a police coordinator may read on the tertial screen when they hold no other
        role there: police and joint promises only. None when the user sees all rows."""
        if self.is_national:
            return None
        others = {role for role, _m, _a in self.memberships} - POLICE_ROLES
        return self._period_q(prefix, others) | (
            self._period_q(prefix, POLICE_ROLES)
            & Q(**{f"{party_path}__in": POLICE_PARTIES})
        )

    def municipalities(self, roles=CONTENT_ROLES):
        """Municipalities the user may create periods for."""
        if self.is_national:
            return Municipality.objects.all()
        municipalities = {m for role, m, _a in self.memberships if m and role in roles}
        areas = {a for role, _m, a in self.memberships if a and role in roles}
        return Municipality.objects.filter(
            Q(pk__in=municipalities) | Q(police_areas__in=areas)
        ).distinct()

    def police_areas(self, roles=CONTENT_ROLES):
        if self.is_national:
            return PoliceArea.objects.all()
        municipalities = {m for role, m, _a in self.memberships if m and role in roles}
        areas = {a for role, _m, a in self.memberships if a and role in roles}
        return PoliceArea.objects.filter(
            Q(pk__in=areas) | Q(municipalities__in=municipalities)
        ).distinct()


def filter_queryset(queryset, q):
    """Apply a scope from Access (None means everything)."""
    return queryset if q is None else queryset.filter(q)
