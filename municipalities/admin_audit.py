"""The audit log in the admin: read-only, and only for national administrators."""

from django.contrib import admin

from municipalities.admin_rules import ReadOnlyLogAdmin
from municipalities.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "username", "action", "object_repr", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"
    readonly_fields = [
        "at", "user", "username", "action", "object_repr", "details", "ip_address",
    ]
    list_per_page = 100
