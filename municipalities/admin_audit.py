"""The audit log in the admin: read-only, and only for national administrators."""

from django.contrib import admin

from municipalities.models import AuditEvent, Role


def is_national_admin(user):
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.memberships.filter(role=Role.NATIONAL_ADMIN).exists()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_repr", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"
    readonly_fields = [
        "at", "user", "username", "action", "object_repr", "details", "ip_address",
    ]
    list_per_page = 100

    def has_module_permission(self, request):
        return is_national_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_national_admin(request.user)

    # Append-only: nobody edits or deletes history, not even a superuser in the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

