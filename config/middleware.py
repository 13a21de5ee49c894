"""Site-wide middleware: the Permissions-Policy header, a friendly 503 while the database
is unreachable, and a plain 400 for NUL bytes in an address."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


class PermissionsPolicyMiddleware:
    """Switch off browser features the portal never uses (camera, location, …)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def database_unavailable_response(request):
    """A translated 503 page that needs nothing from the database (no user, no session)."""
    from django.http import HttpResponse

    html = render_to_string("503.html", {"request": request})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 (with Retry-After) instead of 500 when a view cannot reach the database.

    Nothing is retried or swallowed: the request failed, the client is told to come back,
    and conn_health_checks lets the next request open a fresh connection by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            logger.warning("Database unavailable for %s: %s", request.path, exception)
            return database_unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    """handler500: the 503 page when the failure was the database, else Django's 500."""
    import sys

    from django.views.defaults import server_error as default_server_error

    if isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS):
        return database_unavailable_response(request)
    return default_server_error(request, *args, **kwargs)


class RejectNulBytesMiddleware:
    """Answer 400 to a request whose path or query holds a NUL byte: no page has a use for
    one, and PostgreSQL refuses it in any query it reached (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            return HttpResponseBadRequest("Bad request.", content_type="text/plain")
        return self.get_response(request)
