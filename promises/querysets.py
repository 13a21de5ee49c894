"""Reusable filters: what is public, what is current, and what a user may read or change
(through the membership rules in municipalities/rules.py). The admin, public views, feeds
and exports all use these."""

from django.db.models import Q
from django.utils import timezone

from municipalities.rules import ANY_ROLE, ScopedQuerySet, scope_q


class PublishableQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(status="published")

    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(valid_from__lte=today, valid_to__gte=today)

    def for_municipality(self, municipality):
        return self.filter(municipalities=municipality)

    def visible_to(self, user):
        """What a page may show this user: the published rows, and drafts they may read."""
        if not user.is_authenticated:
            return self.published()  # the public's question, asked on every public page
        q = scope_q(user, ANY_ROLE, self.scope_paths)
        if q is None:
            return self
        readable = self.model._base_manager.filter(q).values("pk")
        return self.filter(Q(status="published") | Q(pk__in=readable))


class AgreementQuerySet(PublishableQuerySet):
    pass


class PromisePeriodQuerySet(PublishableQuerySet):
    pass


class AgreementChildQuerySet(ScopedQuerySet):
    scope_paths = (("agreement__municipalities", "agreement__police_area"),)


class PeriodChildQuerySet(ScopedQuerySet):
    scope_paths = (("period__municipalities", "period__police_area"),)


class OwnedQuerySet(ScopedQuerySet):
    """Rows of a period or of an agreement (focus areas, signatories)."""

    scope_paths = (
        ("period__municipalities", "period__police_area"),
        ("agreement__municipalities", "agreement__police_area"),
    )


class PromiseChildQuerySet(ScopedQuerySet):
    scope_paths = (("promise__period__municipalities", "promise__period__police_area"),)


class DocumentQuerySet(OwnedQuerySet):
    pass

