"""The documents section of a period page: the newest medborgarlöfte document (its
most-signed state), its earlier versions, and the newest PDF of each published tertial
report. One query, whatever the number of versions."""

import dataclasses

from promises.models import Document


@dataclasses.dataclass
class PeriodDocuments:
    document: Document | None
    earlier_versions: list
    reports: list

    def __bool__(self):
        return bool(self.document or self.reports)


def for_period_page(period, *, published_tertials):
    """`published_tertials` holds (year, tertial) of the published reports."""
    best_by_version, reports = {}, {}
    rows = Document.objects.filter(period=period).only(
        "period_id", "kind", "year", "tertial", "version", "signature_count", "sha256",
        "size", "created_at",
    ).order_by("-version", "-signature_count", "created_at")
    for document in rows:
        if document.kind == Document.Kind.PERIOD:
            best_by_version.setdefault(document.version, document)
        elif (document.year, document.tertial) in published_tertials:
            reports.setdefault((document.year, document.tertial), document)
    versions = sorted(best_by_version.values(), key=lambda d: -d.version)
    return PeriodDocuments(
        document=versions[0] if versions else None,
        earlier_versions=versions[1:],
        reports=[reports[key] for key in sorted(reports)],
    )


def report_document(period, report):
    """The newest PDF of a published tertial report, or None."""
    if not report.is_published:
        return None
    return Document.objects.filter(
        period=period, kind=Document.Kind.TERTIAL_REPORT, year=report.year,
        tertial=report.tertial,
    ).order_by("-version").first()
