"""No dead ends: every link the admin shows a coordinator leads to a page they may use, and
when a page is refused after all, the 403 page says why, in Swedish."""

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from municipalities.models import Membership, Municipality
from promises.models import PromisePeriod
from tests.factories import make_draft_period, make_member, make_period

# Links that are not pages to open: leaving, or files the browser downloads.
NOT_PAGES = ("/admin/logout/", "/admin/jsi18n/")
# A list's filter and sort links, and a second row of the same kind, are the same page again.
PAGES_PER_KIND = 2


@pytest.fixture
def place(db):
    """Vingåker with a published period (followed up) and a draft one."""
    municipality = Municipality.objects.get(code="0428")
    make_period(municipality, year=2024, promises=2)
    make_draft_period(
        municipality, title="Utkast 2025", valid_from="2025-01-01", valid_to="2025-12-31",
        promises={"police": (["Fotpatrull"], ["Timmar"]), "joint": (["Vandring"], [])},
    )
    return municipality


def admin_links(html):
    """The admin addresses a page links to (not its static files)."""
    for href in re.findall(r'href="([^"#]+)"', html):
        href = unescape(href)
        if href.startswith("/admin/") and not href.startswith(NOT_PAGES):
            yield href


def crawl(client, start="/admin/", limit=400):
    """Open every admin page reachable by links from the start; {url: (status, from)}."""
    seen, per_kind, results = {start}, {}, {}
    queue = deque([(start, None)])
    while queue and len(results) < limit:
        url, referrer = queue.popleft()
        response = client.get(url)
        results[url] = (response.status_code, referrer)
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/admin/") \
                and location not in seen:
            seen.add(location)
            queue.append((location, url))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in admin_links(response.content.decode()):
            kind = re.sub(r"/\d+/", "/<id>/", urlsplit(link).path)
            if link in seen or per_kind.get(kind, 0) >= PAGES_PER_KIND:
                continue
            seen.add(link)
            per_kind[kind] = per_kind.get(kind, 0) + 1
            queue.append((link, url))
    return results


@pytest.mark.parametrize("role", ["coordinator", "police", "reviewer"])
def test_every_admin_link_a_member_is_shown_leads_to_a_page_they_may_use(place, role):
    if role == "police":
        user = make_member(role, police_area=place.police_areas.get())
    else:
        user = make_member(role, municipality=place)
    client = Client()
    client.force_login(user)
    results = crawl(client)
    assert len(results) > 10
    dead = {url: found for url, found in results.items() if found[0] not in (200, 302)}
    dead |= {url: found for url, found in results.items() if url.startswith("/admin/login/")}
    assert not dead, dead


def test_a_refusal_is_a_swedish_page_that_says_why(place, client):
    """A reviewer may read but not publish: the 403 page names the reason passed with the
    refusal, in Swedish, and leads back to the administration."""
    period = place.periods.get(status="published")
    client.force_login(make_member("reviewer", municipality=place))
    response = client.post(reverse("admin:followup_tertial_publish", args=[period.pk, 2024, 3]))
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="sv">' in page
    assert "Du får inte publicera den här rapporten." in page
    assert gettext("Not allowed") in page
    assert f'href="{reverse("admin:index")}"' in page


@pytest.mark.parametrize(("role", "url", "reason"), [
    ("reviewer", "admin:promises_promiseperiod_add",
     lambda: gettext("Your role does not let you add %(things)s.") % {
         "things": PromisePeriod._meta.verbose_name_plural}),
    ("police", "admin:municipalities_membership_changelist",
     lambda: gettext("Your role does not let you use %(things)s.") % {
         "things": Membership._meta.verbose_name_plural}),
])
def test_the_admins_own_refusals_say_why(place, client, role, url, reason):
    if role == "police":
        user = make_member(role, police_area=place.police_areas.get())
    else:
        user = make_member(role, municipality=place)
    client.force_login(user)
    response = client.get(reverse(url))
    assert response.status_code == 403
    assert escape(reason()) in response.content.decode()


def test_a_reader_posting_the_tertial_screen_is_told_why(place, client):
    period = place.periods.get(status="published")
    client.force_login(make_member("reviewer", municipality=place))
    response = client.post(reverse("admin:followup_tertial", args=[period.pk, 2024, 2]), {})
    assert response.status_code == 403
    assert escape(gettext(
        "Your role lets you read this tertial, but not enter any of its rows."
    )) in response.content.decode()
