"""The period admin's document actions: generate the PDFs, sign as the police or as the
municipality, and show how far the agreement is signed."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext, gettext_lazy as _

from municipalities.permissions import PUBLISH_ROLES, CONTENT_ROLES, POLICE_ROLES
from promises.documents import services as documents
from promises.documents.storage import STATE_RANK
from promises.models import Document, SigningParty

DOCUMENT_ROLES = CONTENT_ROLES | PUBLISH_ROLES | POLICE_ROLES


def latest_agreement_state():
    """The state of the newest agreement version, most-signed first, for one period row."""
    rank = Case(
        *[When(state=state, then=Value(rank)) for state, rank in STATE_RANK.items()],
        output_field=IntegerField(),
    )
    return Subquery(
        Document.objects.filter(period=OuterRef("pk"), kind=Document.Kind.AGREEMENT)
        .annotate(rank=rank)
        .order_by("-version", "-rank")
        .values("state")[:1]
    )


class DocumentActionsMixin:
    """Mixed into PromisePeriodAdmin (a ScopedAdmin)."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agreement_state=latest_agreement_state())

    @admin.display(description=_("agreement"), ordering="agreement_state")
    def signature_state(self, obj):
        state = getattr(obj, "agreement_state", None)
        if state is None:
            return gettext("no PDF yet")
        return {
            Document.State.UNSIGNED: gettext("unsigned"),
            Document.State.SIGNED_BY_POLICE: gettext("signed by the police"),
            Document.State.SIGNED_BY_BOTH: gettext("signed by both"),
        }[state]

    def has_generate_pdf_permission(self, request):
        return self.access(request).has_role(DOCUMENT_ROLES)

    def has_sign_police_permission(self, request):
        return self.access(request).has_role({"police", "publisher"})

    def has_sign_municipality_permission(self, request):
        return self.access(request).has_role({"coordinator", "publisher"})

    @admin.action(description=_("Generate PDF"), permissions=["generate_pdf"])
    def generate_pdf(self, request, queryset):
        access = self.access(request)
        for period in queryset:
            allowed = self.in_scope(request, period, "edit") or self.in_scope(
                request, period, "publish"
            ) or any(documents.may_sign(access, period, party=p) for p in SigningParty)
            if not allowed:
                self.message_user(
                    request,
                    gettext("“%(period)s” is outside your responsibility.") % {
                        "period": period.title},
                    messages.WARNING,
                )
                continue
            agreement = documents.generate_agreement(period, by=request.user)
            self.message_user(
                request,
                gettext("“%(period)s”: agreement version %(version)s made.")
                % {"period": period.title, "version": agreement.version},
                messages.SUCCESS,
            )

    def sign(self, request, queryset, party):
        access = self.access(request)
        for period in queryset:
            if not documents.may_sign(access, period, party=party):
                self.message_user(
                    request,
                    gettext("You may not sign “%(period)s” for %(party)s.") % {
                        "period": period.title, "party": SigningParty(party).label},
                    messages.WARNING,
                )
                continue
            try:
                document = documents.sign_agreement(period, party=party, by=request.user)
            except documents.DocumentError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("“%(period)s” version %(version)s: %(state)s.") % {
                    "period": period.title, "version": document.version,
                    "state": document.get_state_display()},
                messages.SUCCESS,
            )

    @admin.action(description=_("Sign as the police"), permissions=["sign_police"])
    def sign_as_police(self, request, queryset):
        self.sign(request, queryset, SigningParty.POLICE)

    @admin.action(description=_("Sign as the municipality"), permissions=["sign_municipality"])
    def sign_as_municipality(self, request, queryset):
        self.sign(request, queryset, SigningParty.MUNICIPALITY)
