"""An uploaded tertial workbook, read safely into its rows (spreadsheet_preview.py compares
them with what is saved).

Safely: the zip's members are counted and their uncompressed sizes summed before openpyxl
opens it (a zip bomb is refused unread); openpyxl reads with defusedxml (no external
entities), read-only and with the values the spreadsheet last computed (data_only): no
formula is evaluated here, and nothing of the file runs.
"""

import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from followup.spreadsheet import (
    COLUMNS, FILE_MARK, FIRST_ROW, HEADER_ROW, ROW_KEY_HEADER, VERSION_HEADER,
)

logger = logging.getLogger(__name__)

MAX_MEMBERS = 300
# A period has at most a few hundred rows; more is not a tertial file.
MAX_ROWS = 5000


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
