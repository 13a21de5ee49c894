"""App configurations: Django's admin app with the portal's own site, and the third-party
apps' sections of the admin named in the interface's language (their own configs give no
name, as otp_totp, or an English one that is not translated)."""

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig
from django.contrib import admin
from django_tasks_db.apps import TasksAppConfig


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin_site.PortalAdminSite"


class LockoutConfig(AxesConfig):
    verbose_name = _("Login lockouts")


class TwoFactorConfig(TOTPConfig):
    verbose_name = _("Two-factor authentication")

    def ready(self):
        super().ready()
        # django-otp names its model in plain English. The names shown are set here;
        # migrations read the model's declared options (_meta.original_attrs), not these.
        device = self.get_model("TOTPDevice")
        device._meta.verbose_name = _("two-factor device")
        device._meta.verbose_name_plural = _("two-factor devices")


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Task queue")

    def ready(self):
        super().ready()
        # Two of its admin's columns are named in plain English; ours are translated.
        from django_tasks_db.admin import DBTaskResultAdmin

        DBTaskResultAdmin.formatted_traceback.short_description = _("traceback")
        DBTaskResultAdmin.display_run_after.short_description = _("run after")
        # Its name column rebuilds each row's task under the backend configured now, which
        # fails for a row that backend cannot run (a delayed task seen with the immediate
        # backend, a task whose function moved): the queue's list shows the task's path
        # instead of failing as a whole.
        DBTaskResultAdmin.list_display = tuple(
            "task_name_or_path" if column == "task_name" else column
            for column in DBTaskResultAdmin.list_display
        )
        DBTaskResultAdmin.task_name_or_path = task_name_or_path


@admin.display(description=_("task"))
def task_name_or_path(self, obj):
    from django.tasks.exceptions import InvalidTask

    try:
        return obj.task_name
    except (ImportError, AttributeError, InvalidTask):
        return obj.task_path
