"""Every kind of public page tells browsers and proxies (nginx in front, docs/deploy.md) how
long they may keep it and how to ask again: anonymous visitors get `Cache-Control: public,
max-age` with an `ETag` (the feeds a `Last-Modified` too), a conditional GET that names the
copy they hold gets `304 Not Modified` without a body, and nothing sets a cookie. That holds
with the default file cache and with the page cache off (`CACHE_URL=dummy://`), where
ConditionalGetMiddleware hashes each page's bytes. A signed-in editor's copy is for no
cache at all. (The stored PDFs: tests/test_cache.py.)"""


import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_agreement

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Streamed whole-country files: without the page cache there is no public generation to
# name their version, and hashing them would mean building them (docs/scaling.md).
STREAMED = {"national_json", "national_csv"}


def public_pages(katrineholm):
    """{page type: address} of every kind of public page, Swedish and English."""
    period = katrineholm[2018]
    agreement = make_agreement(period, linked=False)
    slug = period.municipalities.get().slug
    pages = {
        "home": reverse("public:home"),
        "municipality": reverse("public:municipality", args=[slug]),
        "period": reverse("public:period", args=[period.pk]),
        "tertial_report": reverse("public:tertial_report", args=[period.pk, 2018, 3]),
        "agreement": reverse("public:agreement", args=[agreement.pk]),
        "search": reverse("public:search") + "?q=Katrineholm",
        "overview": reverse("public:overview"),
        "overview_csv": reverse("public:overview_csv"),
        "overview_xlsx": reverse("public:overview_xlsx"),
        "national_feed": reverse("public:national_feed"),
        "municipality_feed": reverse("public:municipality_feed", args=[slug]),
        "period_json": reverse("public:period_json", args=[period.pk]),
        "period_csv": reverse("public:period_csv", args=[period.pk]),
        "period_xlsx": reverse("public:period_xlsx", args=[period.pk]),
        "national_json": reverse("public:national_json"),
        "national_csv": reverse("public:national_csv"),
        "national_xlsx": reverse("public:national_xlsx"),
        "sitemap": reverse("sitemap"),
        "accessibility": reverse("public:accessibility"),
        "privacy": reverse("public:privacy"),
    }
    pages |= {f"{name} (en)": "/en" + pages[name] for name in (
        "home", "municipality", "period", "tertial_report", "agreement", "search", "overview",
        "accessibility",
    )}
    return pages


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize("store", ["file cache", "no cache"])
def test_every_public_page_is_cacheable_and_answers_conditional_gets(katrineholm, store):
    with override_settings(**({"CACHES": NO_CACHE} if store == "no cache" else {})):
        client = Client()
        for name, url in public_pages(katrineholm).items():
            for attempt in ("first", "again"):  # built, then (with the cache) from the cache
                response, body = fetch(client, url)
                assert response.status_code == 200, (name, attempt)
                assert response["Cache-Control"] == "public, max-age=60", (name, attempt)
                assert "Cookie" in response["Vary"], name
                assert not response.cookies, name
                if response["Content-Type"].startswith("text/html"):
                    html = body.decode()
                    assert "csrfmiddlewaretoken" not in html, name
                    # The language switch is a link, not a form that sets a cookie.
                    assert "/i18n/setlang" not in html and 'hreflang="' in html, name
            if store == "no cache" and name in STREAMED:
                continue
            etag = response["ETag"]
            assert etag, name
            not_modified, body = fetch(client, url, if_none_match=etag)
            assert not_modified.status_code == 304, name
            assert body == b"", name
            assert not_modified["Cache-Control"] == "public, max-age=60", name
            assert not_modified["ETag"] == etag, name
            if response.has_header("Last-Modified"):
                since, body = fetch(client, url,
                                    if_modified_since=response["Last-Modified"])
                assert since.status_code == 304 and body == b"", name
            # Another version's ETag gets the page.
            assert fetch(client, url, if_none_match='"something-else"')[0].status_code == 200


def test_the_feeds_know_when_they_last_changed(katrineholm):
    pages = public_pages(katrineholm)
    for name in ("national_feed", "municipality_feed"):
        response, _ = fetch(Client(), pages[name])
        assert response.has_header("Last-Modified"), name


def test_a_signed_in_editor_gets_every_public_page_for_no_cache(katrineholm, superuser_client):
    for name, url in public_pages(katrineholm).items():
        response, _ = fetch(superuser_client, url)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store", name
