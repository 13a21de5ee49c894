"""The long lists of the national pages, written out here rather than by a template loop.

The Django template language costs some microseconds for every variable and tag it
renders: a loop over the 290 municipalities of the national overview took about 60 ms, ten
times what the rest of the page costs. These tags write the same markup with plain string
formatting (each value escaped) in a few milliseconds. What is shown stays in the
templates; only the rows repeated hundreds of times are here.
"""

import html
import re

from django import template
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from public.templatetags.public_site import content_lang

register = template.Library()

SPECIAL = re.compile(r"[&<>\"']")


def escape(text):
    """html.escape, skipped (one search instead of five replacements) when there is
    nothing to escape, as in most names and titles."""
    return html.escape(text) if SPECIAL.search(text) else text


def long_dates():
    """A function writing a date as the template filter `date:"j F Y"` does."""
    months = {number: str(name) for number, name in MONTHS.items()}
    return lambda day: f"{day.day} {months[day.month]} {day.year}"


def share(value):
    return "–" if value is None else f"{value} %"


@register.simple_tag
def overview_rows(rows):
    """The national overview's table rows (public/overview.py, OverviewRow)."""
    lang = content_lang()
    long_date = long_dates()
    not_reported = escape(gettext("Not reported yet"))
    no_period = escape(gettext("No citizen promise in force"))
    tertial_label = gettext("T%(tertial)s %(year)s")
    counties = {}  # escaped once each
    lines = []
    # The addresses come from public/addresses.py, quoted: nothing in them to escape.
    for row in rows:
        place = row.municipality
        county = counties.get(place.county.code)
        if county is None:
            county = counties[place.county.code] = escape(place.county.name)
        cells = [
            f'<tr><th scope="row"><a href="{place.url}">{escape(place.name)}</a></th>'
            f"<td>{county}</td>"
            f"<td{lang}>{escape(row.police_area) or '–'}</td>"
        ]
        period = row.period
        if period is None:
            cells.append(f'<td colspan="6" class="meta">{no_period}</td>')
        else:
            tertial = row.tertial
            cells.append(
                f'<td><a href="{period.url}"{lang}>{escape(period.title)}</a></td>'
                f'<td class="num">{row.promise_count}</td>'
                "<td>" + (
                    escape(tertial_label % {"tertial": tertial.number, "year": tertial.year})
                    if tertial else f'<span class="meta">{not_reported}</span>'
                ) + "</td>"
                f'<td class="num">{share(row.followed_up_share)}</td>'
                f'<td class="num">{share(row.on_track_share)}</td>'
                f"<td>{long_date(row.reported_on) if row.reported_on else '–'}</td>"
            )
        cells.append("</tr>")
        lines.append("".join(cells))
    return mark_safe("\n".join(lines))


@register.simple_tag
def municipality_index(municipalities):
    """List items linking to each municipality's page ([(name, address, in force)])."""
    return mark_safe("\n".join(
        f'<li><a href="{url}">{escape(name)}</a></li>'
        for name, url, _in_force in municipalities
    ))
