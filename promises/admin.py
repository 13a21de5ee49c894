"""The coordinators' admin for promise periods and what they hold. Every class is scoped
by the user's memberships (municipalities/admin_scope.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from municipalities.admin_scope import (
    ScopedAdmin, ScopedInlineMixin, apply_to_permitted, scoped_choices,
)
from promises.models import (
    Activity, FocusArea, Indicator, Priority, Promise, PromisePeriod, Signatory,
)
from promises.document_admin import DocumentActionsMixin
from promises.services import publish_period, unpublish_period
from promises.versioning import VersionedModelForm

PUBLISH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unpublishing"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with the period and shown in its history."),
    )


def confirm_unpublish(modeladmin, request, queryset, *, action, service, title):
    """The intermediate page that asks for a reason, then unpublishes what is permitted."""
    form = ReasonForm(request.POST if request.POST.get("confirm") == "yes" else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        run_service(
            modeladmin, request, queryset,
            lambda obj, **kwargs: service(obj, reason=reason, **kwargs),
            gettext("Unpublished %(count)s."),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "objects": list(queryset),
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_prefix": request.POST.get("action_prefix", ""),
    }
    return TemplateResponse(
        request, "admin/unpublish_confirmation.html", context,
        status=400 if form.is_bound else 200,
    )


def run_service(modeladmin, request, queryset, service, done_message):
    errors = []

    def call(obj):
        try:
            service(obj, by=request.user, request=request)
        except ValidationError as error:
            errors.extend(error.messages)
            return
        call.count += 1

    call.count = 0
    apply_to_permitted(modeladmin, request, queryset, "publish", call)
    for error in errors:
        modeladmin.message_user(request, error, messages.WARNING)
    if call.count:
        modeladmin.message_user(request, done_message % {"count": call.count}, messages.SUCCESS)


class PriorityInline(ScopedInlineMixin, admin.TabularInline):
    model = Priority
    extra = 0


class FocusAreaInline(ScopedInlineMixin, admin.StackedInline):
    model = FocusArea
    extra = 0


class SignatoryInline(ScopedInlineMixin, admin.TabularInline):
    model = Signatory
    extra = 0


class PromiseInline(ScopedInlineMixin, admin.StackedInline):
    model = Promise
    extra = 0
    fields = ["order", "party", "text", "focus_areas", "followup_method"]
    show_change_link = True
    filter_horizontal = ["focus_areas"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "focus_areas":
            parent = getattr(request, "_inline_parent", None)
            kwargs["queryset"] = FocusArea.objects.filter(period=parent) if parent else (
                FocusArea.objects.none()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PromisePeriodForm(VersionedModelForm):
    class Meta:
        model = PromisePeriod
        fields = "__all__"


@admin.register(PromisePeriod)
class PromisePeriodAdmin(DocumentActionsMixin, ScopedAdmin):
    form = PromisePeriodForm
    period_path = ""
    list_display = [
        "title", "municipality", "police_area", "valid_from", "valid_to", "status",
        "published_at", "promise_count", "followup_link", "signature_state",
    ]
    list_filter = ["status", "municipality__county", "valid_from"]
    list_select_related = ["municipality", "police_area"]
    search_fields = ["title", "municipality__name", "police_area__name"]
    date_hierarchy = "valid_from"
    ordering = ["municipality__name", "-valid_from"]
    autocomplete_fields = ["municipality", "police_area"]
    # Publishing goes through the actions, so it is audited and never half-done.
    readonly_fields = [
        "status", "published_at", "unpublished_reason", "created_at", "updated_at",
    ]
    inlines = [PriorityInline, FocusAreaInline, SignatoryInline, PromiseInline]
    actions = [
        "publish_periods", "unpublish_periods", "generate_pdf", "sign_as_police",
        "sign_as_municipality",
    ]
    fieldsets = [
        (None, {"fields": [
            "municipality", "police_area", "title", ("valid_from", "valid_to"),
        ]}),
        (_("Publishing"), {"fields": [
            "status", "published_at", "unpublished_reason", "created_at", "updated_at",
        ]}),
        (_("The document"), {"fields": [
            "introduction", "situation", "citizen_experience", "effects",
            "followup_description",
        ]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(promise_total=Count("promises"))

    @admin.display(description=_("promises"), ordering="promise_total")
    def promise_count(self, obj):
        return obj.promise_total

    @admin.display(description=_("follow-up"))
    def followup_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:followup_tertial_default", args=[obj.pk]),
            gettext("Tertial follow-up"),
        )

    def has_delete_permission(self, request, obj=None):
        # A published period is taken down by unpublishing, which keeps a reason.
        if obj is not None and obj.is_published and not self.access(request).is_national:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "tertial_url": reverse("admin:followup_tertial_default", args=[object_id])
            if str(object_id).isdigit() else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=_("Publish the selected periods"), permissions=["publish"],
        location=PUBLISH_LOCATIONS,
    )
    def publish_periods(self, request, queryset):
        run_service(self, request, queryset, publish_period, gettext("Published %(count)s."))

    @admin.action(
        description=_("Unpublish the selected periods (asks for a reason)"),
        permissions=["publish"], location=PUBLISH_LOCATIONS,
    )
    def unpublish_periods(self, request, queryset):
        return confirm_unpublish(
            self, request, queryset, action="unpublish_periods", service=unpublish_period,
            title=gettext("Unpublish citizen promise periods"),
        )


class ActivityInline(ScopedInlineMixin, admin.StackedInline):
    model = Activity
    extra = 0
    fields = [
        "order", "text", "responsible_party", ("target_value", "target_unit"), "target_text",
    ]


class IndicatorInline(ScopedInlineMixin, admin.StackedInline):
    model = Indicator
    extra = 0
    fields = [
        "order", "name", "unit", ("target_value", "target_text"), "reporting_party",
    ]


class PromiseForm(VersionedModelForm):
    class Meta:
        model = Promise
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        period, areas = cleaned.get("period"), cleaned.get("focus_areas")
        if period is not None and areas:
            foreign = [area.name for area in areas if area.period_id != period.pk]
            if foreign:
                self.add_error("focus_areas", gettext(
                    "These focus areas belong to another period: %(names)s."
                ) % {"names": ", ".join(foreign)})
        return cleaned


@admin.register(Promise)
class PromiseAdmin(ScopedAdmin):
    form = PromiseForm
    period_path = "period__"
    list_display = ["short_text", "party", "period", "order"]
    list_filter = ["party", "period__status", "period__municipality__county"]
    list_select_related = ["period", "period__municipality"]
    search_fields = ["text", "period__title", "period__municipality__name"]
    autocomplete_fields = ["period"]
    filter_horizontal = ["focus_areas"]
    ordering = ["period", "order"]
    inlines = [ActivityInline, IndicatorInline]
    fields = ["period", "order", "party", "text", "focus_areas", "followup_method"]

    def get_form(self, request, obj=None, **kwargs):
        request._promise_being_edited = obj
        return super().get_form(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "focus_areas":
            obj = getattr(request, "_promise_being_edited", None)
            queryset = FocusArea.objects.filter(period_id=obj.period_id) if obj else None
            kwargs["queryset"] = scoped_choices(request, FocusArea, queryset)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("promise"), ordering="text")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    period_path = "promise__period__"
    list_display = ["short_text", "responsible_party", "promise", "target_value", "target_unit"]
    list_filter = ["responsible_party", "promise__period__municipality__county"]
    list_select_related = ["promise"]
    search_fields = ["text", "promise__text", "promise__period__municipality__name"]
    autocomplete_fields = ["promise"]

    @admin.display(description=_("activity"), ordering="text")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    period_path = "promise__period__"
    list_display = ["name", "unit", "target_value", "reporting_party", "promise"]
    list_filter = ["reporting_party"]
    list_select_related = ["promise"]
    search_fields = ["name", "promise__text", "promise__period__municipality__name"]
    autocomplete_fields = ["promise"]


@admin.register(FocusArea)
class FocusAreaAdmin(ScopedAdmin):
    period_path = "period__"
    list_display = ["name", "period", "order"]
    list_select_related = ["period", "period__municipality"]
    search_fields = ["name", "period__title", "period__municipality__name"]
    autocomplete_fields = ["period"]


@admin.register(Signatory)
class SignatoryAdmin(ScopedAdmin):
    period_path = "period__"
    list_display = ["name", "title", "party", "period"]
    list_filter = ["party"]
    list_select_related = ["period", "period__municipality"]
    search_fields = ["name", "title", "period__title"]
    autocomplete_fields = ["period"]


@admin.register(Priority)
class PriorityAdmin(ScopedAdmin):
    period_path = "period__"
    list_display = ["text", "order", "period"]
    list_select_related = ["period", "period__municipality"]
    search_fields = ["text", "period__title"]
    autocomplete_fields = ["period"]
