"""Write to the audit log: logins, role changes, publishing, signing, restores."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

from municipalities.models import AuditEvent


def client_ip(request):
    """The client's address; behind DJANGO_TRUSTED_PROXY_COUNT proxies, taken from the
    X-Forwarded-For entry the nearest trusted proxy appended (never one the client wrote)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops and len(forwarded) >= hops:
        address = forwarded[-hops]
    if not address:
        return None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def record_event(*, action, user=None, obj=None, request=None, username="", **details):
    """Append one AuditEvent. `action` is an AuditEvent.Action; `details` must be JSON-able."""
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        action=action,
        user=user,
        # PostgreSQL refuses NUL in text; a hostile login name must not break the log.
        username=(username or (user.get_username() if user else "")).replace("\x00", "")[:150],
        object_repr=str(obj).replace("\x00", "")[:300] if obj is not None else "",
        details=details,
        ip_address=client_ip(request),
    )
