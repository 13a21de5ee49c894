"""Printing public pages, the language of their content, and the accessibility statement."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_period

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def print_rules():
    css = SITE_CSS.read_text()
    return "".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))


def test_print_stylesheet_keeps_cards_and_rows_whole_and_repeats_table_headers():
    rules = print_rules()
    assert re.search(r"thead \{ display: table-header-group; \}", rules)
    kept = re.search(r"([^{}]*)\{ break-inside: avoid;", rules).group(1)
    assert {"tr", ".promise-card", ".summary"} <= {s.strip() for s in kept.split(",")}
    assert ".print-colophon" in rules and "details::details-content" in rules


@pytest.mark.django_db
def test_printed_page_carries_its_address_and_date(client):
    period = make_period()
    html = client.get(period.get_absolute_url()).content.decode()
    colophon = re.search(r'<p class="print-colophon">(.*?)</p>', html, re.S).group(1)
    assert f"http://testserver{period.get_absolute_url()}" in colophon
    today = timezone.localdate()
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
              "september", "oktober", "november", "december"]
    assert f"{today.day} {months[today.month - 1]} {today.year}" in colophon
    assert "style=" not in html and "<style" not in html and "<script" not in html


def elements_with_lang_sv(html):
    """The text of every element marked lang="sv", except <html> and the language link."""
    return [
        text for tag, text in re.findall(r'<(\w+)[^>]*\blang="sv"[^>]*>(.*?)</\1>', html, re.S)
        if tag != "html"
    ]


@pytest.mark.django_db
def test_english_pages_mark_coordinators_swedish_texts_as_swedish(client):
    period = make_period(year=timezone.localdate().year, promises=1, activities=1)
    promise = period.promises.get()
    activity = promise.activities.get()
    url, overview_url = period.get_absolute_url(), reverse("public:overview")
    english = client.get("/en" + url).content.decode()
    marked = " ".join(elements_with_lang_sv(english))
    for text in (period.title, promise.text, activity.text, "Tillsammans för ett tryggare Åby"):
        assert text in marked, text
    # The interface around them stays English, unmarked.
    assert "The promises" not in marked
    overview = client.get("/en" + overview_url).content.decode()
    assert period.title in " ".join(elements_with_lang_sv(overview))
    # On Swedish pages the whole page is Swedish already: nothing is marked again.
    swedish = client.get(url).content.decode()
    assert elements_with_lang_sv(swedish) == []
    assert '<html lang="sv">' in swedish


ENGLISH_MONTHS = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)


@pytest.mark.django_db
def test_swedish_pages_show_swedish_dates(client):
    period = make_period(year=timezone.localdate().year, reports=(1,))
    municipality = period.municipalities.get()
    for url in [
        reverse("public:home"), reverse("public:overview"), municipality.get_absolute_url(),
        period.get_absolute_url(),
        reverse("public:tertial_report", kwargs={
            "pk": period.pk, "year": period.valid_from.year, "tertial": 1}),
        reverse("public:accessibility"),
    ]:
        html = client.get(url).content.decode()
        assert not ENGLISH_MONTHS.search(html), (url, ENGLISH_MONTHS.search(html))
        assert re.search(r"\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|"
                         r"september|oktober|november|december|jan|feb|mar|apr|jun|jul|"
                         r"aug|sep|okt|nov|dec) \d{4}", html), url
    english = client.get("/en/").content.decode()
    assert ENGLISH_MONTHS.search(english)


@pytest.mark.django_db
@pytest.mark.parametrize("contact, link", [
    ("tillganglighet@kommun.example.se", 'href="mailto:tillganglighet@kommun.example.se"'),
    ("https://kommun.example.se/kontakt", 'href="https://kommun.example.se/kontakt"'),
    ("0150-570 00", "0150-570 00"),
])
def test_accessibility_statement_follows_diggs_model(client, settings, contact, link):
    settings.PORTAL_ACCESSIBILITY_CONTACT = contact
    settings.PORTAL_OPERATOR = "Exempelkommunen"
    response = client.get(reverse("public:accessibility"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(link) == 2  # for another format, and to report a shortcoming
    assert "Exempelkommunen" in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    # The degree of compliance, and the known failures by WCAG criterion.
    assert "WCAG) 2.1" in html
    for criterion in ("1.3.1", "3.1.2", "4.1.2"):
        assert criterion in html


def test_accessibility_contact_defaults_to_the_operators(settings_from_environment):
    loaded = settings_from_environment(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, PORTAL_CONTACT_EMAIL="info@example.se"
    )
    assert loaded.PORTAL_ACCESSIBILITY_CONTACT == "info@example.se"
    loaded = settings_from_environment(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, PORTAL_CONTACT_EMAIL="info@example.se",
        PORTAL_ACCESSIBILITY_CONTACT="https://example.se/tillganglighet",
    )
    assert loaded.PORTAL_ACCESSIBILITY_CONTACT == "https://example.se/tillganglighet"
