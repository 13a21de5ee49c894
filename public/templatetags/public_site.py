"""Template helpers for the public site."""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language):
    """This page's address in `language`, for the language switch's `next`.

    Translated here, while the page's own language is active: set_language resolves
    `next` in the language of its own request, which for a visitor without a language
    cookie is Swedish, so it cannot translate an /en/ address itself.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)
