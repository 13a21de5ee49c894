"""The tertial as a workbook (.xlsx) a coordinator fills in with Excel or LibreOffice: one
row per promise, activity and indicator they may enter, in the document's order, the
previous tertial beside, status as a drop-down list. The key columns are locked and the row
key and version hidden, so an upload (spreadsheet_upload.py) knows each row and whether
someone saved it after the download.

Every text is written as text, never as a formula (municipalities/formulas.py).
"""

import io
import re
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from followup.models import Status
from followup.progress import STATUS_LABELS
from municipalities.formulas import looks_like_formula
from promises.models import Party

# The first cell says what the file is; its number changes when the columns do.
FILE_MARK = "medborgarloften-tertial/1"
ROW_KEY_HEADER, VERSION_HEADER = "row key", "version"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
KIND_NAMES = ("promise", "activity", "indicator")
ROW_KEY = re.compile(r"(\d+):(\d+):([123]):(promise|activity|indicator):(\d+)")


@dataclass(frozen=True)
class Column:
    name: str
    letter: str
    width: int
    is_entry: bool = False


COLUMNS = [
    Column("key", "A", 12), Column("version", "B", 8),
    Column("kind", "C", 11), Column("label", "D", 9), Column("text", "E", 50),
    Column("party", "F", 14), Column("target", "G", 22),
    Column("previous_status", "H", 18), Column("previous_value", "I", 10),
    Column("previous_account", "J", 40),
    Column("status", "K", 22, is_entry=True), Column("value", "L", 10, is_entry=True),
    Column("account", "M", 50, is_entry=True), Column("internal_note", "N", 36, is_entry=True),
]
INDEX = {column.name: number for number, column in enumerate(COLUMNS, start=1)}

READ_FILL = PatternFill("solid", fgColor="EDEDED")
PROMISE_FILL = PatternFill("solid", fgColor="DCE6F0")
NO_VALUE_FILL = PatternFill("solid", fgColor="BFBFBF")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def row_key(period, tertial, kind, subject_id):
    return f"{period.pk}:{tertial.year}:{tertial.number}:{kind}:{subject_id}"


def kind_label(kind):
    return {"promise": _("Promise"), "activity": _("Activity"),
            "indicator": _("Indicator")}[kind]


def status_choices():
    """The labels the status list offers, in the order of the screen, "not reported" last."""
    return [str(STATUS_LABELS[status]) for status in (*Status.values, "")]


def headers(previous_tertial):
    previous = str(previous_tertial) if previous_tertial else "–"
    return {
        "key": ROW_KEY_HEADER, "version": VERSION_HEADER,
        "kind": _("Level"), "label": _("Label"), "text": _("Promise, activity or indicator"),
        "party": _("Reported by"), "target": _("Target"),
        "previous_status": _("Status %(tertial)s") % {"tertial": previous},
        "previous_value": _("Value %(tertial)s") % {"tertial": previous},
        "previous_account": _("Account %(tertial)s") % {"tertial": previous},
        "status": _("Status"), "value": _("Value"), "account": _("Account (public)"),
        "internal_note": _("Internal note (never published)"),
    }


def clean_text(text):
    """The text as a cell can hold it: without the control characters XML forbids."""
    return ILLEGAL_CHARACTERS_RE.sub("", text or "")


def put(sheet, row, column, value):
    """Write a value; text that a spreadsheet would run stays text, shown as typed."""
    cell = sheet.cell(row=row, column=INDEX[column] if isinstance(column, str) else column)
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        if looks_like_formula(value):
            # openpyxl makes "=…" a formula; a string cell with the quote prefix is text
            # in Excel and LibreOffice, also once someone edits it.
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def filename(period, tertial):
    slug = slugify(period.title)[:60] or f"period-{period.pk}"
    return f"{slug}-T{tertial.number}-{tertial.year}.xlsx"


def tertial_workbook(sheet):
    """The bytes of the .xlsx of a TertialSheet: the rows its user may enter."""
    period, tertial = sheet.period, sheet.tertial
    book = Workbook()
    book.properties.creator = "Medborgarlöften"
    book.properties.title = f"{period.title}, {tertial}"
    ws = book.active
    ws.title = str(tertial)
    put(ws, 1, "key", FILE_MARK)
    put(ws, 1, "kind", f"{period.title}, {tertial}").font = Font(bold=True, size=13)
    put(ws, 2, "kind", _(
        "Fill in the white columns: choose the status from the list, write the value as a "
        "number. Do not add, remove or move rows. Then upload the file on the tertial screen; "
        "you will see every change before it is saved."
    ))
    ws.merge_cells(start_row=2, start_column=INDEX["kind"], end_row=2,
                   end_column=INDEX["internal_note"])
    ws.row_dimensions[2].height = 32
    ws.cell(row=2, column=INDEX["kind"]).alignment = WRAP
    for name, text in headers(sheet.previous_tertial).items():
        cell = put(ws, HEADER_ROW, name, text)
        cell.font = Font(bold=True)
        cell.alignment = WRAP
    rows = [row for row in sheet.rows if row.editable]
    parties = dict(Party.choices)
    for number, row in enumerate(rows, start=FIRST_ROW):
        write_row(ws, number, row, sheet, parties)
    last = FIRST_ROW + max(len(rows), 1) - 1
    add_status_list(book, ws, last)
    for column in COLUMNS:
        ws.column_dimensions[column.letter].width = column.width
    ws.column_dimensions["A"].hidden = ws.column_dimensions["B"].hidden = True
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=INDEX["kind"])
    # Locked cells stay locked; widths and heights may change. No password: the upload
    # checks every row anyway, this only keeps keys and texts from being typed over.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_row(ws, number, row, sheet, parties):
    subject, saved, previous = row.subject, row.saved, row.previous
    put(ws, number, "key", row_key(sheet.period, sheet.tertial, row.kind, subject.pk))
    put(ws, number, "version", saved.version if saved else None)
    put(ws, number, "kind", kind_label(row.kind))
    put(ws, number, "label", subject.label)
    put(ws, number, "text", row.line.text)
    put(ws, number, "party", str(parties.get(subject.party, "")))
    put(ws, number, "target", str(row.line.target.describe() or ""))
    if previous is not None:
        put(ws, number, "previous_status", str(STATUS_LABELS[previous.status]))
        put(ws, number, "previous_value", previous.value)
        put(ws, number, "previous_account", previous.account)
    if saved is not None:
        put(ws, number, "status", str(STATUS_LABELS[saved.status]) if saved.status else None)
        put(ws, number, "account", saved.account)
        put(ws, number, "internal_note", saved.internal_note)
    asks_value = "value" in row.form.fields
    if asks_value and saved is not None:
        put(ws, number, "value", saved.value)
    for column in COLUMNS[2:]:
        cell = ws.cell(row=number, column=INDEX[column.name])
        cell.alignment = WRAP
        if column.is_entry and (column.name != "value" or asks_value):
            cell.protection = UNLOCKED
        elif column.name == "value":
            cell.fill = NO_VALUE_FILL
        else:
            cell.fill = PROMISE_FILL if row.kind == "promise" else READ_FILL
            if row.kind == "promise":
                cell.font = Font(bold=True)


def add_status_list(book, ws, last):
    """The status drop-down, its labels on a hidden sheet of their own (a list typed into
    the rule would break on a comma in a translation)."""
    choices = book.create_sheet(_("Choices")[:31])
    for number, label in enumerate(status_choices(), start=1):
        put(choices, number, 1, label)
    choices.sheet_state = "hidden"
    choices.protection.sheet = True
    source = f"'{choices.title}'!$A$1:$A${len(status_choices())}"
    validation = DataValidation(
        type="list", formula1=source, allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorTitle=_("Status"),
        error=_("Choose a status from the list."),
    )
    column = COLUMNS[INDEX["status"] - 1].letter
    validation.add(f"{column}{FIRST_ROW}:{column}{last}")
    ws.add_data_validation(validation)
