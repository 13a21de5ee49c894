"""The tertial report PDF: a tertial's public follow-up, as it is presented to the local
crime-prevention council."""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followup.models import FollowUp, Measurement, YearEndComment
from followup.tertials import Tertial
from promises.documents.agreement import target_text
from promises.documents.rendering import paragraphs, render


def tertial_report_context(report):
    period = report.period
    tertials = [
        Tertial(report.year, number)
        for number in range(1, report.tertial + 1)
        if Tertial(report.year, number).overlaps(period.valid_from, period.valid_to)
    ]
    numbers = [tertial.number for tertial in tertials]
    promises = list(
        period.promises.order_by("order", "pk").prefetch_related(
            Prefetch(
                "activities__followups",
                queryset=FollowUp.objects.public().filter(
                    year=report.year, tertial__in=numbers
                ),
                to_attr="public_followups",
            ),
            Prefetch(
                "indicators__measurements",
                queryset=Measurement.objects.public().filter(
                    year=report.year, tertial__in=numbers
                ),
                to_attr="public_measurements",
            ),
            Prefetch(
                "year_end_comments",
                queryset=YearEndComment.objects.filter(year=report.year),
                to_attr="comments_for_year",
            ),
        )
    )
    promise_rows, indicator_rows = [], []
    for promise in promises:
        rows = []
        for activity in promise.activities.all():
            by_tertial = {followup.tertial: followup for followup in activity.public_followups}
            rows.append({
                "activity": activity,
                "target": target_text(activity),
                "cells": [by_tertial.get(number) for number in numbers],
            })
        comment = promise.comments_for_year[0].text if (
            report.tertial == 3 and promise.comments_for_year
        ) else ""
        promise_rows.append({"text": promise.text, "rows": rows, "year_end_comment": comment})
        for indicator in promise.indicators.all():
            by_tertial = {m.tertial: m.value for m in indicator.public_measurements}
            indicator_rows.append({
                "indicator": indicator,
                "target": target_text(indicator),
                "values": [by_tertial.get(number) for number in numbers],
            })
    return {
        "period": period,
        "report": report,
        "heading": _("Follow-up of the citizen promises, tertial %(number)s %(year)s")
        % {"number": report.tertial, "year": report.year},
        "tertials": tertials,
        "promises": promise_rows,
        "indicators": indicator_rows,
        "summary_paragraphs": paragraphs(report.summary),
    }


def render_tertial_report(report, *, version, created_at=None):
    """The tertial report as PDF/A: public follow-ups only, never an internal note."""
    with translation.override(settings.LANGUAGE_CODE):
        context = tertial_report_context(report)
    context.update(version=version, created_at=timezone.localtime(created_at))
    return render("pdf/tertial_report.html", context)
