"""Load an official list of local police areas from CSV: `import_police_areas FILE.csv`.

Columns (a header row names them; order does not matter):
  name                the area's name, e.g. "Lokalpolisområde Katrineholm"   (required)
  municipality_codes  the four-digit codes of the municipalities it serves,
                      separated by spaces, commas or semicolons                (required)
  official_code       the Police Authority's code for the area                (optional)
  district            the police district (polisområde) it belongs to         (optional)

A row is matched to an existing area by its official code when it has one, else by name
within the police region its municipalities lie in; a match is updated, anything else
created, so running the same file again changes nothing. A bad row stops the import with
its line number, and nothing of the file is saved.
"""

import csv
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from municipalities.models import Municipality, PoliceArea

REQUIRED = {"name", "municipality_codes"}


class RowError(Exception):
    pass


def read_rows(path):
    try:
        handle = Path(path).open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    with handle:
        sample = handle.read(4096)
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        header = {(name or "").strip() for name in reader.fieldnames or []}
        missing = REQUIRED - header
        if missing:
            raise CommandError(
                f"{path}: the header lacks {', '.join(sorted(missing))} "
                f"(it has {', '.join(sorted(header)) or 'nothing'})."
            )
        for row in reader:
            if None in row:  # DictReader's place for values beyond the header's columns
                yield reader.line_num, None
                continue
            yield reader.line_num, {
                (key or "").strip(): (value or "").strip() for key, value in row.items()
            }


def municipalities_of(codes_text, known):
    codes = [code for code in re.split(r"[\s,;]+", codes_text) if code]
    if not codes:
        raise RowError("no municipality codes")
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise RowError(f"unknown municipality code {', '.join(unknown)}")
    return [known[code] for code in codes]


def import_row(row, known):
    if row is None:
        raise RowError("more values than the header has columns")
    name = row.get("name", "")
    if not name:
        raise RowError("no name")
    municipalities = municipalities_of(row.get("municipality_codes", ""), known)
    try:
        region = PoliceArea.region_of(municipalities)
    except ValidationError as error:
        raise RowError(" ".join(error.messages)) from None
    code = row.get("official_code", "")
    area = None
    if code:
        area = PoliceArea.objects.filter(official_code=code).first()
    if area is None:
        area = PoliceArea.objects.filter(name=name, police_region=region).first()
    created = area is None
    if created:
        if PoliceArea.objects.filter(name=name).exists():
            raise RowError(f"another police region already has an area named {name!r}")
        area = PoliceArea(name=name)
    area.name, area.police_region = name, region
    area.official_code = code or area.official_code
    area.district_name = row.get("district", "") or area.district_name
    try:
        area.full_clean(exclude=["municipalities"])
    except ValidationError as error:
        raise RowError("; ".join(error.messages)) from None
    area.save()
    area.municipalities.add(*municipalities)
    return created


class Command(BaseCommand):
    help = "Create or update local police areas from a CSV file (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        known = {m.code: m for m in Municipality.objects.select_related("county__police_region")}
        counts = {"created": 0, "updated": 0}
        with transaction.atomic():
            try:
                for line, row in read_rows(file):
                    try:
                        created = import_row(row, known)
                    except RowError as error:
                        raise CommandError(
                            f"{file}, line {line}: {error}. Nothing was imported."
                        ) from None
                    counts["created" if created else "updated"] += 1
            except UnicodeDecodeError:
                raise CommandError(
                    f"{file} is not UTF-8 text: save it as UTF-8 (in Excel: “CSV UTF-8”). "
                    "Nothing was imported."
                ) from None
        self.stdout.write(self.style.SUCCESS(
            f"{counts['created']} police areas created, {counts['updated']} updated."
        ))
