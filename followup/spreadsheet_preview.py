"""What an uploaded tertial workbook would change: every change and every problem with its
row number, compared with what is saved, before anything is saved. A row someone saved
after the download is caught by its version; one the file leaves as downloaded is kept as
they saved it.
"""

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
from followup.spreadsheet import ROW_KEY, clean_text, kind_label, row_key
from municipalities.versioning import describe_version

MAX_TEXT = 20000  # as the screen's fields
TEXT_FIELDS = ("account", "internal_note")


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
    """A cell's value as the screen's value field takes it: a number, or "2,5" typed."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
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
