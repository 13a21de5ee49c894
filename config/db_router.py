"""Reads from PostgreSQL read replicas, writes to the primary (DATABASE_REPLICA_URLS).

Citizens' page views read from a replica. Everything an editor does stays on the primary,
so they always see what they just saved: a request that carries a session cookie or is not
a GET/HEAD is pinned to the primary, and so is every read inside a transaction.
docs/scaling.md explains the set-up.
"""

import contextvars
import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

pinned_to_primary = contextvars.ContextVar("pinned_to_primary", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if pinned_to_primary.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return random.choice(settings.DATABASE_REPLICAS)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def pin_editors_to_primary(get_response):
    """Middleware: keep logged-in users' and every writing request's reads on the primary."""

    def middleware(request):
        editing = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or request.method not in {"GET", "HEAD"}
        )
        token = pinned_to_primary.set(editing)
        try:
            return get_response(request)
        finally:
            pinned_to_primary.reset(token)

    return middleware
