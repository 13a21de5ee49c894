"""Text a spreadsheet would run as a formula: the one rule every file the portal makes (CSV
exports, the tertial workbook) follows to keep such text as text."""

import re

# = + - @ start a formula in Excel and LibreOffice, and so do their full-width forms (a
# spreadsheet folds them); a leading tab or carriage return hides one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def looks_like_formula(value):
    """Whether a spreadsheet would read this value as a formula: text that starts like one
    (a plain number such as "-5" is a number, not a formula; a number, date or None never
    is)."""
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and not NUMBER.fullmatch(value))
