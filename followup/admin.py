"""The follow-up admin: follow-ups, measurements, tertial reports and year-end comments,
each scoped by the user's memberships, and the tertial screen (views.py) under
/admin/followup/followup/tertial/."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from followup import views
from followup.models import FollowUp, Measurement, TertialReport, YearEndComment
from followup.services import publish_tertial_report, unpublish_tertial_report
from municipalities.admin_scope import ScopedAdmin
from promises.admin import PUBLISH_LOCATIONS, confirm_unpublish, run_service
from promises.versioning import VersionedModelForm

INTERNAL_NOTE_DESCRIPTION = _(
    "Internal: never published on the site, in feeds, exports or PDFs. For names, ongoing "
    "cases and anything else not for the public."
)


class FollowUpForm(VersionedModelForm):
    class Meta:
        model = FollowUp
        fields = "__all__"


class MeasurementForm(VersionedModelForm):
    class Meta:
        model = Measurement
        fields = "__all__"


class StampUserMixin:
    class Media:
        css = {"all": ["css/admin-followup.css"]}

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(StampUserMixin, ScopedAdmin):
    form = FollowUpForm
    period_path = "activity__promise__period__"
    edit_scope = "followup"
    party_path = "activity__promise__party"
    list_display = [
        "activity", "year", "tertial", "status", "has_internal_note", "updated_at", "updated_by",
    ]
    list_filter = ["status", "year", "tertial", "activity__promise__period__municipality__county"]
    list_select_related = ["activity", "updated_by"]
    search_fields = ["account", "activity__text", "activity__promise__period__municipality__name"]
    autocomplete_fields = ["activity"]
    readonly_fields = ["updated_at", "updated_by"]
    ordering = ["-year", "-tertial"]
    fieldsets = [
        (None, {"fields": ["activity", ("year", "tertial"), "status", "account"]}),
        (_("Internal note – never published"), {
            "fields": ["internal_note"],
            "description": INTERNAL_NOTE_DESCRIPTION,
            "classes": ["internal-note"],
        }),
        (_("Last change"), {"fields": ["updated_at", "updated_by"]}),
    ]

    @admin.display(description=_("internal note"), boolean=True)
    def has_internal_note(self, obj):
        return bool(obj.internal_note)

    def get_urls(self):
        site = self.admin_site

        def wrap(view):
            def handler(request, *args, **kwargs):
                return view(request, *args, model_admin=self, **kwargs)
            return site.admin_view(handler)

        return [
            path("tertial/", wrap(views.choose), name="followup_tertial_choose"),
            path("tertial/<int:period_pk>/", wrap(views.default),
                 name="followup_tertial_default"),
            path("tertial/<int:period_pk>/<int:year>/<int:number>/", wrap(views.screen),
                 name="followup_tertial"),
            path("tertial/<int:period_pk>/<int:year>/<int:number>/publish/",
                 wrap(views.publish), name="followup_tertial_publish"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "tertial_url": reverse("admin:followup_tertial_choose")}
        return super().changelist_view(request, extra_context)


@admin.register(Measurement)
class MeasurementAdmin(StampUserMixin, ScopedAdmin):
    form = MeasurementForm
    period_path = "indicator__promise__period__"
    edit_scope = "followup"
    party_path = "indicator__promise__party"
    list_display = ["indicator", "year", "tertial", "value", "updated_at"]
    list_filter = ["year", "tertial"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__name", "indicator__promise__period__municipality__name"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["indicator", ("year", "tertial"), "value"]}),
        (_("Internal note – never published"), {
            "fields": ["internal_note"],
            "description": INTERNAL_NOTE_DESCRIPTION,
            "classes": ["internal-note"],
        }),
        (_("Last change"), {"fields": ["updated_at", "updated_by"]}),
    ]


@admin.register(TertialReport)
class TertialReportAdmin(ScopedAdmin):
    period_path = "period__"
    list_display = [
        "period", "year", "tertial", "status", "presented_on", "published_at", "screen_link",
    ]
    list_filter = ["status", "year", "tertial"]
    list_select_related = ["period", "period__municipality"]
    search_fields = ["summary", "period__title", "period__municipality__name"]
    autocomplete_fields = ["period"]
    readonly_fields = ["status", "published_at"]
    actions = ["publish_reports", "unpublish_reports"]

    @admin.display(description=_("follow-up"))
    def screen_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:followup_tertial", args=[obj.period_id, obj.year, obj.tertial]),
            gettext("Tertial follow-up"),
        )

    @admin.action(
        description=_("Publish the selected tertial reports"), permissions=["publish"],
        location=PUBLISH_LOCATIONS,
    )
    def publish_reports(self, request, queryset):
        run_service(
            self, request, queryset, publish_tertial_report, gettext("Published %(count)s.")
        )

    @admin.action(
        description=_("Unpublish the selected tertial reports (asks for a reason)"),
        permissions=["publish"], location=PUBLISH_LOCATIONS,
    )
    def unpublish_reports(self, request, queryset):
        return confirm_unpublish(
            self, request, queryset, action="unpublish_reports",
            service=unpublish_tertial_report, title=gettext("Unpublish tertial reports"),
        )


@admin.register(YearEndComment)
class YearEndCommentAdmin(ScopedAdmin):
    period_path = "promise__period__"
    list_display = ["promise", "year"]
    list_filter = ["year"]
    list_select_related = ["promise"]
    search_fields = ["text", "promise__text"]
    autocomplete_fields = ["promise"]
