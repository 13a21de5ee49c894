"""The portal's admin site: Django's, plus a TOTP second factor for staff when
settings.REQUIRE_2FA (DJANGO_REQUIRE_2FA) is on."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import path
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

    def clean(self):
        # One answer for every failure: a wrong password and a wrong code read alike, so
        # the form never tells that the password was right before the code is checked.
        try:
            return super().clean()
        except forms.ValidationError:
            raise forms.ValidationError(
                _("The username, the password or the code is wrong. Codes change every 30 "
                  "seconds: use the newest one."),
                code="invalid_login",
            ) from None

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

    # The lists get the whole width: with the navigation sidebar (the index lists the same
    # sections) a list's columns and filters do not fit beside each other at 1280 px.
    enable_nav_sidebar = False

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

    def get_urls(self):
        # Django's "view on site" redirect asks no permission, so it would confirm that a row
        # of another municipality (a draft) exists: ours answers for readable rows only.
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site),
                 name="view_on_site") if getattr(url, "name", None) == "view_on_site" else url
            for url in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except (ContentType.DoesNotExist, ValueError):
            raise Http404 from None
        model_admin = self._registry.get(model)
        obj = model_admin.get_object(request, object_id) if model_admin else None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
