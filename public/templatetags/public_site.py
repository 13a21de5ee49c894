"""Template helpers for the public site."""

from django import template
from django.conf import settings
from django.template import engines
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

# {(name, language, script prefix, URLconf): address} of the addresses every page links to.
SITE_URLS = {}


@register.simple_tag
def site_url(name):
    """`{% url name %}` for an address without arguments (the header's and the footer's),
    reversed once per language rather than on every page: a reverse costs tens of
    microseconds, and every page has nine of them."""
    key = (name, translation.get_language(), get_script_prefix(),
           get_urlconf(settings.ROOT_URLCONF))
    address = SITE_URLS.get(key)
    if address is None:
        address = SITE_URLS[key] = reverse(name)
    return address


@register.simple_tag(takes_context=True)
def page_in_language(context, language):
    """This page's address in `language`, for the language switch: a plain link, so a
    public page carries no form, no CSRF token and nothing else per visitor."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def content_lang():
    """` lang="sv"` on an element holding what coordinators wrote (always Swedish) when the
    page around it is in another language, so screen readers pronounce it as Swedish."""
    if (translation.get_language() or "sv").split("-")[0] == "sv":
        return ""
    return mark_safe(' lang="sv"')


@register.simple_tag(takes_context=True)
def promise_cards(context, view, shown, preview):
    """The promise cards of `view` (a TertialView), rendered by the Jinja2 backend
    (public/jinja2.py says why). `shown`: the TertialState the cards are of, or None."""
    unpublished = bool(preview and shown and shown.report and not shown.report.is_published)
    cards = engines["jinja2"].get_template("public/promise_cards.html")
    return mark_safe(cards.render(
        {"view": view, "lang": content_lang(), "unpublished": unpublished},
        context.get("request"),
    ))


@register.simple_tag(takes_context=True)
def search_results(context, results):
    """The hits of a search, their count and their pages (public/search_hits.py,
    `results_section`), rendered by the Jinja2 backend (public/jinja2.py says why): twenty
    hits of a dozen values each took the Django template language most of the search
    page's time."""
    section = engines["jinja2"].get_template("public/search_results.html")
    return mark_safe(section.render(results, context.get("request")))
