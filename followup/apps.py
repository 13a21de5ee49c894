from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from followup import content_changes
        from followup.documents import on_published
        from followup.models import FollowUp, TertialReport
        from promises import deletion
        from promises.signals import published

        deletion.protect(TertialReport)
        deletion.protect(FollowUp, "promise__period")
        published.connect(on_published, dispatch_uid="followup-report-pdfs")
        content_changes.connect()
