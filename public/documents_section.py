"""The documents section of a period page: the current medborgarlöfte document, its earlier
versions, and the newest PDF of each published tertial report."""

import dataclasses

from promises.documents.storage import STATE_RANK
from promises.models import Document


@dataclasses.dataclass
class PeriodDocuments:
    """What the period page lists: the current agreement, its earlier versions, and the
    newest PDF of each published tertial report."""

    agreement: Document | None
    earlier_agreements: list
    reports: list

    def __bool__(self):
        return bool(self.agreement or self.reports)


def for_period_page(period, *, published_tertials):
    """One query for the whole documents section; `published_tertials` holds (year, tertial)."""
    agreements_by_version, reports = {}, {}
    rows = Document.objects.filter(period=period).only(
        "period_id", "kind", "year", "tertial", "version", "state", "sha256", "size",
        "created_at",
    ).order_by("-version", "created_at")
    for document in rows:
        if document.kind == Document.Kind.AGREEMENT:
            best = agreements_by_version.get(document.version)
            if best is None or STATE_RANK[document.state] > STATE_RANK[best.state]:
                agreements_by_version[document.version] = document
        elif (document.year, document.tertial) in published_tertials:
            reports.setdefault((document.year, document.tertial), document)
    versions = sorted(agreements_by_version.values(), key=lambda d: -d.version)
    return PeriodDocuments(
        agreement=versions[0] if versions else None,
        earlier_agreements=versions[1:],
        reports=[reports[key] for key in sorted(reports)],
    )
