"""Subscriptions in the admin: national administrators find an address (to answer a request
to remove it) and delete it; nobody else sees them (public/rules.py)."""

from django.contrib import admin

from municipalities.admin_rules import perm
from public.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "place_name", "language", "created_at", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "language"]
    list_select_related = ["municipality"]
    search_fields = ["email", "municipality__name"]
    fields = readonly_fields = ["email", "municipality", "language", "created_at", "confirmed_at"]
    date_hierarchy = "created_at"

    @admin.display(description=Subscription._meta.get_field("municipality").verbose_name)
    def place_name(self, obj):
        return obj.place_name

    def has_module_permission(self, request):
        return request.user.is_staff and request.user.has_perm(perm(self.model, "view"))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "view"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "delete"))
