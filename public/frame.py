"""The site's frame (templates/base.html) around a page whose parts are HTML already: the
pages rendered ahead (public/site_pages.py, public/period_pages.py) and the search page.

The frame is the same on every page but for a few values of the request: the page's title,
head and content, the other language's address of this page and the printed page's
address. So it is rendered once per language and day in each process, by the template
itself, with a marker where each of those values goes, and a page is the pieces between the
markers joined with its values. The Django template language took ~0.8 ms a page to render
the frame again (measured through the test client); the join takes a few microseconds.
"""

import functools
import re

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix, translate_url
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString

# Letters and digits only, so that no escaping changes them, and nothing a page says.
MARKERS = {
    "title": "frameslot7q2title", "head": "frameslot7q2head", "content": "frameslot7q2content",
    "other_language": "frameslot7q2otherlanguage", "address": "frameslot7q2address",
}
SLOT_OF = {marker: slot for slot, marker in MARKERS.items()}
MARKED = re.compile(f"({'|'.join(MARKERS.values())})")


class MarkedRequest:
    """What base.html reads of a request, as markers: its address, and its path for the
    language switch (translate_url leaves an address it cannot resolve as it is)."""

    def get_full_path(self):
        return MARKERS["other_language"]

    def build_absolute_uri(self):
        return MARKERS["address"]


@functools.lru_cache(maxsize=32)
def pieces(language, has_title, day, script_prefix):
    """The frame as [text, slot, text, slot, …, text]: base.html rendered with markers, in
    `language`, on `day` (the printed page's date), with the page's own title or the site's
    name. `script_prefix` is part of every address."""
    with translation.override(language):
        html = render_to_string("public/stored_page.html", {
            "title": SafeString(MARKERS["title"]) if has_title else "",
            "head": SafeString(MARKERS["head"]),
            "content": SafeString(MARKERS["content"]),
            "request": MarkedRequest(),
        })
    # A group in the pattern keeps each marker between the pieces it splits.
    return [SLOT_OF.get(part, part) for part in MARKED.split(html)]


def framed(request, *, title="", head="", content="", status=200):
    """The response of a page whose title, head and content are HTML (escaped already):
    the frame around them, as `render(request, "public/stored_page.html", …)` would give."""
    language = translation.get_language()
    other = "sv" if language == "en" else "en"
    values = {
        "title": title, "head": head, "content": content,
        "other_language": escape(translate_url(request.get_full_path(), other)),
        "address": escape(request.build_absolute_uri()),
    }
    # With DEBUG on, templates are read again on every request (no cached loader): so is
    # the frame, so that an edited base.html shows at once.
    frame = (pieces.__wrapped__ if settings.DEBUG else pieces)(
        language, bool(title), timezone.localdate(), get_script_prefix()
    )
    # Even positions are the frame's own text, odd ones the names of the values.
    return HttpResponse("".join(
        values[part] if position % 2 else part for position, part in enumerate(frame)
    ), status=status)


def render(request, template, context, status=200):
    """`shortcuts.render()` of a page template that extends base.html and has its title,
    head and content blocks as partials of those names: the partials, framed. The title
    and the head are rendered from `context` alone (no context processors: they are words
    and tags, which need nothing of the request's)."""
    return framed(
        request,
        title=render_to_string(f"{template}#title", context),
        head=render_to_string(f"{template}#head", context),
        content=render_to_string(f"{template}#content", context, request),
        status=status,
    )
