"""Tertial report PDFs: made when a report is published, stored as new versions."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.models import TertialReport
from followup.report_pdf import render_tertial_report
from promises.documents.services import DocumentError
from promises.documents.storage import store
from promises.models import Document, PromisePeriod


@transaction.atomic
def generate_tertial_report(report, *, by=None):
    """Render a published tertial report as a new stored version."""
    if not (report.is_published and report.period.is_published):
        raise DocumentError(
            _("Only a published report of a published period is made into a PDF.")
        )
    period = PromisePeriod.objects.select_for_update().get(pk=report.period_id)
    previous = Document.objects.filter(
        period=period, kind=Document.Kind.TERTIAL_REPORT, year=report.year,
        tertial=report.tertial,
    ).aggregate(Max("version"))["version__max"]
    version = (previous or 0) + 1
    rendered = render_tertial_report(report, version=version, created_at=timezone.now())
    return store(
        owner=period, kind=Document.Kind.TERTIAL_REPORT, version=version,
        data=rendered.data, by=by,
        year=report.year, tertial=report.tertial,
    )


def generate_missing_tertial_reports(period, *, by=None):
    """A PDF for each published report that has none, or was changed after its last one."""
    latest = {}
    for document in Document.objects.filter(period=period, kind=Document.Kind.TERTIAL_REPORT):
        key = (document.year, document.tertial)
        if key not in latest or document.version > latest[key].version:
            latest[key] = document
    made = []
    for report in TertialReport.objects.public().filter(period=period).select_related("period"):
        document = latest.get((report.year, report.tertial))
        if document is None or report.updated_at > document.created_at:
            made.append(generate_tertial_report(report, by=by))
    return made


def on_published(sender, instance, by=None, **kwargs):
    """A report's PDF is made when it is published, and for the reports published before
    their period when the period is."""
    if sender is TertialReport:
        if instance.period.is_published:
            generate_tertial_report(instance, by=by)
    elif sender is PromisePeriod:
        generate_missing_tertial_reports(instance, by=by)
