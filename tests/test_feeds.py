"""Atom feeds, sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_period

ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        (entry.find(f"{ATOM}title").text, entry.find(f"{ATOM}link").get("href"))
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_national_feed_has_published_periods_and_tertial_reports(client, katrineholm):
    entries = atom_entries(client, reverse("public:national_feed"))
    titles = [title for title, _ in entries]
    assert "Katrineholm: Medborgarlöfte 2020" in titles
    assert "Katrineholm: uppföljning för tertial 2 2018" in titles
    links = [link for _, link in entries]
    assert f"http://testserver{katrineholm[2018].get_absolute_url()}" in links


@pytest.mark.django_db
def test_municipality_feed_has_only_its_own_published_items(client):
    own = make_period(reports=(1,))
    other = make_period()
    draft = make_period(own.municipality, year=2030, published=False)
    entries = atom_entries(
        client, reverse("public:municipality_feed", kwargs={"slug": own.municipality.slug})
    )
    titles = " ".join(title for title, _ in entries)
    assert own.title in titles and "tertial 1 2024" in titles
    assert "tertial 2 2024" not in titles  # its report is a draft
    assert other.title not in titles and draft.title not in titles
    assert client.get("/kommun/ingen-sadan/atom.xml").status_code == 404


def test_feed_in_english_has_english_titles(client, katrineholm):
    entries = atom_entries(client, "/en/atom.xml")
    assert any("follow-up for tertial 3 2018" in title for title, _ in entries)


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
    assert f"http://testserver{period.municipality.get_absolute_url()}" in xml


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
