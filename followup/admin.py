"""The follow-up admin: follow-ups, tertial reports and year-end comments, each asking the
rules (followup/rules.py), and the tertial screen (views.py) under
/admin/followup/followup/tertial/. The period admin gains its follow-up links here, so the
promises app never needs to know of follow-up."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followup import spreadsheet_views, views
from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.admin_rules import RulesAdmin
from promises.admin import PromisePeriodAdmin
from promises.admin_publishing import PublishingActionsMixin
from promises.models import PromisePeriod

INTERNAL_NOTE_DESCRIPTION = gettext_lazy(
    "Internal: never published on the site, in feeds, exports or PDFs. For names, ongoing "
    "cases and anything else not for the public."
)


@admin.register(FollowUp)
class FollowUpAdmin(RulesAdmin):
    list_display = [
        "subject_text", "year", "tertial", "status", "value", "has_internal_note", "updated",
        "updated_by",
    ]
    list_filter = ["status", "year", "tertial"]
    list_select_related = ["promise", "activity", "indicator", "updated_by"]
    search_fields = ["account", "promise__text", "activity__text", "indicator__name"]
    autocomplete_fields = ["promise", "activity", "indicator"]
    readonly_fields = ["updated_at", "updated_by", "corrected_at", "correction"]
    ordering = ["-year", "-tertial"]

    @admin.display(description=gettext_lazy("updated at"), ordering="updated_at")
    def updated(self, obj):
        # The short form: the long one ("30 november 2026 00:37") widens the list past 1280 px.
        return date_format(localtime(obj.updated_at), "SHORT_DATE_FORMAT")
    fieldsets = [
        (None, {"fields": [
            "promise", "activity", "indicator", ("year", "tertial"), "status", "account",
            "value",
        ]}),
        (gettext_lazy("Internal note – never published"), {
            "fields": ["internal_note"],
            "description": INTERNAL_NOTE_DESCRIPTION,
            "classes": ["internal-note"],
        }),
        (gettext_lazy("Last change"), {"fields": [
            "updated_at", "updated_by", "corrected_at", "correction", "loaded_version",
        ]}),
    ]

    class Media:
        css = {"all": ["css/admin-followup.css"]}

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A follow-up stays the follow-up of what it follows up; and a police coordinator
            # may enter it without being one who may choose promises.
            fields += ["promise", "activity", "indicator"]
        return fields

    @admin.display(description=gettext_lazy("followed up"))
    def subject_text(self, obj):
        return str(obj.subject)[:100]

    @admin.display(description=gettext_lazy("internal note"), boolean=True)
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
            path("tertial/<int:period_pk>/<int:year>/<int:number>/spreadsheet.xlsx",
                 wrap(spreadsheet_views.download), name="followup_tertial_download"),
            path("tertial/<int:period_pk>/<int:year>/<int:number>/upload/",
                 wrap(spreadsheet_views.upload), name="followup_tertial_upload"),
            path("tertial/<int:period_pk>/<int:year>/<int:number>/upload/confirm/",
                 wrap(spreadsheet_views.confirm), name="followup_tertial_upload_confirm"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "tertial_url": reverse("admin:followup_tertial_choose")}
        return super().changelist_view(request, extra_context)


@admin.register(TertialReport)
class TertialReportAdmin(PublishingActionsMixin, RulesAdmin):
    list_display = [
        "period_title", "year", "tertial", "status", "approval_state", "presented_on",
        "published", "screen_link",
    ]
    list_filter = ["status", "year", "tertial"]
    list_select_related = ["period"]
    search_fields = ["summary", "period__title", "period__municipalities__name"]
    autocomplete_fields = ["period"]
    readonly_fields = ["status", "approvals_given", "published_at", "unpublished_at",
                       "unpublished_reason"]
    actions = ["approve_selected", "publish_selected", "unpublish_selected"]
    fields = ["period", ("year", "tertial"), "summary", "presented_on", "status",
              "approvals_given", "published_at", "unpublished_at", "unpublished_reason",
              "loaded_version"]

    @admin.display(description=gettext_lazy("published at"), ordering="published_at")
    def published(self, obj):
        if obj.published_at is None:
            return "–"
        return date_format(localtime(obj.published_at), "SHORT_DATE_FORMAT")

    @admin.display(description=gettext_lazy("period"), ordering="period__title")
    def period_title(self, obj):
        # Not the foreign key itself: the admin keeps those on one line, wider than the page.
        return obj.period.title

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_published:
            # A published report stays the report of its period and tertial.
            fields += ["period", "year", "tertial"]
        return fields

    @admin.display(description=gettext_lazy("follow-up"))
    def screen_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:followup_tertial", args=[obj.period_id, obj.year, obj.tertial]),
            _("Tertial follow-up"),
        )


@admin.register(YearEndComment)
class YearEndCommentAdmin(RulesAdmin):
    list_display = ["promise", "year"]
    list_filter = ["year"]
    list_select_related = ["promise"]
    search_fields = ["text", "promise__text"]
    autocomplete_fields = ["promise"]


class PeriodWithFollowUpAdmin(PromisePeriodAdmin):
    """The period admin, with links to the period's tertial screen."""

    list_display = [*PromisePeriodAdmin.list_display, "followup_link"]

    @admin.display(description=gettext_lazy("follow-up"))
    def followup_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:followup_tertial_default", args=[obj.pk]),
            _("Tertial follow-up"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        links = []
        if str(object_id).isdigit():
            links.append({
                "url": reverse("admin:followup_tertial_default", args=[object_id]),
                "label": _("Tertial follow-up"),
            })
        extra_context = {**(extra_context or {}), "owner_links": links}
        return super().change_view(request, object_id, form_url, extra_context)


admin.site.unregister(PromisePeriod)
admin.site.register(PromisePeriod, PeriodWithFollowUpAdmin)
