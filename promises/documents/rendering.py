"""Render a printed document to PDF/A with WeasyPrint, using only our own templates,
stylesheet and shipped font."""

import dataclasses
import mimetypes
import threading
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the templates resolve against this made-up origin; the fetcher maps it
# onto our static files and refuses everything else, so a PDF never reaches another host.
BASE_URL = "https://static.medborgarloften.invalid/"
PX_TO_PT = 0.75
PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


class StaticFilesOnlyFetcher(URLFetcher):
    """Serve our own static files to WeasyPrint and nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols=["https"], fail_on_errors=True)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        static_prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/")).path
        if (
            f"{parts.scheme}://{parts.netloc}/" != BASE_URL
            or not parts.path.startswith(static_prefix)
        ):
            raise ValueError(f"Refusing to fetch {url!r}: only our own static files.")
        relative = unquote(parts.path.removeprefix(static_prefix))
        if ".." in relative.split("/"):
            raise ValueError(f"Refusing {url!r}: it leaves the static files.")
        path = finders.find(relative)
        if path is None:
            raise ValueError(f"No static file {relative!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@dataclasses.dataclass(frozen=True)
class SignatureBox:
    """Where a signature field goes: page index and (x1, y1, x2, y2) in PDF points."""

    field_name: str
    page: int
    box: tuple


@dataclasses.dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    signature_boxes: tuple = ()


def paragraphs(text):
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


# The public verification page's permanent address, printed on every document.
VERIFY_PATH = "/verifiera/"


def verify_url():
    return settings.SITE_URL.rstrip("/") + VERIFY_PATH


_loaded = threading.local()


def fetcher():
    """One fetcher per thread: building one sets up URL handlers, a TLS context among them
    (about 70 ms), although this fetcher never opens a connection."""
    if not hasattr(_loaded, "fetcher"):
        _loaded.fetcher = StaticFilesOnlyFetcher()
    return _loaded.fetcher


def print_stylesheet():
    """static/css/print.css and its fonts, parsed once per thread (about 60 ms each time)."""
    if not hasattr(_loaded, "stylesheet"):
        font_config = FontConfiguration()
        _loaded.stylesheet = font_config, CSS(
            url=BASE_URL + settings.STATIC_URL.lstrip("/") + "css/print.css",
            url_fetcher=fetcher(), font_config=font_config,
        )
    return _loaded.stylesheet


def render(template, context, *, box_ids=()):
    """Render a template to PDF bytes; report where the elements named in box_ids landed."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, {**context, "verify_url": verify_url()})
        font_config, stylesheet = print_stylesheet()
        document = HTML(
            string=html,
            base_url=BASE_URL + settings.STATIC_URL.lstrip("/"),
            url_fetcher=fetcher(),
        ).render(font_config=font_config, stylesheets=[stylesheet], **PDF_OPTIONS)
    boxes = []
    for page_index, page in enumerate(document.pages):
        page_height = page.height * PX_TO_PT
        for field_name, box_id in box_ids:
            if box_id in page.anchors:
                x1, y1, x2, y2 = (value * PX_TO_PT for value in page.anchors[box_id])
                # CSS counts down from the top of the page, PDF up from the bottom.
                box = (x1, page_height - y2, x2, page_height - y1)
                boxes.append(SignatureBox(field_name, page_index, box))
    return RenderedPdf(document.write_pdf(**PDF_OPTIONS), tuple(boxes))
