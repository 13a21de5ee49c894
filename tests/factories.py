"""Small factories for generated data: a published period of any size, for page and
query-budget tests."""

import datetime
import itertools

from django.utils import timezone

from followup.models import FollowUp, Measurement, TertialReport, YearEndComment
from municipalities.models import Municipality, PoliceArea, PoliceRegion
from promises.models import (
    Activity, FocusArea, Indicator, Party, Priority, Promise, PromisePeriod, Signatory,
)

_counter = itertools.count(1)
PARTIES = [Party.POLICE, Party.MUNICIPALITY, Party.JOINT]


def police_area_for(municipality):
    area, _ = PoliceArea.objects.get_or_create(
        name=f"Lokalpolisområde {municipality.name}",
        defaults={"police_region": PoliceRegion.objects.first()},
    )
    area.municipalities.add(municipality)
    return area


def make_period(
    municipality=None,
    *,
    year=2024,
    years=1,
    promises=2,
    activities=2,
    indicators=1,
    published=True,
    reports=(1, 2),
    note="",
):
    """A period with `promises` promises, each with activities followed up every tertial
    and indicators measured every tertial; `reports` are the tertials (of every year)
    whose reports are published."""
    n = next(_counter)
    municipality = municipality or Municipality.objects.order_by("code")[n % 290]
    now = timezone.now()
    period = PromisePeriod.objects.create(
        municipality=municipality,
        police_area=police_area_for(municipality),
        title=f"Medborgarlöfte {year} nummer {n}",
        valid_from=datetime.date(year, 1, 1),
        valid_to=datetime.date(year + years - 1, 12, 31),
        status="published" if published else "draft",
        published_at=now if published else None,
        introduction="Tillsammans för ett tryggare Åby.",
        situation="Lägesbilden visar oro för skadegörelse.",
    )
    Priority.objects.create(period=period, order=1, text="Tryggare centrum")
    FocusArea.objects.create(period=period, order=1, name="Unga", description="Unga i centrum")
    Signatory.objects.create(period=period, party="police", name="Anna Polis", title="Chef")
    Signatory.objects.create(period=period, party="municipality", name="Bo Kommun", title="KSO")
    for p in range(promises):
        promise = Promise.objects.create(
            period=period, order=p, party=PARTIES[p % 3], text=f"Löfte {p} om trygghet i Åby",
        )
        for y in range(years):
            YearEndComment.objects.create(
                promise=promise, year=year + y, text=f"Året {year + y} gick bra."
            )
        for a in range(activities):
            activity = Activity.objects.create(
                promise=promise, order=a, text=f"Aktivitet {a} med föräldravandringar",
                responsible_party=PARTIES[a % 3],
            )
            for y in range(years):
                for tertial in (1, 2, 3):
                    FollowUp.objects.create(
                        activity=activity, year=year + y, tertial=tertial,
                        status="ongoing", account=f"Redovisning T{tertial} för aktivitet {a}",
                        internal_note=note,
                    )
        for i in range(indicators):
            indicator = Indicator.objects.create(
                promise=promise, order=i, name=f"Indikator {i}", unit="st", target_value=10,
            )
            for y in range(years):
                for tertial in (1, 2, 3):
                    Measurement.objects.create(
                        indicator=indicator, year=year + y, tertial=tertial, value=tertial * 3,
                        internal_note=note,
                    )
    for y in range(years):
        for tertial in (1, 2, 3):
            is_published = tertial in reports
            TertialReport.objects.create(
                period=period, year=year + y, tertial=tertial,
                summary=f"Sammanfattning T{tertial}",
                status="published" if is_published else "draft",
                published_at=now if is_published else None,
            )
    return period
