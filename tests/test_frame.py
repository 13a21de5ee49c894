"""The site's frame rendered ahead (public/frame.py): a page framed by joining strings reads
exactly as base.html renders it, whatever the language, address or title."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from public import frame
from public.search_form import SearchForm

ADDRESSES = ["/", "/en/", "/kommun/flen/", "/en/municipality/flen/?a=1&b=%3Cx%3E",
             '/sok/?q="<script>"&page=2', "/medborgarloften/7/"]


def request_for(address):
    request = RequestFactory().get(address)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("title", ["", "Flen &amp; Katrineholm – Medborgarlöften"])
def test_a_framed_page_reads_as_base_html_renders_it(db, language, address, title):
    parts = {"title": title, "head": '<meta name="robots" content="noindex">',
             "content": "<h1>Medborgarlöften &amp; trygghet</h1>\n<p>Åby</p>"}
    with translation.override(language):
        framed = frame.framed(request_for(address), **parts)
        rendered = render(request_for(address), "public/stored_page.html",
                          {part: mark_safe(text) for part, text in parts.items()})
    assert framed.status_code == 200
    assert framed["Content-Type"] == rendered["Content-Type"]
    assert framed.content.decode() == rendered.content.decode()
    # The frame itself is there, with this request's own values in it.
    assert "frameslot" not in framed.content.decode()
    assert 'class="language-switch"' in framed.content.decode()


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("query", ["trygghet", '"<b>&"'])
def test_the_framed_search_page_reads_as_its_template_renders_it(db, language, query):
    """The search view frames the template's partials: the page reads as the template
    renders it whole."""
    address = f"/sok/?q={query}"
    context = {"form": SearchForm({"q": query}), "query": query, "page": None,
               "error": "Skriv ett ord", "stored_filters": None}
    with translation.override(language):
        request = request_for(address)
        whole = render(request, "public/search.html", context, status=400)
        framed = frame.render(request, "public/search.html", context, status=400)
    assert framed.status_code == 400
    assert framed.content.decode() == whole.content.decode()
