"""Reference data and memberships. Only national administrators change these; other staff
may look up municipalities and police areas (for choices). The audit log's admin is in
admin_audit.py."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from municipalities.admin_scope import NationalAdminOnly, is_autocomplete, scoped_choices
from municipalities.models import (
    County, Membership, Municipality, PoliceArea, PoliceRegion,
)
from municipalities.permissions import Access


class ReferenceDataAdmin(NationalAdminOnly):
    """Readable by every member (for choices and autocomplete), changed nationally."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and Access.for_request(request).has_any_membership()

    def get_search_results(self, request, queryset, search_term):
        if is_autocomplete(request):
            queryset = scoped_choices(request, self.model, queryset)
        return super().get_search_results(request, queryset, search_term)


@admin.register(PoliceRegion)
class PoliceRegionAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "police_region"]
    list_filter = ["police_region"]
    list_select_related = ["police_region"]
    search_fields = ["name", "code"]
    ordering = ["code"]


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "county"]
    list_filter = ["county__police_region", "county"]
    list_select_related = ["county"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PoliceArea)
class PoliceAreaAdmin(ReferenceDataAdmin, SimpleHistoryAdmin):
    list_display = ["name", "district_name", "police_region", "municipality_names"]
    list_filter = ["police_region"]
    list_select_related = ["police_region"]
    search_fields = ["name", "district_name", "municipalities__name"]
    autocomplete_fields = ["municipalities"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("municipalities")

    @admin.display(description=_("municipalities served"))
    def municipality_names(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())

    def history_view(self, request, object_id, extra_context=None):
        if not self._national(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._national(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Membership)
class MembershipAdmin(NationalAdminOnly, SimpleHistoryAdmin):
    list_display = ["user", "role", "municipality", "police_area", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "municipality", "police_area"]
    search_fields = ["user__username", "user__email", "municipality__name", "police_area__name"]
    autocomplete_fields = ["municipality", "police_area"]
    fields = ["user", "role", "municipality", "police_area"]

    def save_model(self, request, obj, form, change):
        # Role changes reach the audit log through municipalities/signals.py.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not obj.user.is_staff:
                obj.user.is_staff = True
                obj.user.save(update_fields=["is_staff"])
