"""Whole-page caching for the public site, and its invalidation.

Every cached page's key holds the *public generation*: a number in the cache that is raised
whenever a row behind the public pages is saved or deleted (signals), or by
`bump_public_generation()` after bulk writes, which send no signals. Raising it retires
every cached page at once; the old entries simply expire. With Redis (`CACHE_URL`) all
app servers share the number; the default local-memory cache is per process, so there a
change reaches the other processes only when their entries expire
(`PUBLIC_PAGE_CACHE_SECONDS`) — docs/scaling.md.

Only anonymous visitors get cached pages: a request that carries a session or messages
cookie (an editor, someone just logged out) always runs the view, and a response that
sets a cookie, uses a CSP nonce, or is not a plain 200 is never stored. The language
switch's CSRF token is the one per-visitor part of a page: it is swapped for the visitor's
own token on every cached answer, so the form keeps working and stays protected.
"""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from promises.signals import bulk_change

GENERATION_KEY = "public-pages:generation"
# The hidden field {% csrf_token %} renders; its 64-character masked token is per visitor.
CSRF_FIELD = re.compile(
    rb'<input type="hidden" name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})">'
)

# Rows that some public page, feed, export or PDF shows (app_label.model_name).
PUBLIC_MODELS = frozenset({
    "municipalities.policeregion", "municipalities.county", "municipalities.municipality",
    "municipalities.policearea", "municipalities.policearea_municipalities",
    "promises.promiseperiod", "promises.priority", "promises.focusarea",
    "promises.signatory", "promises.promise", "promises.promise_focus_areas",
    "promises.activity", "promises.indicator", "promises.document",
    "followup.followup", "followup.measurement", "followup.tertialreport",
    "followup.yearendcomment",
})


def page_timeout():
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)


def public_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A clock reading, so a cache that lost the number never reuses an old one. The
        # number itself expires with the pages, so even a per-process cache that never
        # saw a change serves nothing (page or ETag) older than that.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=page_timeout())
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def bump_public_generation():
    """Retire every cached public page (call after writes that send no signals)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=page_timeout())


def public_etag(request, *args, **kwargs):
    """An ETag for exports built from public data (`condition(etag_func=public_etag)`):
    it changes whenever the public generation does. None when the cache keeps nothing."""
    if isinstance(caches[DEFAULT_CACHE_ALIAS], DummyCache):
        return None
    return f'"public-{public_generation()}"'


def bump_now_and_on_commit():
    # Now, so this process stops serving old pages at once; and after the commit, so a
    # page another request cached from the not-yet-committed state does not outlive it.
    bump_public_generation()
    transaction.on_commit(bump_public_generation)


def on_change(sender, **kwargs):
    if sender._meta.label_lower in PUBLIC_MODELS:
        bump_now_and_on_commit()


def on_bulk_change(sender, **kwargs):
    bump_now_and_on_commit()


def connect_invalidation():
    """Called once from PublicConfig.ready()."""
    bulk_change.connect(on_bulk_change, dispatch_uid="public-pages-bulk")
    post_save.connect(on_change, dispatch_uid="public-pages-save")
    post_delete.connect(on_change, dispatch_uid="public-pages-delete")
    m2m_changed.connect(on_change, dispatch_uid="public-pages-m2m")


def document_etag(request, sha256):
    """A stored PDF never changes, so its SHA-256 is its ETag; None when the visitor may
    not see it (the view then answers 404 as usual)."""
    from public.access import downloadable_documents, viewer

    found = (
        downloadable_documents(viewer(request))
        .filter(sha256=sha256.lower())
        .values_list("sha256", flat=True)
        .first()
    )
    return f'"{found}"' if found else None


def is_cacheable_request(request):
    if request.method not in {"GET", "HEAD"}:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def is_cacheable_response(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        # A page that used the nonce is tied to this request's Content-Security-Policy.
        and not getattr(request, "_csp_nonce", None)
        and csrf_tokens_are_replaceable(request, response)
    )


def csrf_tokens_are_replaceable(request, response):
    """A page that used a CSRF token may be cached only if every copy of the token sits in
    a form field, where each visitor's own token is put back (`with_fresh_csrf_token`)."""
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    fields = CSRF_FIELD.findall(response.content)
    return bool(fields) and all(
        response.content.count(token) == fields.count(token) for token in set(fields)
    )


def with_fresh_csrf_token(request, response):
    if CSRF_FIELD.search(response.content):
        token = get_token(request).encode()
        response.content = CSRF_FIELD.sub(
            lambda match: match.group(0).replace(match.group(1), token), response.content
        )
    return response


def page_key(request):
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-page:{public_generation()}:{get_language()}:{request.method}:{digest}"


def cache_public_page(view):
    """Serve anonymous GETs of `view` from the cache while nothing public has changed."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if not is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        response = cache.get(key)
        if response is not None:
            return with_fresh_csrf_token(request, response)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if is_cacheable_response(request, response):
            # Shared caches on the way must not hand an editor's request this page.
            patch_vary_headers(response, ["Cookie"])
            cache.set(key, response, page_timeout())
        return response

    return cached_view
