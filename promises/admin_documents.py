"""Documents on a period's or agreement's own admin page: how far the newest version is
signed, a warning when the text being edited is in a signed document, and the buttons to
make a new version and to sign — each offered only to those the rules allow."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from municipalities.admin_rules import perm
from promises.documents import services
from promises.documents.storage import newest_state, owner_fields
from promises.models import Document, Signatory
from promises.rules import may_sign


def newest_signature_count(kind, owner_field):
    return Subquery(
        Document.objects.filter(kind=kind, **{owner_field: OuterRef("pk")})
        .order_by("-version", "-signature_count").values("signature_count")[:1]
    )


class DocumentAdminMixin:
    """Mixed into the period and agreement admins."""

    def get_queryset(self, request):
        fields, kind = owner_fields(self.model())
        owner_field = next(iter(fields))
        return super().get_queryset(request).annotate(
            newest_signatures=newest_signature_count(kind, owner_field),
        )

    @admin.display(description=gettext_lazy("document"), ordering="newest_signatures")
    def document_state(self, obj):
        count = getattr(obj, "newest_signatures", None)
        if count is None:
            return _("no PDF yet")
        if count == 0:
            return _("unsigned")
        return ngettext("%(count)s signature", "%(count)s signatures", count) % {"count": count}

    def has_generate_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "generate"), obj)

    @admin.action(description=gettext_lazy("Make a new PDF version"), permissions=["generate"])
    def generate_documents(self, request, queryset):
        for owner in queryset:
            if not self.has_generate_permission(request, owner):
                self.message_user(request, _("“%(title)s” is outside your responsibility.")
                                  % {"title": owner.title}, messages.WARNING)
                continue
            document = services.generate_document(owner, by=request.user)
            self.message_user(request, _("“%(title)s”: version %(version)s made.")
                              % {"title": owner.title, "version": document.version},
                              messages.SUCCESS)

    def get_urls(self):
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/document/", view(self.make_document_view),
                 name=f"{name}_make_document"),
            path("<int:pk>/sign/<int:signatory_pk>/", view(self.sign_view),
                 name=f"{name}_sign"),
            *super().get_urls(),
        ]

    def owner_or_404(self, request, pk):
        owner = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, owner):
            raise Http404
        return owner

    def change_url(self, owner):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[owner.pk])

    def make_document_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        owner = self.owner_or_404(request, pk)
        if not self.has_generate_permission(request, owner):
            return self.refuse(request, owner)
        document = services.generate_document(owner, by=request.user)
        self.message_user(request, _("Version %(version)s made.") % {
            "version": document.version}, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(owner))

    def sign_view(self, request, pk, signatory_pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        owner = self.owner_or_404(request, pk)
        signatory = get_object_or_404(
            Signatory.objects.filter(**owner_fields(owner)[0]), pk=signatory_pk
        )
        if not may_sign(request.user, signatory):
            return self.refuse(request, owner)
        try:
            document = services.sign_document(
                owner, signatory=signatory, by=request.user, request=request
            )
        except services.DocumentError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, _(
                "Signed for %(name)s: version %(version)s now carries %(count)s signatures."
            ) % {"name": signatory.name, "version": document.version,
                 "count": document.signature_count}, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(owner))

    def refuse(self, request, owner):
        raise PermissionDenied(_("You may not do this for “%(title)s”.") % {
            "title": owner.title})

    def document_panel(self, request, owner):
        """What the change page shows of the owner's document."""
        state = newest_state(owner)
        signed = set(state.signed) if state else set()
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        return {
            "state": state,
            "may_generate": self.has_generate_permission(request, owner),
            "make_url": reverse(f"{name}_make_document", args=[owner.pk]),
            "signatories": [
                {
                    "signatory": signatory,
                    "has_signed": signatory in signed,
                    "may_sign": may_sign(request.user, signatory),
                    "sign_url": reverse(f"{name}_sign", args=[owner.pk, signatory.pk]),
                }
                for signatory in owner.signatories.all()
            ],
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        owner = self.get_object(request, object_id) if str(object_id).isdigit() else None
        extra_context = dict(extra_context or {})
        if owner is not None:
            panel = self.document_panel(request, owner)
            extra_context["document_panel"] = panel
            state = panel["state"]
            if request.method == "GET" and state and state.signed and not state.superseded:
                messages.warning(request, _(
                    "This text is in version %(version)s of the document, which carries "
                    "signatures. Saving a change to it supersedes that version: a new one "
                    "must then be made and signed."
                ) % {"version": state.version})
        return super().change_view(request, object_id, form_url, extra_context)
