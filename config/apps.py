"""App configuration for the admin: Django's admin app with the portal's own site."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from config.admin_site import tolerate_invalid_autocomplete_values

        tolerate_invalid_autocomplete_values()
