"""The public pages: what citizens see, what they never see, and how the pages are built."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, Measurement, TertialReport
from municipalities.models import Membership, Municipality
from promises.models import Indicator, PromisePeriod
from tests.factories import make_period


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def period_url(period):
    return reverse("public:period", kwargs={"pk": period.pk})


def report_url(period, year, tertial):
    return reverse(
        "public:tertial_report", kwargs={"pk": period.pk, "year": year, "tertial": tertial}
    )


def test_period_page_shows_the_2018_follow_up_table(client, katrineholm):
    html = page(client, period_url(katrineholm[2018]))
    assert "<h1>Lokala medborgarlöften i Katrineholms kommun år 2018</h1>" in html
    assert "Kommunen lovar" in html and "Vi lovar gemensamt" in html
    assert "Arbeta i SIG grupper" in html
    assert "Socialen och polisen träffas minst en gång i månaden" in html
    assert "Uppföljning 2018, per tertial" in html
    assert "Utfört och pågående" in html  # the status in words, beside its marker
    assert "Kommunen har med hjälp av KfV marknadsföring" in html  # year-end comment


def test_period_page_lists_signatories_and_is_in_english_under_en(client, katrineholm):
    html = page(client, "/en" + period_url(katrineholm[2020]))
    assert '<html lang="en">' in html
    assert "The police promise" in html and "The municipality promises" in html
    assert "Liselotte Jergard" in html and "Signatories" in html


def test_period_spanning_two_years_shows_a_table_per_year(client, db):
    period = make_period(year=2024, years=2)
    html = page(client, period_url(period))
    assert "Uppföljning 2024, per tertial" in html
    assert "Uppföljning 2025, per tertial" in html


def test_indicator_values_show_progress_against_the_target(client, db):
    period = make_period(indicators=1, reports=(1, 2, 3))
    html = page(client, period_url(period))
    # Target 10, tertial 2 value 6: 60 %.
    assert '<progress max="100" value="60"' in html
    assert "60 % av målet" in html


@pytest.mark.django_db
def test_draft_period_is_404_for_the_public_and_other_coordinators(client, django_user_model):
    draft = make_period(published=False)
    assert client.get(period_url(draft)).status_code == 404
    other = django_user_model.objects.create_user("other", password="x" * 16)
    Membership.objects.create(
        user=other, role="coordinator", municipality=Municipality.objects.get(slug="håbo")
    )
    client.force_login(other)
    assert client.get(period_url(draft)).status_code == 404


@pytest.mark.django_db
def test_editor_sees_a_marked_preview_of_a_draft(client, django_user_model):
    draft = make_period(published=False)
    editor = django_user_model.objects.create_user("editor", password="x" * 16)
    Membership.objects.create(user=editor, role="coordinator", municipality=draft.municipality)
    client.force_login(editor)
    html = page(client, period_url(draft))
    assert "preview-banner" in html and "är ett utkast och är inte publicerat" in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.django_db
def test_unpublished_tertial_follow_up_is_hidden_from_citizens(client, django_user_model):
    period = make_period(reports=(1,))
    html = page(client, period_url(period))
    assert "Redovisning T1 för aktivitet 0" in html
    assert "Redovisning T2 för aktivitet 0" not in html
    assert client.get(report_url(period, 2024, 2)).status_code == 404
    editor = django_user_model.objects.create_user("editor", password="x" * 16)
    Membership.objects.create(user=editor, role="coordinator", municipality=period.municipality)
    client.force_login(editor)
    assert "Redovisning T2 för aktivitet 0" not in page(client, period_url(period))
    preview = page(client, period_url(period) + "?preview=1")
    assert "Redovisning T2 för aktivitet 0" in preview
    assert "Inte publicerad ännu" in preview


def test_tertial_report_page_shows_that_tertials_accounts(client, katrineholm):
    html = page(client, report_url(katrineholm[2018], 2018, 2))
    assert "Uppföljning för tertial 2 2018" in html
    assert "Socialen och polisen träffas minst en gång i månaden" in html
    assert "221 narkotikabrott" not in html  # that is tertial 3


def test_tertial_report_of_unknown_tertial_is_404(client, katrineholm):
    assert client.get(report_url(katrineholm[2018], 2018, 4)).status_code == 404
    assert client.get(report_url(katrineholm[2020], 2020, 1)).status_code == 404


def test_municipality_page_lists_periods_police_area_and_feed(client, katrineholm):
    html = page(client, reverse("public:municipality", kwargs={"slug": "katrineholm"}))
    for period in katrineholm.values():
        assert period_url(period) in html
    assert "Lokalpolisområde Katrineholm" in html
    assert reverse("public:municipality_feed", kwargs={"slug": "katrineholm"}) in html


@pytest.mark.django_db
def test_unicode_municipality_address_works(client):
    make_period(Municipality.objects.get(slug="håbo"))
    html = page(client, "/kommun/håbo/")
    assert "Medborgarlöften i Håbo" in html
    assert client.get("/kommun/habo/").status_code == 200  # Habo is another municipality
    assert client.get("/kommun/ingen-sadan/").status_code == 404


def test_home_leads_to_every_published_period(client, katrineholm):
    html = page(client, reverse("public:home"))
    assert reverse("public:municipality", kwargs={"slug": "katrineholm"}) in html
    for period in katrineholm.values():
        municipality_html = page(client, period.municipality.get_absolute_url())
        assert period_url(period) in municipality_html
    assert "Södermanlands län" in html
    assert 'action="/sok/"' in html


def test_home_counts_current_promises_by_party(client, db):
    today = timezone.localdate()
    make_period(year=today.year, promises=3)
    html = page(client, reverse("public:home"))
    assert re.search(r"<strong>1</strong>\s*kommuner med ett gällande medborgarlöfte", html)


def test_language_switch_links_to_the_same_page_in_the_other_language(client, katrineholm):
    url = period_url(katrineholm[2018])
    search = reverse("public:search") + "?q=Katrineholm"
    html = page(client, url)
    assert f'<a class="language-switch" href="/en{url}" lang="en" hreflang="en">' in html
    english = page(client, "/en" + url)
    assert f'<a class="language-switch" href="{url}" lang="sv" hreflang="sv">' in english
    assert 'lang="en"' in english and "In English" not in english
    # The address alone decides the language: no cookie is set or needed.
    assert not client.cookies
    assert f'href="/en{search}"' in page(client, search).replace("&amp;", "&")


def test_dates_are_written_the_swedish_way(client, katrineholm):
    html = page(client, period_url(katrineholm[2018]))
    assert "1 januari 2018–31 december 2018" in html


def test_missing_page_is_a_404_in_the_sites_look(client, db):
    html = page(client, "/finns-inte/", status=404)
    assert "Sidan finns inte" in html and 'class="skip-link"' in html


def test_accessibility_statement_page(client, db):
    html = page(client, reverse("public:accessibility"))
    assert "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "DIGG" in html


class Structure(HTMLParser):
    """Collects what the accessibility checks need from a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.problems = [], [], []
        self.landmarks = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        if tag == "script" or tag == "style":
            self.problems.append(f"<{tag}> element")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"event handler on <{tag}>")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in {"header", "main", "footer", "nav"}:
            self.landmarks.add(tag)
        if tag == "table":
            self.tables.append({"caption": False, "th_without_scope": 0})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag == "th" and self.tables and "scope" not in attrs:
            self.tables[-1]["th_without_scope"] += 1


def public_urls(katrineholm):
    period = katrineholm[2018]
    return [
        reverse("public:home"),
        reverse("public:municipality", kwargs={"slug": "katrineholm"}),
        period_url(period),
        period_url(katrineholm[2022]),
        report_url(period, 2018, 3),
        reverse("public:search") + "?q=Katrineholm",
        reverse("public:search") + "?q=",
        reverse("public:accessibility"),
    ]


def test_every_page_has_landmarks_one_h1_ordered_headings_and_labelled_tables(
    client, katrineholm
):
    for url in public_urls(katrineholm) + ["/en" + u for u in public_urls(katrineholm)]:
        html = page(client, url, status=200)
        structure = Structure()
        structure.feed(html)
        assert structure.problems == [], url
        assert {"header", "main", "footer", "nav"} <= structure.landmarks, url
        assert structure.headings.count(1) == 1 and structure.headings[0] == 1, url
        for before, after in zip(structure.headings, structure.headings[1:]):
            assert after <= before + 1, (url, structure.headings)
        for table in structure.tables:
            assert table["caption"] and table["th_without_scope"] == 0, url
        assert 'href="#main"' in html and 'id="main"' in html


INTERNAL = "HEMLIG-INTERN-ANTECKNING-7f3a"


@pytest.mark.django_db
def test_internal_notes_never_appear_on_any_public_page_feed_or_export(client):
    period = make_period(note=INTERNAL, reports=(1, 2, 3))
    FollowUp.objects.filter(activity__promise__period=period).update(
        account="Redovisning med trygghet"
    )
    urls = [
        reverse("public:home"),
        period.municipality.get_absolute_url(),
        period_url(period),
        period_url(period) + "?preview=1",
        report_url(period, 2024, 1),
        reverse("public:search") + "?q=trygghet",
        reverse("public:period_json", kwargs={"pk": period.pk}),
        reverse("public:period_csv", kwargs={"pk": period.pk}),
        reverse("public:national_json"),
        reverse("public:national_csv"),
        reverse("public:national_feed"),
        reverse("public:municipality_feed", kwargs={"slug": period.municipality.slug}),
        "/sitemap.xml",
    ]
    assert Measurement.objects.filter(internal_note=INTERNAL).exists()
    # Searching for the note finds nothing (the page only echoes the query back).
    found = page(client, reverse("public:search") + "?q=" + INTERNAL)
    assert "0 träffar" in found
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert INTERNAL.encode() not in body, url
        assert b"Redovisning" in body or "search" in url or url.endswith(".xml") or url in (
            "/", period.municipality.get_absolute_url()
        ), url


def test_superuser_sees_the_preview_link_on_a_published_period(superuser_client, katrineholm):
    html = page(superuser_client, period_url(katrineholm[2018]))
    assert "?preview=1" in html
    TertialReport.objects.filter(period=katrineholm[2018], tertial=3).update(
        status="draft", published_at=None
    )
    preview = page(superuser_client, period_url(katrineholm[2018]) + "?preview=1")
    assert "221 narkotikabrott" in preview and "Inte publicerad ännu" in preview
    assert PromisePeriod.objects.filter(pk=katrineholm[2018].pk).exists()
    assert Indicator.objects.count() == 0


def test_public_pages_answer_head_as_monitors_send_it(client, katrineholm):
    period = katrineholm[2018]
    for url in ["/", period_url(period), reverse("public:national_csv"), "/healthz"]:
        response = client.head(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body == b"", url  # the test client, like a server, drops a HEAD's body
    assert client.post("/").status_code == 405
