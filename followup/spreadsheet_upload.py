"""An uploaded tertial workbook, read safely and compared with what is saved: every change
and every problem with its row number, before anything is saved.

Safely: the zip's members are counted and their uncompressed sizes summed before openpyxl
opens it (a zip bomb is refused unread); openpyxl reads with defusedxml (no external
entities), read-only and with the values the spreadsheet last computed (data_only): no
formula is evaluated here, and nothing of the file runs.
"""

import io
import logging
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from followup.models import FollowUp, Status
from followup.progress import STATUS_LABELS
from followup.services import FollowUpInput
from followup.spreadsheet import (
    COLUMNS, FILE_MARK, FIRST_ROW, HEADER_ROW, ROW_KEY, ROW_KEY_HEADER, VERSION_HEADER,
    clean_text, kind_label, row_key,
)
from municipalities.versioning import describe_version

logger = logging.getLogger(__name__)

MAX_MEMBERS = 300
# A period has at most a few hundred rows; more is not a tertial file.
MAX_ROWS = 5000
MAX_TEXT = 20000  # as the screen's fields
TEXT_FIELDS = ("account", "internal_note")


class UnreadableUpload(Exception):
    """The file is not a tertial workbook this portal can read; `message` says why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def max_uncompressed_bytes():
    # Text compresses about tenfold; a real workbook never needs more.
    return 25 * settings.TERTIAL_UPLOAD_MAX_BYTES


def not_a_workbook():
    return UnreadableUpload("not_a_workbook", _(
        "This file is not an Excel workbook (.xlsx) or it is damaged. Save it as .xlsx "
        "(Excel workbook) and upload it again."
    ))


def check_archive(data):
    """Refuse what is not a zip, and a zip that would unpack to more than a workbook can be,
    before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise not_a_workbook() from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_a_workbook()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > max_uncompressed_bytes():
        raise UnreadableUpload("too_large_unpacked", _(
            "This workbook unpacks to far more than a tertial can hold, so it is not read. "
            "Download the tertial's file again and fill that in."
        ))


@dataclass
class RawRow:
    number: int  # as the spreadsheet numbers it
    cells: dict  # column name -> (value, data type)

    def value(self, name):
        return self.cells[name][0]

    @property
    def is_empty(self):
        return all(value in (None, "") or (isinstance(value, str) and not value.strip())
                   for value, _type in self.cells.values())


def read_workbook(data):
    """The rows of an uploaded tertial workbook, or UnreadableUpload."""
    import openpyxl  # only where uploads are read

    check_archive(data)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False,
        )
    except Exception:
        # openpyxl raises many kinds of error for a damaged or hostile file (defusedxml's
        # refusals among them); each means the same to the coordinator.
        logger.info("An uploaded tertial workbook could not be opened.", exc_info=True)
        raise not_a_workbook() from None
    try:
        return rows_of(book)
    except UnreadableUpload:
        raise
    except Exception:
        logger.info("An uploaded tertial workbook could not be read.", exc_info=True)
        raise not_a_workbook() from None
    finally:
        book.close()


def rows_of(book):
    width = len(COLUMNS)
    for ws in book.worksheets[:10]:
        head = list(ws.iter_rows(min_row=1, max_row=HEADER_ROW, max_col=width))
        if head and head[0] and head[0][0].value == FILE_MARK:
            break
    else:
        raise UnreadableUpload("not_a_tertial_file", _(
            "This is not a tertial file from this portal. Download the tertial's file from "
            "the tertial screen, fill it in and upload that."
        ))
    header = head[HEADER_ROW - 1] if len(head) >= HEADER_ROW else ()
    if [cell.value for cell in header[:2]] != [ROW_KEY_HEADER, VERSION_HEADER]:
        raise UnreadableUpload("columns_changed", _(
            "The columns of this file have been moved or removed. Download the tertial's file "
            "again and fill that in."
        ))
    rows = []
    last = FIRST_ROW + MAX_ROWS
    for number, cells in enumerate(
        ws.iter_rows(min_row=FIRST_ROW, max_row=last, max_col=width), start=FIRST_ROW,
    ):
        row = RawRow(number, {column.name: (None, "n") for column in COLUMNS})
        row.cells.update({column.name: (cell.value, cell.data_type)
                          for column, cell in zip(COLUMNS, cells, strict=False)})
        if row.is_empty:
            continue
        if number == last:
            raise UnreadableUpload("too_many_rows", _(
                "This file has more than %(count)s rows, far more than a tertial has."
            ) % {"count": MAX_ROWS})
        rows.append(row)
    return rows


# Reading one row's cells ------------------------------------------------------------------

def status_codes():
    """Every label the status list has had, in every language of the site, and the codes."""
    codes = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in STATUS_LABELS.items():
                codes[str(label).casefold()] = code
    codes.update({code: code for code in Status.values})
    codes[""] = ""  # an empty cell: not reported
    return codes


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def comparable(text):
    """Text as the file and the database can both hold it, for telling changes apart."""
    return cell_text(clean_text(text))


VALUE_FIELD = forms.DecimalField(max_digits=12, decimal_places=2, required=False)


def parse_value(value):
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (str, Decimal)):
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    else:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    if not text:
        return None
    try:
        return VALUE_FIELD.clean(text)
    except ValidationError:
        raise ValidationError(_(
            "“%(value)s” is not a number with at most two decimals."
        ) % {"value": value}) from None


@dataclass
class Problem:
    row: int | None  # None: the whole file
    reason: str
    what: str = ""
    code: str = "invalid"  # what kind of problem; "stale": saved by someone meanwhile


@dataclass
class Change:
    row: int
    what: str
    fields: list  # (label, now, in the file)
    input: FollowUpInput


@dataclass
class Preview:
    changes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # rows others changed that the file leaves be

    @property
    def is_stale(self):
        return any(problem.code == "stale" for problem in self.problems)

    @property
    def can_save(self):
        return bool(self.changes) and not self.problems


def describe(row):
    label = f"{row.subject.label} " if row.subject.label else ""
    return f"{kind_label(row.kind)}: {label}{row.line.text}"


def shown(name, value):
    if name == "status":
        return str(STATUS_LABELS[value or ""])
    if name == "value":
        return "–" if value is None else floatformat(value, "-2")
    return value or "–"


def field_labels():
    return {"status": _("Status"), "value": _("Value"), "account": _("Account (public)"),
            "internal_note": _("Internal note (never published)")}


class Comparison:
    """Compares an upload's rows with a TertialSheet: the rows its user may enter."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.rows = {row_key: row for row in sheet.rows if row.editable
                     for row_key in [self.key_of(row)]}
        self.codes = status_codes()

    def key_of(self, row):
        return row_key(self.sheet.period, self.sheet.tertial, row.kind, row.subject.pk)

    def preview(self, raw_rows):
        preview, seen = Preview(), {}
        for raw in raw_rows:
            key = cell_text(raw.value("key"))
            row = self.rows.get(key)
            if row is None:
                code, reason = self.unknown_row(key)
                preview.problems.append(Problem(raw.number, reason, code=code))
                continue
            if key in seen:
                preview.problems.append(Problem(raw.number, _(
                    "This row appears twice in the file (also on row %(row)s)."
                ) % {"row": seen[key]}, describe(row), "twice"))
                continue
            seen[key] = raw.number
            self.compare(preview, raw, row)
        return preview

    def unknown_row(self, key):
        """Why a row's key is none of this screen's rows: (code, reason)."""
        match = ROW_KEY.fullmatch(key)
        if not key:
            return "no_key", _(
                "This row has no row key: rows cannot be added in the file. Add promises, "
                "activities and indicators in the admin.")
        if match is None:
            return "damaged_key", _(
                "This row's key is damaged, so which row it is cannot be known.")
        period_id, year, number = (int(part) for part in match.groups()[:3])
        if period_id != self.sheet.period.pk:
            return "other_period", _(
                "This row belongs to another period (of another municipality or another of "
                "yours), not to %(period)s. Upload each file on its own period's tertial "
                "screen.") % {"period": self.sheet.period}
        if (year, number) != (self.sheet.tertial.year, self.sheet.tertial.number):
            return "other_tertial", _(
                "This row is from the file of T%(number)s %(year)s, not of %(tertial)s."
            ) % {"number": number, "year": year, "tertial": self.sheet.tertial}
        return "unknown_row", _(
            "This period has no such row that you may enter: it was removed, or someone "
            "else reports it.")

    def compare(self, preview, raw, row):
        what, problems = describe(row), []
        version = self.version(raw, problems)
        values = self.values(raw, row, problems)
        for code, reason in problems:
            preview.problems.append(Problem(raw.number, reason, what, code))
        if problems:
            return
        saved = row.saved
        now = {name: getattr(saved, name) if saved else ("" if name != "value" else None)
               for name in ("status", "value", *TEXT_FIELDS)}
        if self.same(values, now):
            return
        current_version = saved.version if saved else None
        if version != current_version:
            if self.same(values, self.downloaded(saved, version)):
                preview.notes.append(Problem(raw.number, self.stale_reason(
                    saved, version, kept=True), what, "stale"))
            else:
                preview.problems.append(Problem(raw.number, self.stale_reason(
                    saved, version, kept=False), what, "stale"))
            return
        # Where only line endings or trimming differ, what is saved stays as saved.
        merged = {name: now[name] if self.same({name: values[name]}, {name: now[name]})
                  else values[name] for name in values}
        labels = field_labels()
        preview.changes.append(Change(
            row=raw.number, what=what,
            fields=[(labels[name], shown(name, now[name]), shown(name, merged[name]))
                    for name in values if merged[name] != now[name]],
            input=FollowUpInput(
                kind=row.kind, subject_id=row.subject.pk, status=merged["status"],
                account=merged["account"], value=merged["value"],
                internal_note=merged["internal_note"], loaded_version=version,
            ),
        ))

    @staticmethod
    def same(values, others):
        for name, value in values.items():
            if name not in others:
                return False
            other = others[name]
            if name in TEXT_FIELDS:
                if comparable(value) != comparable(other):
                    return False
            elif value != other:
                return False
        return True

    @staticmethod
    def version(raw, problems):
        value = raw.value("version")
        if value in (None, ""):
            return None
        try:
            version = int(str(value).strip().removesuffix(".0"))
        except ValueError:
            version = 0
        if version < 1:
            problems.append(("damaged_version", _(
                "This row's version is damaged, so whether someone saved it after the "
                "download cannot be known.")))
        return version

    def values(self, raw, row, problems):
        values = {}
        for name in ("status", "value", *TEXT_FIELDS):
            cell, data_type = raw.cells[name]
            if data_type == "e":
                problems.append(("formula_error", _(
                    "%(field)s holds a formula error (%(error)s): write the value itself."
                ) % {"field": field_labels()[name], "error": cell}))
        if problems:
            return values
        status = cell_text(raw.value("status"))
        values["status"] = self.codes.get(status.casefold())
        if values["status"] is None:
            problems.append(("invalid_status", _(
                "“%(status)s” is not a status. Choose one from the list: %(choices)s."
            ) % {"status": status,
                 "choices": ", ".join(str(STATUS_LABELS[s]) for s in Status.values)}))
        asks_value = "value" in row.form.fields
        try:
            values["value"] = parse_value(raw.value("value"))
        except ValidationError as error:
            problems.append(("not_a_number", " ".join(error.messages)))
        else:
            if values["value"] is not None and not asks_value:
                problems.append(("takes_no_value", _(
                    "This row takes no value (its target is not a number); leave the value "
                    "empty.")))
            elif not asks_value:
                # The file has no value to show for such a row: what is saved stays.
                values["value"] = row.saved.value if row.saved else None
        for name in TEXT_FIELDS:
            values[name] = cell_text(raw.value(name))
            if len(values[name]) > MAX_TEXT:
                problems.append(("too_long", _(
                    "%(field)s is longer than %(count)s characters."
                ) % {"field": field_labels()[name], "count": MAX_TEXT}))
        return values

    @staticmethod
    def downloaded(saved, version):
        """The row as the file was downloaded: empty when nothing was saved then."""
        empty = {"status": "", "value": None, "account": "", "internal_note": ""}
        if version is None or saved is None:
            return empty
        record = FollowUp.history.filter(id=saved.pk, version=version).order_by(
            "-history_date").first()
        if record is None:
            return {}  # unknown: never the same as the file
        return {name: getattr(record, name) for name in empty}

    @staticmethod
    def stale_reason(saved, version, *, kept):
        if saved is None:
            return _("Someone removed this row's follow-up after you downloaded the file. "
                     "Download the file again, or enter this row on the screen.")
        newer = describe_version(FollowUp, saved.pk, version) if saved else None
        who = (newer.username if newer else "") or _("Someone")
        when = (formats.date_format(timezone.localtime(newer.at), "DATETIME_FORMAT")
                if newer and newer.at else "?")
        if kept:
            return _("%(user)s saved this row (%(when)s) after you downloaded the file; your "
                     "file leaves it as it was, so their version is kept.") % {
                "user": who, "when": when}
        return _("%(user)s saved this row (%(when)s) after you downloaded the file, so "
                 "your change would replace theirs. Download the file again, or enter this "
                 "row on the screen.") % {"user": who, "when": when}
