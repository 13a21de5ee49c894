"""Hostile input against every admin form, the tertial screen, every public address and
parameter, and the verification page: a fixed corpus of known-bad values (NUL bytes,
overlong values, markup and script, spreadsheet formulas, path traversal, malformed dates,
numbers and ids) replayed everywhere, and Hypothesis drawing more.

The promise: never a server error (status < 500); every value either refused with a message
and nothing written, or stored and shown escaped (markup we send never comes back as markup,
a formula never reaches a spreadsheet as one). The corpus is fixed and Hypothesis draws a few
examples per target (see the profiles below), so the file stays within a minute.
"""

import csv
import datetime
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import Membership, Municipality, Role
from municipalities.versioning import VersionedModel
from promises.models import (
    Activity, Agreement, AgreementSection, FocusArea, Indicator, Priority, Promise,
    PromisePeriod, Signatory, SigningKey,
)
from tests.factories import forms_on, make_period

# "fuzz", the default, keeps this file within its one-minute budget on a busy two-core
# machine: the same few examples every run, and a deadline so that no hostile value makes a
# page slow. FUZZ_PROFILE=thorough tries many more fresh examples, to look harder.
settings.register_profile(
    "fuzz", max_examples=6, deadline=datetime.timedelta(seconds=5), derandomize=True,
    database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", parent=settings.get_profile("fuzz"), max_examples=400, derandomize=False
)
FUZZ = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz"))
# The admin forms are many (every model, add and change): fewer examples each.
ADMIN_FUZZ = settings(FUZZ, max_examples=max(2, FUZZ.max_examples // 3))

# The corpus --------------------------------------------------------------------------------

# Markup we send; it must never come back unescaped.
SCRIPTS = [
    "<script>alert('fuzz')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
]
# What a spreadsheet would run, had the CSV not made it text.
FORMULAS = [
    '=HYPERLINK("http://example.invalid","klicka")', "+1+cmd|' /C calc'!A0", "-2+3+cmd",
    "@SUM(1+1)*cmd", "＝1+1", "\t=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Free text: what someone could type or paste into any text field.
TEXT_CORPUS = [
    *SCRIPTS, "javascript:alert(1)", *FORMULAS,
    "\x00", "Före\x00efter",
    "x" * 100_000,
    "../../../../etc/passwd", "..\\..\\windows\\win.ini%00.pdf",
    "{{ 7|add:7 }}{% debug %}", "\u202eevil\u202c", "\r\nSet-Cookie: x=1",
    "'; DROP TABLE promises_promise; --",
]
# Dates, numbers, choices and ids.
VALUE_CORPUS = [
    "2023-02-30", "0000-00-00", "31/12/2023", "10000-01-01",
    "-1", "0", "99999999999999999999999999", "1e309", "NaN", "0x1F", "١٢٣", "1,5",
    "abc", "\x00", "", "../1", "x" * 5000,
]
HOSTILE = [*TEXT_CORPUS, *VALUE_CORPUS]
hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),  # any code point, control characters and NUL included
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)
# An inline formset's form count: a large one makes Django build and show that many rows
# (up to an inline's cap), a second or more per page, so the draws stay small and one test
# sends a huge one.
FORM_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
HUGE_COUNT = "99999999999999999999999999"
form_counts = st.one_of(
    st.integers(min_value=-5, max_value=12).map(str),
    st.sampled_from([value for value in HOSTILE if value != HUGE_COUNT]),
)

OUR_APPS = {"municipalities", "promises", "followup", "public"}


def admin_models():
    """Every model of ours with an admin."""
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
        key=lambda model: model._meta.label,
    )


def has_forms(model):
    """Whether its admin has a form at all: one a national administrator may add or change
    with (the audit log and the subscriptions are read, and at most deleted)."""
    anyone = SimpleNamespace(user=SimpleNamespace(has_perm=lambda *args: True))
    model_admin = admin.site._registry[model]
    return model_admin.has_add_permission(anyone) or model_admin.has_change_permission(anyone)


def admin_path(model):
    return f"{model._meta.app_label}/{model._meta.model_name}"


# Checks -----------------------------------------------------------------------------------

DATA_TYPES = ("application/json", "text/csv")


def assert_safe(response, *, what):
    """No server error, and no markup of ours back as markup. Data files (JSON, CSV) hold
    the text as written: they are served as data that no browser renders."""
    assert response.status_code < 500, what
    if response.streaming:
        body = b"".join(response.streaming_content).decode("utf-8", "replace")
    else:
        body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith(DATA_TYPES):
        assert response["X-Content-Type-Options"] == "nosniff", what
        return body
    for script in SCRIPTS:
        assert script not in body, f"unescaped markup in {what}"
    return body


HISTORY_TABLES = sorted(model.history.model._meta.db_table for model in apps.get_models()
                        if issubclass(model, VersionedModel))


def history_counts():
    """The number of history rows of every versioned model (every save writes one), read
    in one query."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(
            f"(SELECT COUNT(*) FROM {quote(table)})" for table in HISTORY_TABLES))
        return cursor.fetchone()


def largest_post_form(html):
    forms = [form for form in forms_on(html) if form["method"] == "post"]
    return max(forms, key=lambda form: len(form["controls"]), default=None)


# What a person clicks to save an admin form and stay on it (without a button, the admin
# reads a post of a change form as one of its actions).
SAVE_AND_CONTINUE = {"_continue": "1"}


def post(client, url, fields, *, what):
    """Post, and hold the promise: saved (a redirect), or refused, with a message when the
    page is shown again, and nothing written."""
    before = history_counts()
    response = client.post(url, fields)
    assert_safe(response, what=f"POST {url} {what}")
    if response.status_code != 302:
        if response.status_code == 200:
            body = response.content.decode()
            assert "errornote" in body or "errorlist" in body or "error" in body, url
        assert history_counts() == before, f"POST {url} {what} wrote something and refused"
    return response


def replay(client, url, overrides, *, press=None):
    """Post the form at `url` once with each set of overrides, read afresh after each save
    (so the next post is not a conflict), and show each saved row again."""
    form = largest_post_form(assert_safe(client.get(url), what=f"GET {url}"))
    saved = 0
    for number, override in enumerate(overrides):
        fields = {**form["fields"], **override, **(press or {})}
        response = post(client, url, fields, what=f"corpus post {number}")
        if response.status_code == 302:
            saved += 1
            url = response["Location"]
            form = largest_post_form(assert_safe(client.get(url), what=f"GET {url}"))
    return saved


@pytest.fixture
def fuzz_client(katrineholm, superuser_client, django_user_model):
    """A national administrator, and a row of every model to change (the demo lacks some)."""
    period = katrineholm[2022]
    municipality = period.municipalities.get()
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse",
        valid_from="2022-01-01", valid_to="2025-12-31",
    )
    agreement.municipalities.add(municipality)
    AgreementSection.objects.create(agreement=agreement, heading="Bakgrund", text="Text")
    Signatory.objects.create(agreement=agreement, party="police", title="Chef")
    FocusArea.objects.create(agreement=agreement, name="Unga")
    Priority.objects.create(period=period, text="Tryggare centrum")
    Indicator.objects.create(promise=period.promises.first(), name="Anmälda brott",
                             target_comparison="at_most", target_value=10)
    SigningKey.objects.create(police_area=period.police_area, kind="pkcs11",
                              pkcs11_module="/usr/lib/softhsm/libsofthsm2.so")
    Membership.objects.create(
        user=django_user_model.objects.create_user("fuzz-member", password="x" * 16),
        role=Role.COORDINATOR, municipality=municipality,
    )
    superuser_client.raise_request_exception = True
    return superuser_client


def form_url(model):
    """The change form of the model's first row, or its add form when it has none."""
    row = model._base_manager.order_by("pk").first()
    suffix = f"{row.pk}/change/" if row else "add/"
    return f"/admin/{admin_path(model)}/{suffix}"


# Admin forms: the corpus ------------------------------------------------------------------

def free_text_names(model):
    """Fields of the model (and of its admin's inlines) that take any text."""
    names = set()
    model_admin = admin.site._registry[model]
    for each in [model, *(inline.model for inline in model_admin.inlines)]:
        for field in each._meta.get_fields():
            if type(field) in (models.CharField, models.TextField) and not field.choices:
                if not [v for v in field.validators if type(v).__name__ not in {
                        "MaxLengthValidator", "ProhibitNullCharactersValidator"}]:
                    names.add(field.name)
    return names


def corpus_overrides(form, text_names):
    """Posts that together send every corpus value: free-text controls get the text corpus,
    the others (choices, dates, numbers, ids, versions) the value corpus, each post the
    form's own values elsewhere."""
    controls = [name for name in form["controls"] if name != "csrfmiddlewaretoken"
                and "__prefix__" not in name and not name.endswith(FORM_COUNTS)]
    text = [name for name in controls if name.rsplit("-", 1)[-1] in text_names
            and form["types"][name] in {"text", "textarea"}]
    values = [name for name in controls if name not in text]
    # Text any field stores apart, so one post of them may be saved; NUL bytes and the
    # overlong value (refused by every field, or by most) in posts of their own.
    limits = [value for value in TEXT_CORPUS if "\x00" in value or len(value) > 1000]
    storable = [value for value in TEXT_CORPUS if value not in limits]
    for names, corpus in ((text, storable), (text, limits), (values, VALUE_CORPUS)):
        if not names:
            continue
        for start in range(0, len(corpus), len(names)):
            yield {name: [corpus[(start + offset) % len(corpus)]]
                   for offset, name in enumerate(names)}


FORM_MODELS = [model for model in admin_models() if has_forms(model)]


@pytest.mark.parametrize("model", FORM_MODELS, ids=admin_path)
def test_every_admin_form_refuses_or_escapes_the_hostile_corpus(model, fuzz_client):
    url = form_url(model)
    form = largest_post_form(fuzz_client.get(url).content.decode())
    text_names = free_text_names(model)
    saved = replay(fuzz_client, url, corpus_overrides(form, text_names),
                   press=SAVE_AND_CONTINUE)
    takes_text = any(name.rsplit("-", 1)[-1] in text_names for name in form["controls"])
    # Hostile text was stored, not only sent, and is shown escaped in the form (by replay),
    # the list and the history.
    assert saved or not takes_text
    for page in (f"/admin/{admin_path(model)}/", url.replace("/change/", "/history/")):
        assert_safe(fuzz_client.get(page), what=f"GET {page}")


def test_every_admin_form_is_fuzzed():
    """The forms are read from the admin, so a new model is fuzzed without anyone
    remembering to add it; every versioned model is edited in one of them."""
    expected = {
        "municipalities/policeregion", "municipalities/county", "municipalities/municipality",
        "municipalities/policearea", "municipalities/membership", "promises/signingkey",
        "promises/agreement", "promises/promiseperiod", "promises/promise", "promises/activity",
        "promises/indicator", "promises/focusarea", "promises/signatory", "promises/priority",
        "followup/followup", "followup/tertialreport", "followup/yearendcomment",
    }
    assert {admin_path(model) for model in FORM_MODELS} >= expected
    in_forms = {*FORM_MODELS, *(inline.model for model in FORM_MODELS
                                for inline in admin.site._registry[model].inlines)}
    versioned = {model for model in apps.get_models() if issubclass(model, VersionedModel)}
    assert versioned <= in_forms  # AgreementSection, for one, only in the agreement's form


HOSTILE_IDS = ["abc", "-1", "0", HUGE_COUNT, "%00", "..%2F..%2Fetc", "1%27%20OR%201=1",
               "<script>alert('fuzz')</script>"]


@pytest.mark.parametrize("model", admin_models(), ids=admin_path)
def test_admin_addresses_and_lists_survive_hostile_ids_and_parameters(model, fuzz_client):
    base = f"/admin/{admin_path(model)}/"
    for number, hostile_id in enumerate(HOSTILE_IDS):
        view = ("change", "delete", "history")[number % 3]
        url = f"{base}{hostile_id}/{view}/"
        assert_safe(fuzz_client.get(url), what=url)
    names = ["q", "o", "p", "e", "all", "_to_field", "_popup", "valid_from__gte", "status__exact"]
    for start in range(0, len(HOSTILE), len(names)):
        params = {name: HOSTILE[(start + offset) % len(HOSTILE)]
                  for offset, name in enumerate(names)}
        assert_safe(fuzz_client.get(base, params), what=f"list {base} {params!r}"[:300])


INLINE_ROWS = 50  # at most, in any inline (municipalities/admin_rules.py)


def test_admin_inlines_refuse_a_huge_form_count_without_building_it(fuzz_client):
    """The huge count the draws leave out: refused with a message, and the page shows no
    more rows than an inline holds (not Django's 2,000, minutes of work per request)."""
    url = "/admin/promises/promiseperiod/add/"
    form = largest_post_form(fuzz_client.get(url).content.decode())
    count = next(name for name in form["controls"] if name.endswith("-TOTAL_FORMS"))
    prefix = count.removesuffix("-TOTAL_FORMS")
    response = fuzz_client.post(url, {**form["fields"], count: [HUGE_COUNT],
                                      **SAVE_AND_CONTINUE})
    body = assert_safe(response, what=f"POST {url} with {count}={HUGE_COUNT}")
    assert response.status_code == 200 and "errorlist" in body
    rows = set(re.findall(rf'id="{prefix}-(\d+)"', body))
    assert 0 < len(rows) <= INLINE_ROWS


def test_every_inline_holds_a_bounded_number_of_rows(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    inlines = [inline for model in FORM_MODELS
               for inline in admin.site._registry[model].get_inline_instances(request)]
    assert len(inlines) >= 9
    for inline in inlines:
        formset = inline.get_formset(request)
        assert formset.absolute_max <= INLINE_ROWS, type(inline).__name__
        assert formset.max_num <= formset.absolute_max


# Admin forms: Hypothesis ------------------------------------------------------------------

def fuzzed(form, data, *, foreign_ids=()):
    """The form's own values, some replaced by hostile ones (foreign ids for selects)."""
    fields = {}
    for name in form["controls"]:
        values = form["fields"].get(name, [])
        if name == "csrfmiddlewaretoken" or "__prefix__" in name:
            fields[name] = values  # the inlines' empty template row: Django ignores it
            continue
        if not data.draw(st.booleans(), label=name):
            fields[name] = values
            continue
        if name.endswith(FORM_COUNTS):
            fields[name] = [data.draw(form_counts, label=name)]
        elif form["options"].get(name):
            choices = st.sampled_from(form["options"][name] + [str(i) for i in foreign_ids])
            fields[name] = [data.draw(st.one_of(choices, hostile_values), label=name)]
        else:
            fields[name] = [data.draw(hostile_values, label=name)]
    return fields


def submit(client, url, data, *, foreign_ids=(), forms):
    """Post the form at `url` (read once, kept in `forms`) with some values made hostile."""
    if url not in forms:
        page = client.get(url)
        body = assert_safe(page, what=f"GET {url}")
        forms[url] = largest_post_form(body) if page.status_code == 200 else None
    form = forms[url]
    if form is None:
        return None
    fields = fuzzed(form, data, foreign_ids=foreign_ids)
    if url.startswith("/admin/") and "/tertial/" not in url and data.draw(st.booleans(),
                                                                         label="save"):
        fields.update(SAVE_AND_CONTINUE)
    response = post(client, url, fields, what="fuzzed")
    if response.status_code == 302:
        assert_safe(client.get(response["Location"]), what=f"GET {response['Location']}")
    return response


@pytest.mark.parametrize("model", FORM_MODELS, ids=admin_path)
def test_admin_add_forms_survive_drawn_hostile_values(model, fuzz_client):
    """Drawn values on the add forms (the corpus above goes to the change forms)."""
    url = f"/admin/{admin_path(model)}/add/"
    forms = {}

    @ADMIN_FUZZ
    @given(data=st.data())
    def run(data):
        submit(fuzz_client, url, data, forms=forms)

    run()


@pytest.fixture
def coordinator_client(katrineholm, django_user_model):
    """A Katrineholm coordinator, and a period of another municipality to aim at."""
    user = django_user_model.objects.create_user("fuzz-coordinator", password="x" * 16,
                                                 is_staff=True)
    Membership.objects.create(user=user, role=Role.COORDINATOR,
                              municipality=Municipality.objects.get(code="0483"))
    other = make_period(Municipality.objects.get(code="0428"), year=2024)
    client = Client()
    client.force_login(user)
    return client, other


def test_coordinator_cannot_reach_other_municipalitys_rows_with_forged_ids(coordinator_client):
    client, other = coordinator_client
    foreign_ids = [*Promise.objects.filter(period=other).values_list("pk", flat=True),
                   other.pk]

    def foreign_rows():
        return (sorted(Activity.objects.filter(promise__period=other).values_list("pk", "text")),
                sorted(Promise.objects.filter(period=other).values_list("pk", "text")),
                sorted(FollowUp.objects.filter(promise__period=other)
                       .values_list("pk", "account", "version")),
                PromisePeriod.objects.filter(pk=other.pk).values_list("title", "status")[0])

    before = foreign_rows()
    own = PromisePeriod.objects.filter(municipalities__code="0483").order_by("pk").first()
    foreign_activity = Activity.objects.filter(promise__period=other).first()
    urls = [
        "/admin/promises/activity/add/", "/admin/promises/promise/add/",
        "/admin/followup/followup/add/",
        f"/admin/promises/promiseperiod/{own.pk}/change/",
        f"/admin/promises/promiseperiod/{other.pk}/change/",
        f"/admin/promises/activity/{foreign_activity.pk}/change/",
    ]
    forms = {}

    @ADMIN_FUZZ
    @given(data=st.data(), url=st.sampled_from(urls))
    def run(data, url):
        submit(client, url, data, foreign_ids=foreign_ids, forms=forms)

    run()
    assert foreign_rows() == before


# The tertial screen -----------------------------------------------------------------------

def screen_urls(period):
    return [f"/admin/followup/followup/tertial/{period.pk}/{period.valid_from.year}/{n}/"
            for n in (1, 2, 3)]


def test_tertial_screen_refuses_or_escapes_the_hostile_corpus(katrineholm, fuzz_client):
    url = screen_urls(katrineholm[2018])[2]  # the published T3: saved rows are public at once
    form = largest_post_form(fuzz_client.get(url).content.decode())
    assert replay(fuzz_client, url, corpus_overrides(form, {"account", "internal_note"}))
    assert FollowUp.objects.filter(account__in=SCRIPTS).exists()
    period_page = fuzz_client.get(reverse("public:period", args=[katrineholm[2018].pk]))
    assert_safe(period_page, what="the period's page after the screen's corpus")


def test_tertial_screen_survives_drawn_hostile_values(katrineholm, fuzz_client):
    assert fuzz_client.get("/admin/followup/followup/tertial/").status_code == 200
    forms = {}

    @FUZZ
    @given(data=st.data(), url=st.sampled_from(screen_urls(katrineholm[2018])))
    def run(data, url):
        submit(fuzz_client, url, data, forms=forms)

    run()


@FUZZ
@given(year=st.integers(-10, 10**6), number=st.integers(-5, 99),
       pk=st.integers(0, 2**63 - 1))
def test_tertial_screen_addresses_survive_impossible_tertials(year, number, pk, katrineholm,
                                                              superuser_client):
    period = katrineholm[2018]
    for url in [f"/admin/followup/followup/tertial/{period.pk}/{year}/{number}/",
                f"/admin/followup/followup/tertial/{pk}/",
                f"/admin/followup/followup/tertial/?period={pk}&tertial={year}&year={number}"]:
        assert_safe(superuser_client.get(url), what=url)


# Public addresses and parameters ----------------------------------------------------------

def public_routes():
    """(route, converters) of every address outside the admin, in Swedish and in English."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, dict(pattern.pattern.converters)

    routes = {}
    for language in ("sv", "en"):
        with translation.override(language):
            routes.update(walk(get_resolver().url_patterns, ""))
    return sorted(routes.items())


def fill_route(route, converters, value_of):
    def replace(match):
        name = match.group("name")
        return value_of(name, converters.get(name))

    return "/" + re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>", replace, route)


HOSTILE_INTS = ["0", "1", HUGE_COUNT, str(2**63)]
HOSTILE_STRS = ["<script>alert('fuzz')</script>", "..%2F..%2Fetc%2Fpasswd", "%00",
                "x" * 3000, "%E2%80%AE", "katrineholm"]


def valid_args(katrineholm):
    period = katrineholm[2018]
    values = {"pk": period.pk, "year": 2018, "tertial": 3, "slug": "katrineholm",
              "sha256": "0" * 64}
    return lambda name, converter: str(values.get(name, "1"))


def is_int(converter):
    return type(converter).__name__ == "IntConverter"


def test_every_public_address_survives_hostile_path_values(katrineholm, client):
    routes = public_routes()
    assert len(routes) >= 30  # both languages of the public app, and the site-wide ones
    for route, converters in routes:
        if not converters:
            continue
        for number in range(max(len(HOSTILE_INTS), len(HOSTILE_STRS))):
            url = fill_route(route, converters, lambda _name, converter, number=number: (
                hostile := HOSTILE_INTS if is_int(converter) else HOSTILE_STRS
            )[number % len(hostile)])
            assert_safe(client.get(url), what=url[:200])


PUBLIC_PARAMETERS = ["q", "preview", "p", "page", "next", "language"]


def test_every_public_address_survives_hostile_parameters(katrineholm, client):
    fill = valid_args(katrineholm)
    for route, converters in public_routes():
        url = fill_route(route, converters, fill)
        for start in range(0, len(HOSTILE), len(PUBLIC_PARAMETERS)):
            params = {name: HOSTILE[(start + offset) % len(HOSTILE)]
                      for offset, name in enumerate(PUBLIC_PARAMETERS)}
            params[HOSTILE[start % len(HOSTILE)][:100]] = "1"
            response = client.get(url, params)
            assert_safe(response, what=f"{url} {params!r}"[:300])


def public_post_forms(client, katrineholm):
    """Every form posted on a public page (subscribing, verifying a PDF, …), each once."""
    fill = valid_args(katrineholm)
    found = {}
    for route, converters in public_routes():
        url = fill_route(route, converters, fill)
        response = client.get(url)
        if response.status_code != 200 or response.streaming or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        for form in forms_on(response.content.decode()):
            if form["method"] == "post":
                form["url"] = form["action"] or url
                found.setdefault((form["url"], tuple(form["controls"])), form)
    return list(found.values())


@override_settings(SUBSCRIBE_REQUESTS_PER_MINUTE=0, SUBSCRIBE_REQUESTS_PER_ADDRESS_PER_HOUR=0,
                   VERIFY_UPLOADS_PER_MINUTE=0)
def test_every_public_form_refuses_or_escapes_the_hostile_corpus(katrineholm, client):
    forms = public_post_forms(client, katrineholm)
    assert {form["url"] for form in forms} >= {"/prenumerera/", "/en/prenumerera/",
                                               "/verifiera/"}
    for form in forms:
        typed = {name for name in form["controls"]
                 if form["types"][name] in {"text", "email", "search", "textarea", "url"}}
        for number, override in enumerate(corpus_overrides(form, typed)):
            response = client.post(form["url"], {**form["fields"], **override})
            assert_safe(response, what=f"POST {form['url']} corpus post {number}")
            if response.status_code == 302:
                assert_safe(client.get(response["Location"]), what=response["Location"])


@pytest.mark.parametrize("next_url", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "\x00", "../../etc/passwd",
])
def test_the_language_switch_never_sends_anyone_elsewhere(db, client, next_url):
    for language in ["en", "<script>alert('fuzz')</script>", "\x00", "x" * 5000]:
        response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
        assert_safe(response, what=f"setlang {language!r} {next_url!r}")
        location = response.get("Location", "")
        assert not re.match(r"^(\w+:|//|/\\)", location), location


def test_search_refuses_or_answers_every_hostile_query(katrineholm, client):
    for query in HOSTILE:
        for url in ["/sok/", "/en/sok/"]:
            response = client.get(url, {"q": query})
            assert_safe(response, what=f"search {query[:40]!r}")
            assert response.status_code in {200, 400}


@FUZZ
@given(query=hostile_values, extra=st.dictionaries(st.sampled_from(["page", "typ", "kommun"]),
                                                   hostile_values, max_size=2))
def test_search_survives_drawn_hostile_queries(query, extra, katrineholm, client):
    for url in ["/sok/", "/en/sok/"]:
        response = client.get(url, {"q": query, **extra})
        assert_safe(response, what=f"search {query!r}")
        if "\x00" in query:
            assert response.status_code in {200, 400}


@FUZZ
@given(pk=st.one_of(st.integers(-1, 2**63 + 5), st.sampled_from([0, 1, 2, 3])),
       params=st.dictionaries(hostile_values, hostile_values, max_size=3))
def test_exports_survive_drawn_hostile_parameters(pk, params, katrineholm, client):
    for url in [f"/medborgarloften/{pk}/data.json", f"/medborgarloften/{pk}/data.csv",
                "/oppna-data/medborgarloften.json", "/oppna-data/medborgarloften.csv",
                "/atom.xml", f"/medborgarloften/{pk}/"]:
        assert_safe(client.get(url, params), what=f"{url} {params!r}")


# Stored hostile text on the public site ---------------------------------------------------

def csv_cells(body):
    return [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]


def test_hostile_text_stored_anywhere_is_shown_escaped_and_never_as_a_formula(
    katrineholm, client
):
    """Every text of the corpus the database holds (PostgreSQL holds no NUL), stored in what
    citizens read: every public page shows it as text, the CSV files never as a formula."""
    storable = [text for text in TEXT_CORPUS if "\x00" not in text]
    values = iter(storable * 3)
    period = katrineholm[2018]
    for name in ("title", "introduction", "situation", "citizen_experience", "effects",
                 "followup_description", "contact_name", "contact_role"):
        limit = PromisePeriod._meta.get_field(name).max_length
        setattr(period, name, next(values)[:limit])
    period.save()
    for promise in period.promises.all():
        promise.text = next(values)
        promise.target_text = next(values)[:255]
        promise.save()
    for activity in Activity.objects.filter(promise__period=period):
        activity.text = next(values)
        activity.save()
    for followup in FollowUp.objects.filter(promise__period=period):
        followup.account = next(values)
        followup.save()
    for report in TertialReport.objects.filter(period=period):
        report.summary = next(values)
        report.save()
    for comment in YearEndComment.objects.filter(promise__period=period):
        comment.text = next(values)
        comment.save()
    municipality = period.municipalities.get()
    urls = [
        "/", "/en/", municipality.get_absolute_url(), reverse("public:period", args=[period.pk]),
        reverse("public:tertial_report", args=[period.pk, 2018, 3]),
        reverse("public:period_json", args=[period.pk]),
        reverse("public:national_json"), "/atom.xml",
        reverse("public:municipality_feed", args=[municipality.slug]), "/sitemap.xml",
        "/sok/?q=trygghet", "/sok/?q=alert", "/sok/?q=HYPERLINK",
    ]
    for url in urls:
        body = assert_safe(client.get(url), what=url)
        if url.endswith(".xml"):
            ET.fromstring(body.encode())  # well-formed: nothing broke out of the markup
    for url in [reverse("public:period_csv", args=[period.pk]), reverse("public:national_csv")]:
        cells = csv_cells(assert_safe(client.get(url), what=url))
        formulas = [cell for cell in cells if cell.startswith(FORMULA_START)
                    and not re.fullmatch(r"-?\d+(\.\d+)?", cell)]
        assert formulas == [], url
        assert {f"'{formula}" for formula in FORMULAS} & set(cells)  # kept, as text
    data = json.loads(assert_safe(client.get(reverse("public:period_json", args=[period.pk])),
                                  what="period JSON"))
    assert data["title"] == SCRIPTS[0]  # stored and served as written, as data


# The verification page --------------------------------------------------------------------

VERIFY_CONTENT = [b"", b"%PDF-", b"%PDF-1.7\n%%EOF", b"%PDF-1.7\n1 0 obj<<>>\n" * 200,
                  b"\x00" * 1000, b"<script>alert('fuzz')</script>"]


def test_verification_page_refuses_the_hostile_corpus(db, client):
    with override_settings(VERIFY_UPLOADS_PER_MINUTE=0):
        for number, name in enumerate(TEXT_CORPUS):
            filename = re.sub(r"[/\\]", "_", name)[:200] or "x.pdf"
            upload = SimpleUploadedFile(filename, VERIFY_CONTENT[number % len(VERIFY_CONTENT)],
                                        content_type="application/pdf")
            extra = {VALUE_CORPUS[number % len(VALUE_CORPUS)][:50] or "x": name[:1000]}
            response = client.post("/verifiera/", {"file": upload, **extra})
            assert_safe(response, what=f"verify {filename[:40]!r}")
            assert response.status_code in {400, 413}
        for value in HOSTILE:
            assert_safe(client.get("/verifiera/", {"file": value, "q": value}),
                        what=f"GET verify {value[:20]!r}")


pdf_like = st.one_of(
    st.binary(max_size=4096),
    st.binary(max_size=2048).map(lambda b: b"%PDF-1.7\n" + b),
    st.sampled_from(VERIFY_CONTENT),
)


@FUZZ
@given(content=pdf_like, name=st.one_of(st.sampled_from(HOSTILE[:12]), st.text(max_size=80)))
def test_verify_upload_survives_drawn_hostile_files(content, name, db, client):
    upload = SimpleUploadedFile(re.sub(r"[/\\]", "_", name) or "x.pdf", content,
                                content_type="application/pdf")
    # Every example comes from one address: the upload limit per minute would answer 429.
    with override_settings(VERIFY_UPLOADS_PER_MINUTE=0):
        response = client.post("/verifiera/", {"file": upload})
    assert_safe(response, what=f"verify {content[:20]!r}")
    assert response.status_code in {200, 400, 413}
    body = response.content.decode()
    assert 'class="errorlist' in body or "error" in body or "SHA-256" in body


def test_the_corpus_holds_what_it_promises():
    """NUL bytes, overlong values, markup and script, formulas (full-width too), path
    traversal, malformed dates and ids: a corpus that lost one would test less unnoticed."""
    assert any("\x00" in value for value in TEXT_CORPUS)
    assert any("\x00" in value for value in VALUE_CORPUS)
    assert max(map(len, TEXT_CORPUS)) >= 100_000
    assert any(value.startswith("＝") for value in FORMULAS)
    assert any("../" in value for value in TEXT_CORPUS)
    assert {"2023-02-30", "31/12/2023", "abc", HUGE_COUNT} <= set(VALUE_CORPUS)
