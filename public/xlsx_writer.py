"""A small streaming writer of one-sheet .xlsx files: a bold, frozen header row, then rows of
text, numbers and dates, written straight into the zip as they come.

The portal's Excel files are plain tables, and the national one has hundreds of thousands
of rows: openpyxl builds a cell object per value and was about ten times slower at it (the
national build took 21 minutes with it, 5 without, on a busy two-core machine). Every text
is written as text (an inline string), never as a formula, whatever it starts with. The
zip entries carry a fixed date, so the same rows give the same bytes (and the same ETag).
"""

import datetime
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
ROWS_PER_WRITE = 500
BOLD, DATE = 1, 2  # cell styles in STYLES
# Characters XML 1.0 does not allow; a pasted text may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = HEAD + (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = HEAD + (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = HEAD + (
    f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = HEAD + (
    f'<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews><sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def text(value):
    return escape(NOT_XML.sub("", value))


def cell_xml(reference, value, style=0):
    """One cell, or "" for an empty one."""
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return (f'<c r="{reference}" t="inlineStr"{styled}><is><t xml:space="preserve">'
                f"{text(value)}</t></is></c>")
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"{styled}><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{reference}"{styled}><v>{value}</v></c>'
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise TypeError("Excel has no time zones: give a local time.")
        days = (value - datetime.datetime.combine(EPOCH, datetime.time())).total_seconds()
        return f'<c r="{reference}" s="{DATE}"><v>{days / 86400!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{reference}" s="{DATE}"><v>{(value - EPOCH).days}</v></c>'
    return cell_xml(reference, str(value), style)


def entry(name):
    return zipfile.ZipInfo(name, date_time=FIXED_DATE)


def write_xlsx(target, title, headers, rows):
    """Write the file into `target` (a path or a binary file): `headers` in bold on a frozen
    first row, then `rows` (iterables of values), read one at a time."""
    letters = [column_letter(index) for index in range(len(headers))]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), ("xl/styles.xml", STYLES),
            ("xl/workbook.xml", HEAD + (
                f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                f'<sheet name="{escape(title[:31], {chr(34): "&quot;"})}" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>'
            )),
        ):
            package.writestr(entry(name), content, compress_type=zipfile.ZIP_DEFLATED)
        sheet_entry = entry("xl/worksheets/sheet1.xml")
        sheet_entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(sheet_entry, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.encode())
            header = "".join(
                cell_xml(f"{letter}1", value, BOLD) for letter, value in zip(letters, headers)
            )
            lines = [f'<row r="1">{header}</row>']
            for number, row in enumerate(rows, start=2):
                cells = "".join(
                    cell_xml(f"{letter}{number}", value) for letter, value in zip(letters, row)
                )
                lines.append(f'<row r="{number}">{cells}</row>')
                if len(lines) >= ROWS_PER_WRITE:
                    sheet.write("".join(lines).encode())
                    lines = []
            lines.append(SHEET_TAIL)
            sheet.write("".join(lines).encode())
