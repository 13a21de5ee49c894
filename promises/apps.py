from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    name = "promises"
    verbose_name = _("Citizen promises")

    def ready(self):
        from django.db.models.signals import m2m_changed

        from promises import content_changes, deletion
        from promises.models import PromisePeriod, on_municipalities_changed

        deletion.protect_promises()
        content_changes.connect()
        m2m_changed.connect(
            on_municipalities_changed, sender=PromisePeriod.municipalities.through,
            dispatch_uid="period-municipalities-sync",
        )
