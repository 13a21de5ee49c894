"""Publishing in the admin: the approve, publish and unpublish actions of periods,
agreements and tertial reports, which only call the publishing services
(promises/publishing.py), and who has approved what (promises/approval.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from municipalities.admin_rules import apply_to_permitted, perm
from promises.approval import Side, current_approvals, requires_both_parties
from promises.publishing import approve, publish, unpublish

PUBLISH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for unpublishing"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Kept with it, shown in its history and to citizens who "
                               "follow the old address."),
    )


def run_service(modeladmin, request, queryset, service, done, action="publish"):
    """Call `service(obj, by=…, request=…)` for each row the user may `action` (publish or
    approve); `done(rows)` is the message after it succeeded for `rows` (as the service
    returned them)."""
    errors, succeeded = [], []

    def call(obj):
        try:
            succeeded.append(service(obj, by=request.user, request=request))
        except ValidationError as error:
            errors.extend(error.messages)

    apply_to_permitted(modeladmin, request, queryset, perm(modeladmin.model, action), call)
    for error in errors:
        modeladmin.message_user(request, error, messages.WARNING)
    if succeeded:
        modeladmin.message_user(request, done(succeeded), messages.SUCCESS)


def when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class PublishingActionsMixin:
    """Publish and unpublish (with a reason) as admin actions, for users the rules allow.
    Where both parties approve (periods, tertial reports; PORTAL_DUAL_APPROVAL), "Approve
    for publication" takes the place of "Publish"; either party unpublishes alone."""

    def has_publish_permission(self, request, obj=None):
        return not requires_both_parties(self.model) and request.user.has_perm(
            perm(self.model, "publish"), obj
        )

    def has_unpublish_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "publish"), obj)

    def has_approve_permission(self, request, obj=None):
        return requires_both_parties(self.model) and request.user.has_perm(
            perm(self.model, "approve"), obj
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if getattr(self.model, "approved_by_both_parties", False):
            queryset = queryset.prefetch_related("approvals")
        return queryset

    @admin.display(description=gettext_lazy("approved by"))
    def approval_state(self, obj):
        """The list column: which parties have approved the row as it stands."""
        if obj.is_published or not requires_both_parties(obj):
            return "–"
        approved = {approval.side for approval in current_approvals(obj)}
        return ", ".join(
            f"{side.label} {'✓' if side in approved else '–'}" for side in Side
        )

    @admin.display(description=gettext_lazy("approvals"))
    def approvals_given(self, obj):
        """The change page: every approval of the row, and whether it counts for the row
        as it stands."""
        if obj is None or obj.pk is None:
            return "–"
        approvals = list(obj.approvals.all())
        rows = [
            (_("%(party)s: %(user)s (%(when)s, version %(version)s) – %(state)s") % {
                "party": approval.get_side_display(), "user": approval.username,
                "when": when(approval.approved_at), "version": approval.version,
                "state": _("counts") if approval.counts_for(obj) else _("no longer counts"),
            },)
            for approval in approvals
        ]
        lines = format_html_join("", "<li>{}</li>", rows) if rows else format_html(
            "<li>{}</li>", _("No approvals yet.")
        )
        waiting = []
        if not obj.is_published and requires_both_parties(obj):
            approved = {approval.side for approval in current_approvals(obj)}
            waiting = [str(side.label) for side in Side if side not in approved]
        note = format_html(
            "<p>{}</p>", _("Waiting for the approval of: %(parties)s.")
            % {"parties": ", ".join(waiting)}
        ) if waiting else ""
        return format_html("<ul>{}</ul>{}", lines, note)

    @admin.action(description=gettext_lazy("Approve for publication"), permissions=["approve"],
                  location=PUBLISH_LOCATIONS)
    def approve_selected(self, request, queryset):
        def approved(rows):
            published = sum(row.is_published for row in rows)
            waiting = len(rows) - published
            parts = []
            if published:
                parts.append(ngettext(
                    "Approved and published %(count)s: both parties have approved it.",
                    "Approved and published %(count)s: both parties have approved them.",
                    published,
                ) % {"count": published})
            if waiting:
                parts.append(ngettext(
                    "Approved %(count)s: it is published when the other party has approved "
                    "it too, and its publishers have been told.",
                    "Approved %(count)s: they are published when the other party has "
                    "approved them too, and its publishers have been told.",
                    waiting,
                ) % {"count": waiting})
            return " ".join(parts)

        run_service(self, request, queryset, approve, approved, action="approve")

    @admin.action(description=gettext_lazy("Publish"), permissions=["publish"],
                  location=PUBLISH_LOCATIONS)
    def publish_selected(self, request, queryset):
        run_service(self, request, queryset, publish, lambda rows: ngettext(
            "Published %(count)s.", "Published %(count)s.", len(rows)) % {"count": len(rows)})

    @admin.action(description=gettext_lazy("Unpublish (asks for a reason)"),
                  permissions=["unpublish"], location=PUBLISH_LOCATIONS)
    def unpublish_selected(self, request, queryset):
        form = ReasonForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service(
                self, request, queryset,
                lambda obj, **kwargs: unpublish(obj, reason=reason, **kwargs),
                lambda rows: ngettext(
                    "Unpublished %(count)s.", "Unpublished %(count)s.", len(rows)
                ) % {"count": len(rows)},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Unpublish %(things)s") % {"things": self.model._meta.verbose_name_plural},
            "opts": self.model._meta,
            "objects": list(queryset),
            "form": form,
            "action": "unpublish_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/unpublish_confirmation.html", context,
            status=400 if form.is_bound else 200,
        )
