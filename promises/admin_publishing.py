"""Publishing in the admin: the publish and unpublish actions of periods, agreements and
tertial reports, which only call the publishing services (promises/publishing.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from municipalities.admin_rules import apply_to_permitted, perm
from promises.publishing import publish, unpublish

PUBLISH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for unpublishing"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Kept with it, shown in its history and to citizens who "
                               "follow the old address."),
    )


def run_service(modeladmin, request, queryset, service, done):
    """Call `service(obj, by=…, request=…)` for each row the user may publish; `done(n)` is
    the message after n succeeded."""
    errors = []

    def call(obj):
        try:
            service(obj, by=request.user, request=request)
        except ValidationError as error:
            errors.extend(error.messages)
            return
        call.count += 1

    call.count = 0
    apply_to_permitted(modeladmin, request, queryset, perm(modeladmin.model, "publish"), call)
    for error in errors:
        modeladmin.message_user(request, error, messages.WARNING)
    if call.count:
        modeladmin.message_user(request, done(call.count), messages.SUCCESS)


class PublishingActionsMixin:
    """Publish and unpublish (with a reason) as admin actions, for users the rules allow."""

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "publish"), obj)

    @admin.action(description=gettext_lazy("Publish"), permissions=["publish"],
                  location=PUBLISH_LOCATIONS)
    def publish_selected(self, request, queryset):
        run_service(self, request, queryset, publish, lambda n: ngettext(
            "Published %(count)s.", "Published %(count)s.", n) % {"count": n})

    @admin.action(description=gettext_lazy("Unpublish (asks for a reason)"),
                  permissions=["publish"], location=PUBLISH_LOCATIONS)
    def unpublish_selected(self, request, queryset):
        form = ReasonForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service(
                self, request, queryset,
                lambda obj, **kwargs: unpublish(obj, reason=reason, **kwargs),
                lambda n: ngettext("Unpublished %(count)s.", "Unpublished %(count)s.", n)
                % {"count": n},
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
