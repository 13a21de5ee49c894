"""People run their own accounts: password reset by e-mail from the admin login (Django's
views and Swedish templates; the answer never tells whether an address is known), and the
set-password link an invitation sends."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from municipalities.audit import record_event
from municipalities.models import AuditEvent


class AuditedPasswordResetForm(PasswordResetForm):
    """Django's form; each message sent is written to the audit log (never shown)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          to_email, html_email_template_name)
        record_event(action=AuditEvent.Action.PASSWORD_RESET, user=context["user"],
                     obj=context["user"], request=getattr(self, "request", None))

    def save(self, *args, request=None, **kwargs):
        self.request = request
        return super().save(*args, request=request, **kwargs)


def set_password_url(user):
    """The path of a one-time link where `user` chooses a password (as a reset would)."""
    return reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })


urlpatterns = [
    path("admin/password_reset/", auth_views.PasswordResetView.as_view(
        form_class=AuditedPasswordResetForm,
    ), name="admin_password_reset"),
    path("admin/password_reset/done/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]
