"""The coordinators' admin for agreements, promise periods and what they hold. Every class
asks the rules (promises/rules.py) and lists only what the user may read."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.admin_rules import (
    KeyCheckedMultipleChoiceField, RulesAdmin, RulesInlineMixin,
    TolerantAutocompleteSelectMultiple, VersionedModelForm,
)
from municipalities.models import Municipality, PoliceArea
from municipalities.rules import EDITORS, is_national, places
from promises import admin_keys  # noqa: F401  (registers the signing key admin)
from promises import services
from promises.admin_documents import DocumentAdminMixin
from promises.admin_publishing import PublishingActionsMixin
from promises.models import (
    Activity, Agreement, AgreementSection, FocusArea, Indicator, Priority, Promise,
    PromisePeriod, Signatory,
)

TARGET_FIELDS = [
    ("target_comparison", "target_value", "target_value_max", "target_unit"),
    ("target_span", "target_measure", "target_direction"),
    "target_text",
]


def municipalities_for(user):
    """The municipalities a user may name as parties: their own, and the neighbours their
    police areas also serve (a joint medborgarlöfte)."""
    if is_national(user):
        return Municipality.objects.all()
    own, areas = places(user, EDITORS)
    served_with = PoliceArea.objects.filter(municipalities__in=own).values("pk")
    return Municipality.objects.filter(
        pk__in=Municipality.objects.filter(pk__in=own).values("pk")
        .union(Municipality.objects.filter(police_areas__in=served_with).values("pk"))
        .union(Municipality.objects.filter(police_areas__in=areas).values("pk"))
    )


class UndertakingForm(VersionedModelForm):
    """A period's or agreement's form: its municipalities are checked with it (they are
    saved after the row itself)."""

    municipalities_field = "municipalities"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def chosen_municipalities(self):
        return list(self.cleaned_data.get(self.municipalities_field) or [])

    def clean(self):
        cleaned = super().clean()
        chosen = self.chosen_municipalities()
        if not is_national(self.user):
            own, _areas = places(self.user, EDITORS)
            if chosen and not own & {m.pk for m in chosen}:
                self.add_error(self.municipalities_field, _(
                    "Include your own municipality: you could not work on it otherwise."
                ))
        if isinstance(self.instance, PromisePeriod) and not self.errors:
            for name in ("police_area", "valid_from", "valid_to", "agreement"):
                if name in cleaned:
                    setattr(self.instance, name, cleaned[name])
            try:
                self.instance.check_parties(chosen)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    if field == "municipalities":
                        field = self.municipalities_field
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned


class PeriodForm(UndertakingForm):
    """The period's municipalities are chosen here and saved by the admin (the relation has
    its own rows, which the admin cannot edit as a plain field)."""

    municipalities_field = "parties"
    parties = KeyCheckedMultipleChoiceField(
        label=gettext_lazy("municipalities"), queryset=Municipality.objects.none(),
        help_text=gettext_lazy("Every municipality that makes this medborgarlöfte with the "
                               "police area; usually one, sometimes two or three."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["parties"]
        field.widget = TolerantAutocompleteSelectMultiple(
            PromisePeriod._meta.get_field("municipalities"), admin.site
        )
        field.queryset = municipalities_for(user)  # after the widget: it takes the choices
        if self.instance.pk:
            field.initial = list(self.instance.municipalities.all())


class UndertakingAdmin(DocumentAdminMixin, PublishingActionsMixin, RulesAdmin):
    """What period and agreement admins share: parties, publication, documents."""

    autocomplete_fields = ["municipalities", "police_area"]
    readonly_fields = ["status", "published_at", "unpublished_at", "unpublished_reason",
                       "created_at", "updated_at"]
    actions = ["publish_selected", "unpublish_selected", "generate_documents"]
    # The county filter is offered only to those who act in several places (RulesAdmin).
    list_filter = ["status", "valid_from",
                   ("municipalities__county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "municipalities__name", "police_area__name"]
    list_select_related = ["police_area"]
    date_hierarchy = "valid_from"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class BoundForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=request.user, **kwargs)

        return BoundForm

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("municipalities")

    def choice_queryset(self, request, model):
        if model is Municipality:
            return municipalities_for(request.user)
        if model is PoliceArea:
            return PoliceArea.objects.readable_by(request.user)
        return super().choice_queryset(request, model)

    @admin.display(description=gettext_lazy("municipalities"))
    def municipality_names(self, obj):
        return obj.municipality_names()

    @admin.display(description=gettext_lazy("police area"), ordering="police_area__name")
    def police_area_name(self, obj):
        # Not the foreign key itself: the admin keeps those on one line, wider than the page.
        return obj.police_area.name if obj.police_area_id else "–"

    @admin.display(description=gettext_lazy("years"), ordering="valid_from")
    def years(self, obj):
        first, last = obj.valid_from.year, obj.valid_to.year
        return str(first) if first == last else f"{first}–{last}"


# Stacked, not tabular: a tabular inline's inputs have no label of their own, only the
# column heading, which assistive technology does not announce for them.
class PriorityInline(RulesInlineMixin, admin.StackedInline):
    model = Priority
    extra = 0
    fields = [("order", "label"), "text", "loaded_version"]


class FocusAreaInline(RulesInlineMixin, admin.StackedInline):
    model = FocusArea
    extra = 0
    fields = [("order", "label"), "name", "description", "loaded_version"]


class SignatoryInline(RulesInlineMixin, admin.StackedInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["municipality"]
    fields = [("order", "party", "municipality"), ("name", "title"), "loaded_version"]


class PromiseInline(RulesInlineMixin, admin.StackedInline):
    model = Promise
    extra = 0
    fields = [("order", "label", "party", "municipality"), "text", "focus_areas",
              *TARGET_FIELDS, "followup_method", "loaded_version"]
    show_change_link = True
    filter_horizontal = ["focus_areas"]
    autocomplete_fields = ["municipality"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "focus_areas":
            parent = getattr(request, "_inline_parent", None)
            kwargs["queryset"] = services.focus_areas_for(parent)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        request._inline_parent = obj
        return super().get_formset(request, obj, **kwargs)


@admin.register(PromisePeriod)
class PromisePeriodAdmin(UndertakingAdmin):
    form = PeriodForm
    list_display = [
        "title", "municipality_names", "police_area_name", "years", "status",
        "approval_state", "promise_count", "document_state",
    ]
    inlines = [PriorityInline, FocusAreaInline, SignatoryInline, PromiseInline]
    actions = ["approve_selected", *UndertakingAdmin.actions, "copy_as_next_draft"]
    readonly_fields = [*UndertakingAdmin.readonly_fields, "approvals_given"]
    autocomplete_fields = ["municipalities", "police_area", "agreement"]
    fieldsets = [
        (None, {"fields": [
            "parties", "police_area", "agreement", "title", ("valid_from", "valid_to"),
        ]}),
        (gettext_lazy("Publishing"), {"fields": [
            "status", "approvals_given", "published_at", "unpublished_at",
            "unpublished_reason", "created_at", "updated_at",
        ]}),
        (gettext_lazy("The document"), {"fields": [
            "introduction", "situation", "citizen_experience", "effects",
            "followup_description",
        ]}),
        (gettext_lazy("Contact for citizens"), {"fields": [
            ("contact_name", "contact_role"), ("contact_email", "contact_phone"),
        ]}),
        (None, {"fields": ["loaded_version"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(promise_total=Count("promises"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.municipalities.set(form.cleaned_data["parties"])

    @admin.display(description=gettext_lazy("promises"), ordering="promise_total")
    def promise_count(self, obj):
        return obj.promise_total

    @admin.action(description=gettext_lazy("Copy as a draft for the next period"),
                  permissions=["add"])
    def copy_as_next_draft(self, request, queryset):
        for period in queryset:
            if not request.user.has_perm("promises.view_promiseperiod", period):
                continue
            copy = services.copy_period(period, by=request.user)
            self.message_user(request, _(
                "“%(copy)s” is a new draft for %(start)s–%(end)s, with no follow-up and no "
                "signatures."
            ) % {"copy": copy.title, "start": copy.valid_from, "end": copy.valid_to},
                messages.SUCCESS)
            if len(queryset) == 1:
                return HttpResponseRedirect(
                    reverse("admin:promises_promiseperiod_change", args=[copy.pk])
                )
        return None


class AgreementSectionInline(RulesInlineMixin, admin.StackedInline):
    model = AgreementSection
    extra = 0
    fields = ["order", "heading", "text", "loaded_version"]


@admin.register(Agreement)
class AgreementAdmin(UndertakingAdmin):
    form = UndertakingForm
    list_display = ["title", "municipality_names", "police_area_name", "years", "status",
                    "document_state"]
    inlines = [AgreementSectionInline, FocusAreaInline, SignatoryInline]
    fieldsets = [
        (None, {"fields": [
            "municipalities", "police_area", "title", ("valid_from", "valid_to"),
        ]}),
        (gettext_lazy("Publishing"), {"fields": [
            "status", "published_at", "unpublished_at", "unpublished_reason", "created_at",
            "updated_at",
        ]}),
        (None, {"fields": ["loaded_version"]}),
    ]


class ActivityInline(RulesInlineMixin, admin.StackedInline):
    model = Activity
    extra = 0
    fields = [("order", "label", "responsible_party"), "text", *TARGET_FIELDS,
              "loaded_version"]


class IndicatorInline(RulesInlineMixin, admin.StackedInline):
    model = Indicator
    extra = 0
    fields = [("order", "label", "reporting_party"), "name", *TARGET_FIELDS, "loaded_version"]


class PromiseForm(VersionedModelForm):
    def clean(self):
        cleaned = super().clean()
        period, areas = cleaned.get("period"), cleaned.get("focus_areas")
        if period is not None and areas:
            allowed = set(services.focus_areas_for(period))
            foreign = [area.name for area in areas if area not in allowed]
            if foreign:
                self.add_error("focus_areas", _(
                    "These focus areas belong to another period: %(names)s."
                ) % {"names": ", ".join(foreign)})
        return cleaned


@admin.register(Promise)
class PromiseAdmin(RulesAdmin):
    form = PromiseForm
    list_display = ["short_text", "label", "party", "period", "order"]
    list_filter = ["party", "period__status"]
    list_select_related = ["period"]
    search_fields = ["text", "label", "period__title", "period__municipalities__name"]
    autocomplete_fields = ["period", "municipality"]
    filter_horizontal = ["focus_areas"]
    ordering = ["period", "order"]
    inlines = [ActivityInline, IndicatorInline]
    fields = [("period", "order", "label"), ("party", "municipality"), "text", "focus_areas",
              *TARGET_FIELDS, "followup_method", "loaded_version"]

    def get_form(self, request, obj=None, **kwargs):
        request._promise_being_edited = obj
        return super().get_form(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "focus_areas":
            obj = getattr(request, "_promise_being_edited", None)
            kwargs["queryset"] = services.focus_areas_for(obj.period if obj else None)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("promise"), ordering="text")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Activity)
class ActivityAdmin(RulesAdmin):
    list_display = ["short_text", "label", "responsible_party", "promise_text", "target_value",
                    "target_unit"]
    list_filter = ["responsible_party"]
    list_select_related = ["promise"]
    search_fields = ["text", "promise__text", "promise__period__municipalities__name"]
    autocomplete_fields = ["promise"]
    fields = [("promise", "order", "label"), "responsible_party", "text", *TARGET_FIELDS,
              "loaded_version"]

    @admin.display(description=gettext_lazy("activity"), ordering="text")
    def short_text(self, obj):
        return obj.text[:100]

    @admin.display(description=gettext_lazy("promise"), ordering="promise__text")
    def promise_text(self, obj):
        # Not the foreign key itself: the admin keeps those on one line, wider than the page.
        return obj.promise.text[:100]


@admin.register(Indicator)
class IndicatorAdmin(RulesAdmin):
    list_display = ["name", "label", "target_unit", "target_value", "reporting_party",
                    "promise_text"]
    list_filter = ["reporting_party"]
    list_select_related = ["promise"]
    search_fields = ["name", "promise__text", "promise__period__municipalities__name"]
    autocomplete_fields = ["promise"]
    fields = [("promise", "order", "label"), "reporting_party", "name", *TARGET_FIELDS,
              "loaded_version"]

    @admin.display(description=gettext_lazy("promise"), ordering="promise__text")
    def promise_text(self, obj):
        return obj.promise.text[:100]


@admin.register(FocusArea)
class FocusAreaAdmin(RulesAdmin):
    list_display = ["name", "label", "period", "agreement", "order"]
    list_select_related = ["period", "agreement"]
    search_fields = ["name", "period__title", "agreement__title"]
    autocomplete_fields = ["period", "agreement"]


@admin.register(Signatory)
class SignatoryAdmin(RulesAdmin):
    list_display = ["name", "title", "party", "municipality", "period", "agreement"]
    list_filter = ["party"]
    list_select_related = ["period", "agreement", "municipality"]
    search_fields = ["name", "title", "period__title", "agreement__title"]
    autocomplete_fields = ["period", "agreement", "municipality"]


@admin.register(Priority)
class PriorityAdmin(RulesAdmin):
    list_display = ["text", "label", "order", "period"]
    list_select_related = ["period"]
    search_fields = ["text", "period__title"]
    autocomplete_fields = ["period"]
