"""The portal's admin site: Django's, plus a TOTP second factor for staff when
settings.REQUIRE_2FA (DJANGO_REQUIRE_2FA) is on."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


class TwoFactorLoginForm(OTPAdminAuthenticationForm):
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _(
            "Enter the six-digit code from your authenticator app. If you have none yet, "
            "ask a national administrator to enrol one for you."
        ),
        "invalid_token": _("The code was wrong or has expired. Try the newest code."),
        "n_failed_attempts": _(
            "Too many wrong codes. Wait a little before you try again."
        ),
    }

    def _chosen_device(self, user):
        """The device picked in the form, or the user's only confirmed device: the form can
        list devices only once it knows the user, so the first attempt names none."""
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class PortalAdminSite(admin.AdminSite):
    """With REQUIRE_2FA, only staff verified by a confirmed TOTP device may use the admin."""

    @property
    def login_form(self):
        return TwoFactorLoginForm if settings.REQUIRE_2FA else None

    @property
    def login_template(self):
        return "admin/login_2fa.html" if settings.REQUIRE_2FA else None

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.REQUIRE_2FA or request.user.is_verified()


def tolerate_invalid_autocomplete_values():
    """Django's autocomplete widget looks the submitted value up to redisplay a form with
    errors, and crashes (500) when that value is not a valid key ("abc" for an integer id).
    Drop values that are not keys before the lookup: the form already reports them."""
    from django.contrib.admin.widgets import AutocompleteMixin
    from django.core.exceptions import ValidationError

    original = AutocompleteMixin.optgroups

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        valid = []
        for item in value:
            try:
                target.get_prep_value(target.to_python(item))
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(item)
        return original(self, name, valid, attr)

    AutocompleteMixin.optgroups = optgroups
