"""The tertial report PDF: a tertial's public follow-up, as it is presented to the local
crime-prevention council, in the document's order."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followup.progress import period_progress, period_tertials, summarise
from followup.tertials import Tertial
from promises.documents.rendering import paragraphs, render


def tertial_report_context(report, *, today=None):
    period = report.period
    today = today or timezone.localdate()
    tertial = Tertial(report.year, report.tertial)
    all_tertials = period_tertials(period)
    # The year so far: the report's tertial and the earlier ones the period overlaps.
    shown = [t for t in all_tertials if t.year == tertial.year and t <= tertial]
    progress = period_progress(period, public=True, tertials=shown)
    rows = []
    for item in progress:
        lines = []
        for line in item.lines:
            achievement = line.achievement(tertial, all_tertials, today)
            lines.append({
                "line": line,
                "target": line.target.describe(),
                "cells": [line.at(t) for t in shown],
                "achievement": achievement.describe(line.target) if achievement else "",
            })
        is_last_of_year = tertial == max(t for t in all_tertials if t.year == tertial.year)
        rows.append({
            "promise": item.promise,
            "lines": lines,
            "year_end_comment": item.comments.get(tertial.year, "") if is_last_of_year else "",
        })
    return {
        "owner": period,
        "period": period,
        "report": report,
        "heading": _("Follow-up of the citizen promises, tertial %(number)s %(year)s")
        % {"number": report.tertial, "year": report.year},
        "tertials": shown,
        "summary": summarise(progress, tertial),
        "promises": rows,
        "summary_paragraphs": paragraphs(report.summary),
    }


def render_tertial_report(report, *, version, created_at=None):
    """The tertial report as PDF/A: public follow-ups only, never an internal note."""
    with translation.override(settings.LANGUAGE_CODE):
        context = tertial_report_context(report)
    context.update(version=version, created_at=timezone.localtime(created_at))
    return render("pdf/tertial_report.html", context)
