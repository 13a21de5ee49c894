"""The Jinja2 environment of Django's built-in Jinja2 backend, which renders the promise
cards of the period and tertial pages: a large period prints hundreds of cells, and the
Django template language spent most of such a page's time resolving them (bench/RESULTS.md).
It renders the search page's hits too (public/jinja2/public/search_hits.html), for the same
reason.

The cards hold no words of their own: every label is translated once a page in
public/view_models.py (where makemessages finds it), and the filters are Django's own, so the
cards read exactly as the rest of the page does.
"""

from django.template import defaultfilters
from jinja2 import Environment, StrictUndefined


def environment(**options):
    # Undefined names fail loudly instead of printing nothing.
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.filters.update({
        "linebreaks": defaultfilters.linebreaks_filter,
        "linebreaksbr": defaultfilters.linebreaksbr,
        "date": defaultfilters.date,
        "floatformat": defaultfilters.floatformat,
    })
    return env
