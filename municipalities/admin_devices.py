"""Two-factor devices in the admin, in Swedish: a national administrator resets a user's lost
device by deleting it (audited in municipalities/signals.py); `enrol_totp` gives a new one.
Adding and changing a device's settings stay with superusers, as in django-otp's admin."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from municipalities.rules import is_national

LABELS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "key": _("secret key"),
    "step": _("time step (seconds)"),
    "t0": _("start time (Unix time)"),
    "digits": _("digits"),
    "tolerance": _("tolerance (time steps)"),
    "drift": _("drift (time steps)"),
    "throttling_failure_timestamp": _("last wrong code"),
    "throttling_failure_count": _("wrong codes in a row"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
}


class DeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = [name for name in LABELS if name not in {"created_at", "last_used_at"}]
        labels = LABELS
        help_texts = dict.fromkeys(LABELS, "")


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(TOTPDeviceAdmin):
    form = DeviceForm
    list_display = ["user", "name", "created", "last_used", "is_confirmed"]
    search_help_text = _("Search by username or e-mail address.")
    # Nothing but the person and the device in the list's filters.
    list_filter = []

    # The times are shown through methods: read-only fields take the model's English names.
    readonly_fields = ["created", "last_used", "qrcode_link"]

    def get_fieldsets(self, request, obj=None):
        titles = {
            "Identity": _("Person and device"), "Timestamps": _("Times"),
            "Configuration": _("Settings"), "State": _("State"),
            "Throttling": _("Wrong codes"),
        }
        shown = {"created_at": "created", "last_used_at": "last_used"}
        return [
            (titles.get(title, title),
             {**options, "fields": [shown.get(name, name) for name in options["fields"]]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description=LABELS["created_at"], ordering="created_at")
    def created(self, device):
        return device.created_at

    @admin.display(description=LABELS["last_used_at"], ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at

    @admin.display(description=LABELS["confirmed"], boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    # National administrators see the devices and remove a lost one; the rest is Django's
    # superuser-only default.
    def has_module_permission(self, request):
        return is_national(request.user)

    def has_view_permission(self, request, obj=None):
        return is_national(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_national(request.user)
