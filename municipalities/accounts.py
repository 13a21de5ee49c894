"""People run their own accounts: password reset by e-mail from the admin login (Django's
views and Swedish templates; the answer never tells whether an address is known), and the
set-password link an invitation sends."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from municipalities.audit import record_event
from municipalities.models import AuditEvent, Membership


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


def invite(*, email, role, municipality, by, first_name="", last_name=""):
    """Give `email` a role in `municipality`, making the account when there is none, and
    send the person a link to choose a password (the membership is audited by its signal).
    Returns the membership."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User(username=email[:150], email=email, first_name=first_name,
                        last_name=last_name, is_staff=True)
            user.set_unusable_password()
            user.save()
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        membership = Membership.objects.create(user=user, role=role, municipality=municipality)
        context = {
            "user": user, "membership": membership, "by": by,
            "link": settings.SITE_URL.rstrip("/") + set_password_url(user),
            "login": settings.SITE_URL.rstrip("/") + reverse("admin:login"),
            "has_password": user.has_usable_password(),
        }
        subject = render_to_string("registration/invitation_subject.txt", context).strip()
        body = render_to_string("registration/invitation_email.txt", context)
        transaction.on_commit(
            lambda: send_mail(subject, body, None, [user.email], fail_silently=False)
        )
    return membership
