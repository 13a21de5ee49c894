"""Template helpers for the public site."""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language):
    """This page's address in `language`, for the language switch: a plain link, so a
    public page carries no form, no CSRF token and nothing else per visitor."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)
