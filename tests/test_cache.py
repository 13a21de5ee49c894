"""The public page cache: anonymous visitors get cached pages until something behind them
changes, in every worker at once; editors never do; public pages tell browsers and proxies
how long to keep them and answer conditional GETs."""

import os
import pickle
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.env import cache_from_url
from followup.demo.loader import load_demo
from followup.models import TertialReport
from promises.publishing import publish, unpublish
from public.cache import RecentPages, bump_public_generation, keeps_recent_pages, page_key
from municipalities.models import Municipality
from promises.models import Promise, PromisePeriod

PROJECT = Path(__file__).resolve().parent.parent


def period_url(period):
    return reverse("public:period", kwargs={"pk": period.pk})


def get(client, url, **headers):
    """(response, body, number of SQL queries)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response, body.decode(), len(queries)


def test_second_anonymous_visit_is_served_from_the_cache(client, katrineholm):
    url = period_url(katrineholm[2018])
    first, first_html, first_queries = get(client, url)
    second, second_html, second_queries = get(client, url)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0 and second_queries == 0
    assert first_html == second_html
    # Answered before the session, authentication and CSRF middleware ever ran.
    assert hasattr(first.wsgi_request, "session")
    assert not hasattr(second.wsgi_request, "session")
    assert not hasattr(second.wsgi_request, "user")
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["ETag"] == first["ETag"]
        assert "Cookie" in response["Vary"]
        assert "Content-Security-Policy" in response and "Permissions-Policy" in response
        assert response["X-Frame-Options"] == "DENY"


def test_max_age_comes_from_the_settings(client, katrineholm, settings):
    settings.PUBLIC_PAGE_MAX_AGE = 15
    response = client.get(period_url(katrineholm[2018]))
    assert response["Cache-Control"] == "public, max-age=15"


@pytest.mark.parametrize("change", ["save", "m2m", "delete"])
def test_a_change_behind_the_page_retires_it_at_once(client, katrineholm, change):
    period = katrineholm[2018]
    url = period_url(period)
    promise = Promise.objects.filter(period=period).order_by("order").first()
    get(client, url)
    if change == "save":
        promise.text = "Polisen lovar något helt nytt i centrum."
        promise.save()
        expected = "Polisen lovar något helt nytt i centrum."
    elif change == "m2m":
        neighbour = Municipality.objects.get(code="0488")
        period.municipalities.add(neighbour)
        expected = neighbour.proper_name
    else:
        # Nothing under a published period may be deleted but its year-end comments.
        comment = promise.year_end_comments.get()
        gone = comment.text
        comment.delete()
        expected = None
    response, html, queries = get(client, url)
    assert queries > 0
    if expected:
        assert expected in html
    else:
        assert gone not in html


def test_publishing_a_tertial_report_shows_its_follow_up_on_the_cached_page(
    client, katrineholm, django_user_model
):
    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    publisher = django_user_model.objects.create_user("publisher")
    report = unpublish(report, by=publisher, reason="Fel siffror")
    url = reverse("public:tertial_report", args=[period.pk, 2018, 3])
    assert get(client, url)[0].status_code == 404
    publish(report, by=publisher)
    assert get(client, url)[0].status_code == 200


def test_editors_never_get_or_fill_the_cache(superuser_client, katrineholm):
    period = unpublish(katrineholm[2022], by=None, reason="Utkast")
    url = period_url(period)
    for _ in range(2):
        response, html, queries = get(superuser_client, url)
        assert response.status_code == 200 and queries > 0
        # No proxy or browser cache may keep the draft, to hand it to a citizen later.
        assert response["Cache-Control"] == "private, no-store"
        assert not response.has_header("ETag")
    # The editor's preview of the draft did not land in the cache for everyone.
    assert get(Client(), url)[0].status_code == 404


def test_editors_read_a_published_page_live_too(superuser_client, katrineholm):
    url = period_url(katrineholm[2018])
    get(Client(), url)
    response, html, queries = get(superuser_client, url)
    assert response.status_code == 200 and queries > 0
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("page", ["period", "home", "search", "tertial_report"])
def test_public_pages_carry_nothing_per_visitor(client, katrineholm, page):
    period = katrineholm[2018]
    url = {
        "period": period_url(period),
        "home": reverse("public:home"),
        "search": reverse("public:search") + "?q=Katrineholm",
        "tertial_report": reverse("public:tertial_report", args=[period.pk, 2018, 3]),
    }[page]
    response, html, queries = get(client, url)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies
    # The language switch is a plain link to the same page in English.
    assert f'href="/en{url}" lang="en" hreflang="en">In English</a>' in html.replace(
        "&amp;", "&"
    )
    english = get(client, "/en" + url)[1]
    assert f'href="{url}" lang="sv" hreflang="sv">På svenska</a>' in english.replace(
        "&amp;", "&"
    )


def test_the_verify_form_keeps_its_csrf_token_and_is_never_cached(client, db):
    url = reverse("public:verify")
    for _ in range(2):
        response, html, queries = get(client, url)
        assert "csrfmiddlewaretoken" in html and "csrftoken" in response.cookies
        assert "public" not in response.get("Cache-Control", "")
    assert hasattr(response.wsgi_request, "session")


def test_language_and_query_string_have_their_own_cache_entries(client, katrineholm):
    url = period_url(katrineholm[2018])
    assert '<html lang="sv">' in get(client, url)[1]
    assert '<html lang="en">' in get(client, "/en" + url)[1]
    search = reverse("public:search")
    # The search form lists every municipality; the hits are what differ.
    assert 'class="hit"' in get(client, search + "?q=Katrineholm")[1]
    assert 'class="hit"' not in get(client, search + "?q=Xyzzyvägen")[1]


def test_pages_that_are_not_200_are_neither_stored_nor_shared(client, db):
    for _ in range(2):
        response, html, queries = get(client, "/medborgarloften/999999/")
        assert response.status_code == 404 and queries > 0
        assert "public" not in response.get("Cache-Control", "")


def test_a_page_answers_a_conditional_get_until_it_changes(client, katrineholm):
    period = katrineholm[2018]
    url = period_url(period)
    etag = client.get(url)["ETag"]
    response, html, queries = get(client, url, if_none_match=etag)
    assert response.status_code == 304 and queries == 0
    assert response["Cache-Control"] == "public, max-age=60" and response["ETag"] == etag
    # A change elsewhere renders the page again, but a proxy's copy is still good.
    other = Municipality.objects.exclude(pk__in=period.municipality_ids()).first()
    other.save()
    response, html, queries = get(client, url, if_none_match=etag)
    assert response.status_code == 304 and queries > 0
    period.title = "En helt ny titel"
    period.save()
    response, html, queries = get(client, url, if_none_match=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "En helt ny titel" in html


def test_sitemap_and_feed_are_cached_and_answer_conditional_gets(client, katrineholm):
    for url in (reverse("sitemap"), reverse("public:national_feed")):
        first = get(client, url)
        second = get(client, url)
        assert first[0].status_code == 200 and first[2] > 0 and second[2] == 0
        assert second[0]["Cache-Control"] == "public, max-age=60"
        etag = second[0]["ETag"]
        assert get(client, url, if_none_match=etag)[0].status_code == 304
    # The feed knows when its newest entry changed.
    since = get(client, url, if_modified_since=second[0]["Last-Modified"])
    assert since[0].status_code == 304


def test_national_export_answers_a_conditional_get_until_data_changes(client, katrineholm):
    url = reverse("public:national_json")
    first = client.get(url)
    b"".join(first.streaming_content)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == "public, max-age=60"
    period = katrineholm[2018]
    period.title = "Ny titel"
    period.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert "Ny titel" in b"".join(again.streaming_content).decode()


def test_stored_pdf_answers_a_conditional_get(client, katrineholm, signing_keys):
    from promises.documents.services import generate_document

    document = generate_document(katrineholm[2022])
    url = reverse("public:document", args=[document.sha256])
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"] == f'"{document.sha256}"'
    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    unpublish(katrineholm[2022], by=None, reason="Fel version")
    # Unpublished: gone for the public, validator or not.
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_generation_number_changes_with_each_public_write(katrineholm):
    from public.cache import public_generation

    before = public_generation()
    TertialReport.objects.filter(period=katrineholm[2018]).first().save()
    middle = public_generation()
    period = katrineholm[2020]
    period.updated_at = timezone.now()
    period.save()
    assert before != middle != public_generation()


@pytest.mark.parametrize("saves", [1, 5])
def test_a_transaction_raises_the_generation_twice_however_many_rows_it_saves(
    katrineholm, django_capture_on_commit_callbacks, saves
):
    """Once at its commit, once more after the pages rendered ahead are marked
    (public/period_pages.py, `mark_scope`): never once a row."""
    from django.core.cache import cache

    from public.cache import GENERATION_KEY, public_generation

    promises = list(Promise.objects.filter(period=katrineholm[2018])[:saves])
    assert len(promises) == saves
    before = public_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for promise in promises:
            promise.text += " (reviderad)"
            promise.save()
    assert len(callbacks) > 1
    assert cache.get(GENERATION_KEY) == before + 2


# Where the cache lives --------------------------------------------------------------------


def test_cache_url_names_a_shared_folder_redis_or_a_per_process_store():
    folder = cache_from_url("filebased:///var/cache/medborgarloften/pages")
    assert folder["BACKEND"] == "config.cache.FileBasedCache"
    assert folder["LOCATION"] == "/var/cache/medborgarloften/pages"
    assert cache_from_url("filebased:///srv/a%20b")["LOCATION"] == "/srv/a b"
    redis = cache_from_url("redis://127.0.0.1:6379/3")
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"].endswith("/3")
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    for wrong in ("filebased://relative/folder", "filebased://", "memcached://x"):
        with pytest.raises(ImproperlyConfigured):
            cache_from_url(wrong)


def test_a_count_in_the_file_cache_keeps_its_expiry(tmp_path):
    from config.cache import FileBasedCache

    store = FileBasedCache(str(tmp_path), {})
    store.set("count", 1, timeout=0.5)
    assert store.incr("count") == 2 and store.incr("count", 3) == 5
    assert store.get("count") == 5
    time.sleep(0.6)
    assert store.get("count") is None
    with pytest.raises(ValueError):
        store.incr("count")
    store.set("forever", 1, timeout=None)
    assert store.incr("forever") == 2


def test_the_file_cache_stores_pages_uncompressed_and_reads_djangos_entries(tmp_path):
    """A hit reads the page's file and unpickles it, with no inflating; what Django's own
    class wrote (zlib-compressed, before an upgrade) still reads, touches and counts."""
    import pickle

    from django.core.cache.backends.filebased import FileBasedCache as DjangosFileCache
    from django.http import HttpResponse

    from config.cache import FileBasedCache

    store, djangos = FileBasedCache(str(tmp_path), {}), DjangosFileCache(str(tmp_path), {})
    page = HttpResponse("<p>Trygghetsvandringar</p>" * 4000)
    store.set("page", (7, page), 60)
    with open(store._key_to_file("page"), "rb") as f:
        pickle.load(f)  # the expiry
        stored = f.read()
    assert pickle.loads(stored)[1].content == page.content
    assert len(stored) > len(page.content)
    assert store.get("page")[1].content == page.content
    djangos.set("old-page", (6, page), 60)
    djangos.set("old-count", 41, 60)
    assert store.get("old-page")[1].content == page.content
    assert store.touch("old-page", 120) and store.get("old-page")[0] == 6
    assert store.incr("old-count") == 42
    assert store.touch("page", 120) and store.get("page")[0] == 7


def page_address(url):
    """The page cache's key for an anonymous GET of `url` through the test client."""
    return page_key(RequestFactory().get(url))


def test_a_worker_serves_its_own_copy_while_the_generation_stands(client, katrineholm):
    url = period_url(katrineholm[2018])
    first, first_html, _queries = get(client, url)
    # The shared copy is gone: this worker still has its own, under the same generation.
    assert cache.delete(page_address(url))
    second, second_html, queries = get(client, url)
    assert queries == 0 and second_html == first_html
    assert second is not first and second["ETag"] == first["ETag"]
    # Another worker (its own middleware) has no copy and renders the page.
    assert get(Client(), url)[2] > 0
    # A new generation retires this worker's copy with the shared one.
    bump_public_generation()
    assert get(client, url)[2] > 0


def test_each_visitor_gets_a_response_of_their_own(client, katrineholm):
    url = period_url(katrineholm[2018])
    get(client, url)
    first = get(client, url)[0]
    first["X-Added-By-A-Later-Middleware"] = "1"
    second, _html, queries = get(client, url)
    assert queries == 0 and second is not first
    assert not second.has_header("X-Added-By-A-Later-Middleware")


def test_a_workers_copies_stay_within_their_memory():
    response = HttpResponse(b"x" * 1000)
    size = len(pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
    recent = RecentPages(limit=2 * size + 10)
    for key in ("a", "b", "c"):
        recent.put(key, 1, response)
    assert list(recent.pages) == ["b", "c"] and recent.size == 2 * size
    # Served last, kept longest.
    assert recent.get("b", 1).content == b"x" * 1000
    recent.put("d", 1, response)
    assert list(recent.pages) == ["b", "d"]
    # Another generation's copy is not served; a page larger than the memory is not kept.
    assert recent.get("b", 2) is None
    recent.put("e", 1, HttpResponse(b"x" * 5000))
    assert "e" not in recent.pages and recent.size == 2 * size
    assert not RecentPages(limit=0).pages


@pytest.mark.parametrize("url, kept", [
    ("dummy://", False), ("locmem://", False), ("filebased:///tmp/pages", True),
    ("redis://127.0.0.1:6379/12", True),
])
def test_copies_are_kept_only_of_a_cache_outside_the_process(settings, url, kept):
    settings.CACHES = {"default": cache_from_url(url)}
    assert keeps_recent_pages() is kept


def test_a_limit_of_nothing_keeps_no_copy(client, katrineholm, settings):
    settings.PUBLIC_PAGE_PROCESS_MEMORY_MB = 0
    url = period_url(katrineholm[2018])
    get(client, url)
    assert cache.delete(page_address(url))
    assert get(client, url)[2] > 0


def redis_is_running():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_workers_copies_retire_together_with_redis(katrineholm, settings):
    period = katrineholm[2018]
    url = period_url(period)
    # A prefix of this test's own: other test runs may share the Redis server.
    settings.CACHES = {"default": {**cache_from_url("redis://127.0.0.1:6379/12"),
                                   "KEY_PREFIX": f"test-{time.time_ns()}"}}
    workers = [Client(), Client()]  # a middleware each, as in two worker processes
    for worker in workers:
        get(worker, url)
    for worker in workers:
        assert get(worker, url)[2] == 0
    promise = Promise.objects.filter(period=period).order_by("order").first()
    promise.text = "Polisen lovar något helt nytt i centrum."
    promise.save()
    # The first renders the page anew and shares it; the second serves that, not its copy.
    pages = [get(worker, url) for worker in workers]
    assert [queries > 0 for _response, _html, queries in pages] == [True, False]
    assert all(promise.text in html for _response, html, _queries in pages)


def test_the_redis_cache_keeps_one_client_for_every_call():
    from config.cache import RedisCache

    store = RedisCache("redis://127.0.0.1:6379/3", {})
    client = store._cache.get_client()
    assert store._cache.get_client(write=True) is client
    assert store._cache.get_client("a-key") is client


def test_default_cache_is_a_folder_of_files_in_the_project(
    monkeypatch, settings_from_environment
):
    monkeypatch.delenv("CACHE_URL", raising=False)
    store = settings_from_environment().CACHES["default"]
    assert store["BACKEND"] == "config.cache.FileBasedCache"
    assert store["LOCATION"] == str(PROJECT / "cache")


# Two server processes, one cache ----------------------------------------------------------


def shared_cache_url():
    """The CACHE_URL that gives another process this test run's cache, if it can be shared."""
    store = settings.CACHES["default"]
    if store["BACKEND"].endswith("FileBasedCache"):
        return f"filebased://{quote(store['LOCATION'])}"
    if store["BACKEND"].endswith("RedisCache"):
        return store["LOCATION"]
    pytest.skip("a per-process cache cannot be shared with another process")


def database_url():
    """The URL of the test database, for a server in another process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = quote(database["USER"] or "")
    password = f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    host = database["HOST"] or "localhost"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{database['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    """(status, body) of a plain anonymous GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two gunicorn processes of one worker each, on the test database and the test run's
    cache, as the workers of one deployment are."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "two-process-test",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "CACHE_URL": shared_cache_url(),
    }
    servers = []
    for number in (1, 2):
        port = free_port()
        log = tmp_path / f"server-{number}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                 "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
                cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT,
            )
        servers.append((f"http://127.0.0.1:{port}", process, log))
    try:
        deadline = time.monotonic() + 30
        for address, process, log in servers:
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if fetch(address + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield [address for address, _process, _log in servers]
    finally:
        for _address, process, _log in servers:
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unpublished_report_leaves_every_worker_at_once(two_servers, django_user_model):
    load_demo()
    period = PromisePeriod.objects.get(municipalities__code="0483", valid_from__year=2018)
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    publisher = django_user_model.objects.create_user("publisher")
    report = unpublish(report, by=publisher, reason="Ny sammanfattning")
    report.summary = "Tertialen i korthet, som den publicerades."
    report.save()
    publish(report, by=publisher)
    url = reverse("public:tertial_report", args=[period.pk, 2018, 3])

    for server in two_servers:
        status, html = fetch(server + url)
        assert status == 200 and "Tertialen i korthet, som den publicerades." in html
    # Changed behind the cache's back (an update sends no signal): both workers still
    # serve the stored page, so what follows is the cache's doing, not a fresh render.
    TertialReport.objects.filter(pk=report.pk).update(summary="Ändrad utan signal.")
    for server in two_servers:
        status, html = fetch(server + url)
        assert status == 200 and "Ändrad utan signal." not in html

    unpublish(report, by=publisher, reason="Siffrorna var fel.")
    for server in two_servers:
        assert fetch(server + url)[0] == 404
