"""Load the reference data shipped in municipalities/data/: police regions, counties and all
290 municipalities. Idempotent: it updates what exists and adds what is missing."""

import csv
from pathlib import Path

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows(filename):
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(*, PoliceRegion, County, Municipality):
    """Takes the model classes so a data migration can pass its historical models."""
    county_rows = read_rows("counties.csv")
    regions = {}
    for name in sorted({row["police_region"] for row in county_rows}):
        regions[name], _ = PoliceRegion.objects.update_or_create(
            name=name, defaults={"slug": slugify(name)}
        )
    counties = {}
    for row in county_rows:
        counties[row["code"]], _ = County.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "police_region": regions[row["police_region"]]},
        )
    for row in read_rows("municipalities.csv"):
        Municipality.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "slug": slugify(row["name"], allow_unicode=True),
                "county": counties[row["county_code"]],
            },
        )
