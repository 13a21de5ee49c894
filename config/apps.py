"""App configuration for the admin: Django's admin app with the portal's own site."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin_site.PortalAdminSite"
