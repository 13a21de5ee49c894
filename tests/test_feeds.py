"""Atom feeds, sitemap.xml and robots.txt."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from followup.models import TertialReport
from municipalities.models import Municipality
from promises.models import PromisePeriod
from tests.factories import make_period, police_area_for

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 4151: tag:<authority>,<date>:<specific>, an absolute IRI as RFC 4287 wants for atom:id.
TAG_URI = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\w.-]+")


def feed_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content, ET.fromstring(response.content)


def entries(client, url):
    """(title, link, id, summary element) of each entry."""
    _raw, feed = feed_of(client, url)
    return [
        (
            entry.find(f"{ATOM}title").text,
            entry.find(f"{ATOM}link").get("href"),
            entry.find(f"{ATOM}id").text,
            entry.find(f"{ATOM}summary"),
        )
        for entry in feed.findall(f"{ATOM}entry")
    ]


def municipality_of(period):
    return period.municipalities.get()


def test_national_feed_has_published_periods_and_tertial_reports(client, katrineholm):
    found = entries(client, reverse("public:national_feed"))
    titles = [title for title, *_ in found]
    assert "Katrineholm: Medborgarlöfte 2020" in titles
    assert "Katrineholm: uppföljning för tertial 2 2018" in titles
    links = [link for _, link, *_ in found]
    assert f"http://testserver{katrineholm[2018].get_absolute_url()}" in links
    assert "http://testserver/medborgarloften/%d/2018/tertial-2/" % katrineholm[2018].pk in links


def test_entries_hold_what_the_open_data_page_documents(client, katrineholm):
    from tests.test_open_data import documented_fields

    _raw, feed = feed_of(client, reverse("public:national_feed"))
    documented = documented_fields()["feed_entry"]
    for entry in feed.findall(f"{ATOM}entry"):
        assert [child.tag.removeprefix(ATOM) for child in entry] == documented


def test_entry_ids_are_absolute_permanent_tag_uris(client, katrineholm, settings):
    settings.SITE_URL = "https://medborgarloften.example.se"
    found = entries(client, reverse("public:national_feed"))
    ids = [entry_id for _, _, entry_id, _ in found]
    assert all(TAG_URI.fullmatch(entry_id) for entry_id in ids), ids
    assert all(entry_id.startswith("tag:medborgarloften.example.se,") for entry_id in ids)
    assert len(set(ids)) == len(ids)
    report = TertialReport.objects.get(period=katrineholm[2018], year=2018, tertial=2)
    assert f"tag:medborgarloften.example.se,2018:report-{report.pk}" in ids
    assert f"tag:medborgarloften.example.se,2018:period-{katrineholm[2020].pk}" in ids
    # The same entry keeps its id in the English feed and in the municipality's feed, and
    # a changed entry keeps it too: a reader never sees it twice.
    english = {entry_id for _, _, entry_id, _ in entries(client, "/en/atom.xml")}
    local = {entry_id for _, _, entry_id, _ in entries(
        client, reverse("public:municipality_feed", kwargs={"slug": "katrineholm"}))}
    assert english == local == set(ids)
    report.summary = "Ny sammanfattning"
    report.save()
    changed = {entry_id: summary.text for _, _, entry_id, summary in entries(
        client, reverse("public:national_feed"))}
    assert set(changed) == set(ids)
    assert changed[f"tag:medborgarloften.example.se,2018:report-{report.pk}"] == (
        "Ny sammanfattning")


MARKUP = '<b>Fet</b> & <script>alert("x")</script> <a href="http://example.org">länk</a>'


@pytest.mark.django_db
def test_summaries_are_plain_text_never_markup_from_coordinators(client):
    period = make_period(reports=(1,))
    TertialReport.objects.filter(period=period, tertial=1).update(summary=MARKUP)
    PromisePeriod.objects.filter(pk=period.pk).update(introduction="Inledning <i>kursiv</i>")
    raw, _feed = feed_of(client, reverse("public:national_feed"))
    summaries = {title: summary for title, _, _, summary in entries(
        client, reverse("public:national_feed"))}
    report = summaries[f"{municipality_of(period).name}: uppföljning för tertial 1 2024"]
    assert report.get("type") == "text"
    assert report.text == MARKUP and list(report) == []  # the words, escaped, no elements
    assert summaries[f"{municipality_of(period).name}: {period.title}"].text == (
        "Inledning <i>kursiv</i>")
    assert b"&lt;script&gt;" in raw and b"<script>" not in raw
    assert b'type="html"' not in raw and b"<content" not in raw


@pytest.mark.django_db
def test_municipality_feed_has_only_its_own_published_items(client):
    own = make_period(reports=(1,))
    place = municipality_of(own)
    other = make_period()
    draft = make_period(place, year=2030, published=False)
    found = entries(client, reverse("public:municipality_feed", kwargs={"slug": place.slug}))
    titles = " ".join(title for title, *_ in found)
    assert own.title in titles and "tertial 1 2024" in titles
    assert "tertial 2 2024" not in titles  # its report is a draft
    assert other.title not in titles and draft.title not in titles
    assert client.get("/kommun/ingen-sadan/atom.xml").status_code == 404


@pytest.mark.django_db
def test_a_shared_period_is_in_each_of_its_municipalities_feeds(client):
    places = [Municipality.objects.get(code=code) for code in ("0482", "0483")]
    area = police_area_for(places[0])
    area.municipalities.add(places[1])
    period = PromisePeriod.objects.create(
        police_area=area, title="Gemensamt löfte", status="published",
        published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31),
    )
    period.municipalities.add(*places)
    for place in places:
        found = entries(client, reverse("public:municipality_feed", kwargs={"slug": place.slug}))
        assert [title for title, *_ in found] == ["Flen, Katrineholm: Gemensamt löfte"]
    national = entries(client, reverse("public:national_feed"))
    assert [title for title, *_ in national].count("Flen, Katrineholm: Gemensamt löfte") == 1


def test_feed_in_english_has_english_titles(client, katrineholm):
    found = entries(client, "/en/atom.xml")
    assert any("follow-up for tertial 3 2018" in title for title, *_ in found)


@pytest.mark.django_db
def test_sitemap_lists_published_pages_with_english_alternates(client):
    period = make_period(reports=(1,))
    draft = make_period(published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert f"http://testserver/medborgarloften/{period.pk}/" in xml
    assert f"http://testserver/en/medborgarloften/{period.pk}/" in xml
    assert f"/medborgarloften/{period.pk}/2024/tertial-1/" in xml
    assert f"/medborgarloften/{period.pk}/2024/tertial-2/" not in xml
    assert f"/medborgarloften/{draft.pk}/" not in xml
    assert f"http://testserver{municipality_of(period).get_absolute_url()}" in xml
    assert f"http://testserver{municipality_of(draft).get_absolute_url()}" not in xml


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
