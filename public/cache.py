"""Whole-page caching for the public site, its invalidation, and the HTTP caching headers
that let a reverse proxy or a browser keep public pages too.

Every cached page is stored with the *public generation* it was built under: a number in
the cache that is raised whenever a row behind the public pages is saved or deleted
(signals), or by `bump_public_generation()` after bulk writes, which send no signals. A
page is served only while the number is unchanged, so raising it retires every cached
page at once. The default cache is a folder of files that every process on the host
shares, and Redis is shared by every server (`CACHE_URL`), so the number and the pages
are the same for all workers. A per-process cache (`locmem://`) reaches other processes
only when their entries expire (`PUBLIC_PAGE_CACHE_SECONDS`) — docs/scaling.md.

Only anonymous visitors get cached pages: a request that carries a session or messages
cookie (an editor, someone just logged out) always runs the view, and a response that
sets a cookie, uses a CSP nonce, or is not a plain 200 is never stored. Public pages carry
nothing per visitor (no CSRF token, no session), so the stored bytes suit everyone.
"""

import collections
import functools
import hashlib
import pickle
import threading
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import split_directive_names

from promises.signals import bulk_change

# Sent once after each commit that changed public rows (the national files are rebuilt).
public_change_committed = Signal()

GENERATION_KEY = "public-pages:generation"
# Addresses that are never public pages, spared the cache lookup: the health check answers
# without the cache, and the admin is never cached.
NOT_PAGES = ("/healthz", "/admin/")

# Rows that some public page, feed, export or PDF shows (app_label.model_name).
# Rows of these apps are what public pages show, except the ones below and their history.
PUBLIC_APPS = frozenset({"municipalities", "promises", "followup"})
NOT_SHOWN = frozenset({"municipalities.auditevent", "municipalities.membership",
                       "promises.signingkey"})


def is_public_model(model):
    label = model._meta.label_lower
    return (
        model._meta.app_label in PUBLIC_APPS and label not in NOT_SHOWN
        and not model._meta.model_name.startswith("historical")
    )


def page_timeout():
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)


def public_generation():
    catch_up()
    generation = cache.get(GENERATION_KEY)
    return generation if generation is not None else new_generation()


def new_generation():
    # A clock reading, so a cache that lost the number never reuses an old one. The
    # number itself expires with the pages, so even a per-process cache that never
    # saw a change serves nothing (page or ETag) older than that.
    cache.add(GENERATION_KEY, time.time_ns(), timeout=page_timeout())
    return cache.get(GENERATION_KEY, 0)


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


class PendingChanges(threading.local):
    """This thread's changes to public rows, and how far the bumps have caught up."""

    changes = 0  # changes made
    covered = 0  # changes a bump after their commit has covered
    unread = False  # changed inside a transaction this thread may read back before commit


pending = PendingChanges()


def note_change():
    """Retire the public pages once the change is committed (and at once for this thread).

    One bump after the commit covers every change the transaction made, so saving many
    rows (an admin formset, a restore of thousands) writes the shared number once, not
    per row: with the file cache every write costs a file replaced on disk. (Marking the
    pages rendered ahead raises it once more after itself: period_pages.mark_scope.)
    """
    pending.changes += 1
    if transaction.get_connection().in_atomic_block:
        pending.unread = True
    transaction.on_commit(bump_after_commit)


def bump_after_commit():
    if pending.covered < pending.changes:
        pending.covered = pending.changes
        bump_public_generation()
        public_change_committed.send(sender=None)


def catch_up():
    """Before this thread reads the generation: a change it made inside a transaction that
    is still open (a test, a command) is visible to it alone, yet must not be answered
    with a page cached before it. Other processes cannot see it until the commit."""
    if pending.unread:
        pending.unread = False
        bump_public_generation()


def on_change(sender, **kwargs):
    if is_public_model(sender):
        note_change()


def on_bulk_change(sender, **kwargs):
    note_change()


def connect_invalidation():
    """Called once from PublicConfig.ready()."""
    bulk_change.connect(on_bulk_change, dispatch_uid="public-pages-bulk")
    post_save.connect(on_change, dispatch_uid="public-pages-save")
    post_delete.connect(on_change, dispatch_uid="public-pages-delete")
    m2m_changed.connect(on_change, dispatch_uid="public-pages-m2m")


def document_etag(request, sha256):
    """A stored PDF never changes, so its SHA-256 is its ETag; None when the visitor may
    not see it (the view then answers 404 as usual)."""
    from public.access import document_for, viewer

    document = document_for(viewer(request), sha256)
    return f'"{document.sha256}"' if document else None


def is_cacheable_request(request):
    if request.method not in {"GET", "HEAD"}:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def is_shareable_response(request, response):
    """Whether any visitor may be given this response: it sets no cookie (a page that used
    a CSRF token always sets one, so it never qualifies), was not marked private, and
    used no CSP nonce (which ties it to its own request's policy)."""
    directives = set(split_directive_names(response.get("Cache-Control", "")))
    return (
        not response.cookies
        and not directives & {"private", "no-store", "no-cache"}
        # Unused, the lazy nonce is false; the CSP middleware sets one on every request.
        and not getattr(request, "_csp_nonce", None)
    )


def page_key(request):
    # The language is in the path (/en/…), and the pages outside i18n_patterns
    # (sitemap.xml) are the same in every language, so the address is the whole key.
    address = f"{request.method} {request.get_host()}{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(address.encode()).hexdigest()


def cache_public_page(view):
    """Mark `view` as a public page: PublicPageCacheMiddleware keeps anonymous visitors'
    copies, and shared caches may keep them for PUBLIC_PAGE_MAX_AGE seconds. A signed-in
    user may be looking at drafts or a preview, so their copy is for no cache at all."""

    @functools.wraps(view)
    def public_page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        else:
            request.is_public_page = True
        return response

    return public_page


class RecentPages:
    """This process's own copies of the pages it served lately, up to `limit` bytes in all
    (the least recently served go first), each kept with the public generation it was
    stored under.

    The middleware reads the generation from the shared cache on every request and serves a
    copy only under the same number, so a copy retires with the shared page, in every
    process at once. What a copy saves is fetching the page itself: from Redis, a 100 KB
    page took about 0.1 ms more than the number alone (the cache client timed on its own),
    and in two runs of bench/run back to back the national overview (101 KB) cached in
    Redis took 1.6× the floor without copies and 1.0× with them; from the file cache,
    reading its file. Copies are kept pickled, so every request gets a response object of
    its own to add its headers to.
    """

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.pages = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, generation):
        """A fresh response for `key` stored under `generation`, or None."""
        with self.lock:
            copy = self.pages.get(key)
            if copy is None or copy[0] != generation:
                return None
            self.pages.move_to_end(key)
        return pickle.loads(copy[1])

    def put(self, key, generation, response):
        if len(response.content) > self.limit:
            return  # not worth pickling (nothing is kept with a limit of 0)
        data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self._discard(key)
            if len(data) > self.limit:
                return
            self.pages[key] = (generation, data)
            self.size += len(data)
            while self.size > self.limit:
                _key, (_generation, dropped) = self.pages.popitem(last=False)
                self.size -= len(dropped)

    def _discard(self, key):  # with the lock held
        copy = self.pages.pop(key, None)
        if copy is not None:
            self.size -= len(copy[1])


def keeps_recent_pages():
    """Whether copies in the process save anything: not when the cache keeps nothing
    (dummy://) or is itself in the process (locmem://)."""
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], DummyCache | LocMemCache)


class PublicPageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache before any per-visitor work.

    It sits before the session, CSRF, authentication, OTP and lockout middleware, so a hit
    costs one read of the public generation (and of the page, unless this process has a
    copy stored under that generation: RecentPages), and nothing else; the stored response
    already carries the headers the middleware after this one added (CSP, X-Frame-Options,
    Permissions-Policy, Vary). A miss runs the whole stack and stores the page if its view
    was marked with `cache_public_page` and the response suits everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.recent = RecentPages(settings.PUBLIC_PAGE_PROCESS_MEMORY_MB * 2**20)

    def __call__(self, request):
        if not is_cacheable_request(request) or request.path_info.startswith(NOT_PAGES):
            return self.get_response(request)
        key = page_key(request)
        keeps_copies = self.recent.limit > 0 and keeps_recent_pages()
        catch_up()
        # Read before the view reads the database: a page built from data that a commit
        # then changed is stored under a number that commit's bump has already retired.
        generation, response = self.cached(key, keeps_copies)
        if response is not None:
            return response
        if generation is None:
            generation = new_generation()
        response = self.get_response(request)
        if (
            getattr(request, "is_public_page", False)
            and response.status_code in {200, 304}
            and is_shareable_response(request, response)
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
            # Shared caches on the way must not hand an editor's request this page.
            patch_vary_headers(response, ["Cookie"])
            if response.status_code == 200 and not response.streaming:
                # Hashed once here rather than by ConditionalGetMiddleware on every hit.
                set_response_etag(response)
                cache.set(key, (generation, response), page_timeout())
                if keeps_copies:
                    self.recent.put(key, generation, response)
        return response

    def cached(self, key, keeps_copies):
        """(the public generation, the page stored under it or None): one read of the
        shared cache, two when this process's copy is older than the number."""
        if keeps_copies and key in self.recent.pages:
            generation = cache.get(GENERATION_KEY)
            response = self.recent.get(key, generation)
            if response is not None or generation is None:
                return generation, response
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        stored = found.get(key)
        if generation is None or stored is None or stored[0] != generation:
            return generation, None
        if keeps_copies:
            self.recent.put(key, generation, stored[1])
        return generation, stored[1]
