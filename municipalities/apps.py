from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities and police")

    def ready(self):
        # Registers the audit receivers and the audit log admin.
        from municipalities import admin_audit, signals  # noqa: F401
