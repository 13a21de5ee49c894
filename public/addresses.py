"""The addresses of many rows of one kind at once: `reverse()` once, then each row's key put
in its place. A reverse costs tens of microseconds, and a list of every municipality would
ask for it hundreds of times."""

import functools
import re
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

# Keys that reverse() leaves as they are (a pk, an ASCII slug): no need to quote them.
PLAIN = re.compile(r"[A-Za-z0-9_-]+")

# A key no row has, to find where the key goes in the reversed address.
MARKER = "918273645"
# For addresses with several keys: one marker each, in order.
MARKERS = ("918273645", "918273646", "918273647")


def reversed_once(name, args=(), kwargs=()):
    """reverse(name, args, dict(kwargs)) once per language, script prefix and URLconf in a
    process (it is the same for every request), `args` and `kwargs` as tuples."""
    return _reversed(name, args, kwargs, translation.get_language(), get_script_prefix(),
                     get_urlconf(settings.ROOT_URLCONF))


@functools.lru_cache(maxsize=512)
def _reversed(name, args, kwargs, language, script_prefix, urlconf):
    return reverse(name, args=args, kwargs=dict(kwargs))


def addresses(name):
    """A function of a row's key (a pk or a slug) giving the address of the URL `name`
    with that key, in the language active now, quoted as `reverse()` quotes it."""
    before, after = reversed_once(name, args=(MARKER,)).split(MARKER)

    def address(key):
        if type(key) is not int and not PLAIN.fullmatch(key):
            key = quote(key)
        return f"{before}{key}{after}"

    return address


def addresses_with(name, *keys):
    """addresses() for a URL of several integer keys (named `keys`, in this order): a
    function of their values, e.g. addresses_with("public:tertial_report", "pk", "year",
    "tertial")(7, 2024, 2)."""
    markers = dict(zip(keys, MARKERS, strict=False))
    template = reversed_once(name, kwargs=tuple(markers.items()))
    for key, marker in markers.items():
        template = template.replace(marker, "{%s}" % key)

    def address(*values):
        return template.format_map(dict(zip(keys, values, strict=True)))

    return address
