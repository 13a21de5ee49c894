"""Excel files (.xlsx, written by public/xlsx_writer.py) for people who work in
spreadsheets: a period's promises and follow-up, the whole country's, and the national
overview, with Swedish headers and labels. The CSV files stay the documented open data
(public/exports.py).

Like every text in the open-data files, the headers are in Swedish whatever the language of
the page the file was fetched from: they are the file's content, not the interface.
"""

import datetime
import io

from django.http import HttpResponse
from django.utils import translation
from django.views.decorators.http import require_safe

from followup.progress import STATUS_LABELS
from promises.models import Party
from public.cache import cache_public_page
from public.exports import Urls, csv_rows, national_periods, published_period
from public.xlsx_writer import write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (Swedish header, key of a csv_rows() row)
PERIOD_COLUMNS = [
    ("Kommun", "municipality"),
    ("Kommunkod", "municipality_codes"),
    ("Län", "county"),
    ("Lokalpolisområde", "police_area"),
    ("Medborgarlöfte", "period_title"),
    ("Gäller från", "valid_from"),
    ("Gäller till", "valid_to"),
    ("Löfte nr", "promise_label"),
    ("Part", "promise_party"),
    ("Löfte", "promise_text"),
    ("Typ", "item_kind"),
    ("Nr", "item_label"),
    ("Aktivitet eller indikator", "item_text"),
    ("Mål", "target"),
    ("År", "year"),
    ("Tertial", "tertial"),
    ("Status", "status"),
    ("Värde", "value"),
    ("Redovisning", "account"),
    ("Ändrad efter publicering", "corrected_at"),
    ("Ändring", "correction"),
    ("Adress", "period_url"),
]
KINDS = {"promise": "Löfte", "activity": "Aktivitet", "indicator": "Indikator"}
DATES = {"valid_from", "valid_to", "corrected_at"}


def sheet_value(key, row):
    value = row.get(key)
    if key in DATES:
        return datetime.date.fromisoformat(value) if value else None
    if key == "status":
        return str(STATUS_LABELS[value]) if value else None
    if key == "promise_party":
        return str(dict(Party.choices).get(value, value)) if value else None
    if key == "item_kind":
        return KINDS.get(value, value)
    if key == "item_text" and row.get("item_kind") == "promise":
        return None  # the promise's own row: its text is in the promise column already
    return value


def workbook(title, headers, rows):
    """An .xlsx file's bytes: one sheet, a bold header row, then `rows` (lists of values)."""
    output = io.BytesIO()
    write_workbook(output, title, headers, rows)
    return output.getvalue()


def write_workbook(target, title, headers, rows):
    """Write the .xlsx file into `target` (a path or a binary file object), a row at a time.
    Text is always stored as text, so what looks like a formula never runs (the rule the
    CSV follows, public/exports.py)."""
    write_xlsx(target, title, headers, rows)


def sheet_row(row):
    """A csv_rows() row as the spreadsheet's values, in PERIOD_COLUMNS order (call with
    Swedish active: the labels are the file's content)."""
    return [sheet_value(key, row) for _header, key in PERIOD_COLUMNS]


HEADERS = [header for header, _key in PERIOD_COLUMNS]
SHEET_TITLE = "Uppföljning"



def followup_rows(periods, url):
    with translation.override("sv"):
        for period, progress, _reports in periods:
            for row in csv_rows(period, progress, url):
                yield sheet_row(row)


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cache_public_page
def period_xlsx(request, pk):
    content = published_period(pk)
    data = workbook(SHEET_TITLE, HEADERS, followup_rows([content], Urls(request)))
    return xlsx_response(data, f"medborgarlofte-{pk}.xlsx")


def national_xlsx_response(request):
    """The national .xlsx made for this request (before the first stored file is built)."""
    data = workbook(SHEET_TITLE, HEADERS, followup_rows(national_periods(), Urls(request)))
    return xlsx_response(data, "medborgarloften.xlsx")
