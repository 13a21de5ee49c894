from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities and police")

    def ready(self):
        # Registers the audit receivers, the audit log admin and the two-factor devices admin.
        from municipalities import (  # noqa: F401
            admin_accounts, admin_audit, admin_devices, signals,
        )
