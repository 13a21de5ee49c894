"""The national open-data files: the stored file the worker built (public/national_files.py)
with its SHA-256 as ETag and its build time as Last-Modified, or, before the first build,
the file made live as the request is answered."""

import logging

from django.http import FileResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from public import exports, spreadsheets
from public.cache import cache_public_page, public_etag
from public.national_files import FORMATS, Format, current_file

logger = logging.getLogger(__name__)


def national_file_view(format, live):
    filename, content_type = FORMATS[format]

    def etag(request):
        stored = current_file(request, format)
        return f'"{stored.sha256}"' if stored else public_etag(request)

    def last_modified(request):
        stored = current_file(request, format)
        return stored.built_at if stored else None

    @require_safe
    @cache_public_page
    @condition(etag_func=etag, last_modified_func=last_modified)
    def view(request):
        stored = current_file(request, format)
        if stored is not None:
            try:
                handle = stored.file.open("rb")
            except FileNotFoundError:
                logger.error("The stored national file %s is missing", stored.file.name)
            else:
                response = FileResponse(
                    handle, as_attachment=True, filename=filename, content_type=content_type,
                )
                response["X-Content-SHA256"] = stored.sha256
                return response
        response = live(request)
        if stored is not None:
            # Made live in place of a lost file, yet sent with its ETag and date: for no
            # cache to keep.
            patch_cache_control(response, no_store=True)
        return response

    view.__name__ = view.__qualname__ = f"national_{format}"
    return view


national_json = national_file_view(Format.JSON, exports.national_json_response)
national_csv = national_file_view(Format.CSV, exports.national_csv_response)
national_xlsx = national_file_view(Format.XLSX, spreadsheets.national_xlsx_response)
