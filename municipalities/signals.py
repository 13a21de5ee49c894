"""Audit logging of logins, logouts, failed logins and role (Membership) changes.

Signals rather than view code, so every writer is covered: the admin, the grant command,
the shell. The acting user comes from the request simple_history's middleware keeps.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalRecords

from municipalities.audit import record_event
from municipalities.models import AuditEvent, Membership

SCOPE_FIELDS = ("role", "municipality_id", "police_area_id")


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


def acting_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def describe(membership):
    return {
        "member": membership.user.get_username(),
        "role": membership.role,
        "municipality": str(membership.municipality) if membership.municipality_id else None,
        "police_area": str(membership.police_area) if membership.police_area_id else None,
    }


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    record_event(action=AuditEvent.Action.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(action=AuditEvent.Action.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name.
    username = str(credentials.get("username") or "")
    record_event(action=AuditEvent.Action.LOGIN_FAILED, username=username, request=request)


@receiver(pre_save, sender=Membership, dispatch_uid="audit_membership_before")
def remember_previous_membership(sender, instance, raw=False, **kwargs):
    instance._audit_previous = None
    if raw or instance.pk is None:
        return
    previous = Membership.objects.filter(pk=instance.pk).select_related(
        "user", "municipality", "police_area"
    ).first()
    if previous and any(
        getattr(previous, field) != getattr(instance, field) for field in SCOPE_FIELDS
    ):
        instance._audit_previous = previous


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def audit_membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata (restore) replays history; it grants nothing new.
        return
    request = current_request()
    previous = getattr(instance, "_audit_previous", None)
    if not created and previous is None:
        return
    if previous is not None:
        record_event(
            action=AuditEvent.Action.ROLE_REVOKED, user=acting_user(request), obj=previous,
            request=request, **describe(previous),
        )
    record_event(
        action=AuditEvent.Action.ROLE_GRANTED, user=acting_user(request), obj=instance,
        request=request, **describe(instance),
    )


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def audit_membership_deleted(sender, instance, origin=None, **kwargs):
    request = current_request()
    record_event(
        action=AuditEvent.Action.ROLE_REVOKED, user=acting_user(request), obj=instance,
        request=request, **describe(instance),
    )


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit_device_reset")
def audit_device_reset(sender, instance, origin=None, **kwargs):
    """A deleted two-factor device is a reset: its owner logs in again only with a new one."""
    request = current_request()
    record_event(
        action=AuditEvent.Action.DEVICE_RESET, user=acting_user(request), obj=instance,
        request=request, member=instance.user.get_username(), device=instance.name,
    )
