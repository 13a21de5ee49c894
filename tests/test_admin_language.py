"""The Swedish admin speaks Swedish: every admin page type, walked as a national administrator
and as a coordinator, shows none of the English phrases Django, the history app, the lockout
app and the two-factor app would show where a translation is missing; and the admin's own
JavaScript catalogue translates what the date widgets write into the page."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from municipalities.models import Municipality
from tests.factories import make_member
from tests.test_admin_pages import every_model_has_a_row  # noqa: F401 (a fixture)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)

# Phrases that mean an untranslated string. Whole words, matched case-sensitively in what a
# person reads or hears: text, and the titles, labels and button values of the page.
ENGLISH = [
    "Select an option", "Filter by", "Note: You are", "Note: Enter times", "History",
    "Change history", "Add another", "Save and", "Delete", "Yes, I’m sure", "Yes, I'm sure",
    "No, take me back", "Are you sure", "Log in", "Log out", "Logout", "Password",
    "Username", "Search", "Show counts", "Hide counts", "Clear all filters", "Home",
    "Welcome", "View site", "Recent actions", "None available", "Date/time", "Changed by",
    "Change reason", "Revert", "Press the", "Object", "Attempt time", "Attempt Time",
    "IP Address", "User Agent", "Path", "Form Data", "GET Data", "Locked out", "Failures",
    "Access attempt", "Access log", "Access failure", "Django OTP", "TOTP device",
    "Last used", "Created at", "Confirmed", "Throttling", "Tolerance", "Drift", "Digits",
    "Task result", "Queue name", "Priority", "Enqueued", "Started", "Finished",
    "Exception", "Traceback", "Arguments", "Return value", "Run after", "Backend",
    "Forgot your password", "Reset my password", "Password reset", "Email address",
    "Change password", "Change my password", "New password", "Invite", "Invitation",
    "Search by", "Identity", "Timestamps", "Configuration",
    "Choose all", "Remove all", "Available", "Chosen", "Filter",
]
PHRASES = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])" for phrase in ENGLISH)
)
# Attributes a person reads or hears.
SPOKEN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-placeholder"}


class _Spoken(HTMLParser):
    """The text of a page and its spoken attributes, without scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self.skipping += 1
        attrs = dict(attrs)
        for name in SPOKEN_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_on(html):
    parser = _Spoken()
    parser.feed(html)
    # Each phrase with the text around it, so a failure says where it is.
    return sorted({
        " ".join(part.split())[:80] for part in parser.parts if PHRASES.search(part)
    })


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def admin_page_urls(model):
    """Every page type of one model's admin: changelist (also searched and filtered), add,
    change, history, delete, and simple-history's list and revert form."""
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model._default_manager.order_by("pk").first()
    urls = [_url(f"{base}_changelist")]
    urls.append(urls[0] + "?q=zzz")
    urls.append(_url(f"{base}_add"))
    if obj is not None:
        urls += [_url(f"{base}_change", obj.pk), _url(f"{base}_history", obj.pk),
                 _url(f"{base}_delete", obj.pk)]
        if hasattr(model, "history"):
            record = obj.history.order_by("history_id").first()
            if record is not None:
                urls.append(_url(f"{base}_simple_history", obj.pk, record.history_id))
    return [url for url in urls if url]


def walk(client, urls):
    """{url: English phrases found} for every page the client may open."""
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code in {302, 403, 404}:
            continue
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if phrases := english_on(response.content.decode()):
            found[url] = phrases
    return found


def site_urls():
    app_labels = sorted({model._meta.app_label for model in REGISTERED})
    return [reverse("admin:index"), reverse("admin:password_change"),
            *(reverse("admin:app_list", args=[label]) for label in app_labels)]


@pytest.fixture
def coordinator_client(katrineholm):
    user = make_member(
        "coordinator", municipality=Municipality.objects.get(code="0483"), username="eva"
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
@pytest.mark.usefixtures("every_model_has_a_row")
def test_a_national_administrator_sees_no_english(model, superuser_client):
    assert walk(superuser_client, admin_page_urls(model)) == {}


@pytest.mark.usefixtures("every_model_has_a_row")
def test_the_admin_site_pages_have_no_english(superuser_client):
    assert walk(superuser_client, site_urls()) == {}


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
@pytest.mark.usefixtures("every_model_has_a_row")
def test_a_coordinator_sees_no_english(model, coordinator_client):
    assert walk(coordinator_client, admin_page_urls(model)) == {}


def test_the_tertial_screen_has_no_english(katrineholm, coordinator_client):
    period = katrineholm[2022]
    urls = [reverse("admin:followup_tertial_choose"),
            reverse("admin:followup_tertial", args=[period.pk, 2022, 1])]
    assert walk(coordinator_client, urls) == {}


@pytest.mark.parametrize("two_factor", [False, True], ids=["password", "two-factor"])
def test_the_login_pages_have_no_english(db, client, settings, two_factor):
    settings.REQUIRE_2FA = two_factor
    assert walk(client, [reverse("admin:login"), reverse("admin_password_reset"),
                         reverse("password_reset_done"),
                         reverse("password_reset_confirm", args=["MQ", "wrong"])]) == {}
    # A failed attempt shows the form's own messages.
    response = client.post(reverse("admin:login"), {"username": "nobody", "password": "x"})
    assert english_on(response.content.decode()) == []


def test_the_logged_out_page_has_no_english(superuser_client):
    response = superuser_client.post(reverse("admin:logout"))
    assert english_on(response.content.decode()) == []


def test_the_date_widgets_speak_swedish(superuser_client):
    """The calendar, the clock and the time-zone note are written by the admin's JavaScript
    from its catalogue: every string it asks for has a Swedish translation."""
    response = superuser_client.get(reverse("admin:jsi18n"))
    body = response.content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", body, re.S).group(1))
    for msgid in [
        "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)",
        "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour behind.)",
        "Today (%(date)s)", "Yesterday (%(date)s)", "Tomorrow (%(date)s)",
        "Previous (%(month)s %(year)s)", "Next (%(month)s %(year)s)",
        "%(month)s %(day)s, %(year)s", "%s (today)", "server", "Today", "Now",
    ]:
        assert msgid in catalog, msgid
