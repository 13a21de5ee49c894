"""Printing public pages, the language of their content, and the accessibility statement."""

import re
from pathlib import Path

import pytest
from django.conf import settings
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
