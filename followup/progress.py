"""How a period's promises are being kept, tertial by tertial: every promise in the
document's order with its own follow-up, its activities' and indicators' beneath, their
targets and how far the results have come. The public pages, the tertial report PDF, the
exports and the spreadsheet all read the period through this.

`period_progress` costs a fixed number of queries whatever the period holds.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from followup.models import ON_TRACK, FollowUp, Status, YearEndComment
from followup.tertials import Tertial, tertials_between
from promises.models import Activity, Indicator, Promise

NOT_REPORTED = ""
# Statuses in the order a summary lists them, "not reported" last.
SUMMARY_ORDER = [*Status.values, NOT_REPORTED]
STATUS_LABELS = {**dict(Status.choices), NOT_REPORTED: _("Not reported")}
# Shapes as well as colours, so the status never rests on colour alone.
STATUS_MARKERS = {
    Status.COMPLETED: "✔",
    Status.DONE_CONTINUING: "●",
    Status.ONGOING: "◐",
    Status.NOT_STARTED: "○",
    Status.POSTPONED: "‖",
    NOT_REPORTED: "–",
}


def period_tertials(period):
    """The tertials the period overlaps, in order (a September–December period has one)."""
    return list(tertials_between(period.valid_from, period.valid_to))


def span_tertials(target_span, tertial, tertials):
    """The tertials of the period whose values count towards a target at `tertial`."""
    if target_span == "tertial":
        return [tertial]
    if target_span == "year":
        return [t for t in tertials if t.year == tertial.year]
    return list(tertials)


@dataclass
class Line:
    """A promise, activity or indicator with its follow-ups by tertial."""

    kind: str  # "promise", "activity" or "indicator"
    subject: object
    followups: dict = field(default_factory=dict)  # Tertial -> FollowUp

    @property
    def text(self):
        return self.subject.name if self.kind == "indicator" else self.subject.text

    @property
    def target(self):
        return self.subject.target

    def at(self, tertial):
        return self.followups.get(tertial)

    def status_at(self, tertial):
        followup = self.at(tertial)
        return followup.status if followup is not None else NOT_REPORTED

    def achievement(self, tertial, tertials, today):
        """How the values up to `tertial` stand against the target (None without one)."""
        target = self.target
        if not target.is_numeric:
            return None
        span = span_tertials(target.span, tertial, tertials)
        counted = [t for t in span if t <= tertial]
        values = [self.followups[t].value for t in counted if t in self.followups]
        span_is_over = span[-1] <= tertial and span[-1].is_over(today)
        return target.achievement(values, span_is_over=span_is_over)


def rolled_up(statuses):
    """One status for several: their common one; done and continuing when all are done;
    ongoing when any is under way; otherwise not started ("" when none is reported)."""
    reported = {status for status in statuses if status}
    if len(reported) <= 1:
        return reported.pop() if reported else NOT_REPORTED
    if reported <= {Status.COMPLETED, Status.DONE_CONTINUING}:
        return Status.DONE_CONTINUING
    if reported & ON_TRACK:
        return Status.ONGOING
    return Status.NOT_STARTED


@dataclass
class PromiseProgress:
    promise: Promise
    line: Line  # the promise's own follow-up
    activities: list
    indicators: list
    comments: dict  # year -> year-end comment text

    @property
    def lines(self):
        return [self.line, *self.activities, *self.indicators]

    def details_status_at(self, tertial):
        """Its activities' and indicators' statuses in the tertial, rolled up: shown beside
        a promise that reports no status of its own (many documents follow up activity by
        activity), never counted as the promise's own, which stays "not reported"."""
        return rolled_up(
            line.status_at(tertial) for line in (*self.activities, *self.indicators)
        )


def followup_queryset(*, public, internal_notes=False):
    queryset = FollowUp.objects.public() if public else FollowUp.objects.all()
    if not internal_notes:
        queryset = queryset.defer("internal_note")
    return queryset.order_by("year", "tertial")


def period_progress(period, *, public, tertials=None, internal_notes=False, shown=None,
                    comments=True):
    """Every promise of the period in document order with its follow-ups (public ones only,
    unless `public` is False: an editor's preview). `tertials` limits which are fetched;
    `internal_notes` loads them too (the tertial screen shows them, nothing public does).
    `shown`: a page that shows one tertial gets that tertial's follow-ups and, of the
    tertials before it, only the ones with a value (what a target's result counts).
    `comments=False` leaves the year-end comments out (one query less, for the screens
    that do not show them); a year reads only that year's, with the promises (no query of
    their own)."""
    return progress_of_periods(
        [period], public=public, tertials=tertials, internal_notes=internal_notes,
        shown=shown, comments=comments,
    )[period.pk]


def shown_and_earlier_values(shown):
    """The follow-ups a page showing the tertial `shown` reads: its own, and the earlier
    values that count towards a target (Line.achievement reads nothing else)."""
    earlier = Q(year__lt=shown.year) | Q(year=shown.year, tertial__lt=shown.number)
    return Q(year=shown.year, tertial=shown.number) | (earlier & Q(value__isnull=False))


def progress_of_periods(periods, *, public, tertials=None, internal_notes=False, shown=None,
                        comments=True):
    """{period id: period_progress} for many periods in a fixed number of queries."""
    by_id = {period.pk: period for period in periods}
    followups = followup_queryset(public=public, internal_notes=internal_notes and not public)
    followups = followups.filter(promise__period__in=list(by_id))
    if tertials is not None:
        followups = followups.filter(year__in={t.year for t in tertials})
    if shown is not None:
        followups = followups.filter(shown_and_earlier_values(shown))
    every_comment = comments is True
    promises = (
        Promise.objects.filter(period_id__in=list(by_id))
        .select_related("municipality").order_by("order", "pk")
    )
    if comments not in (True, False):
        promises = promises.annotate(year_end_comment=Subquery(
            YearEndComment.objects.filter(promise=OuterRef("pk"), year=comments)
            .values("text")[:1]
        ))
    promises = list(promises)
    # Each promise's rows by plain filters rather than prefetch_related: the same queries,
    # without the prefetch machinery's cost on every public page view.
    promise_ids = [promise.pk for promise in promises]
    beneath = {}
    for model in (Activity, Indicator):
        for row in model.objects.filter(promise_id__in=promise_ids).order_by("order", "pk"):
            beneath.setdefault((model, row.promise_id), []).append(row)
    every = {}
    if every_comment:
        for comment in YearEndComment.objects.filter(
            promise_id__in=promise_ids
        ).order_by("year"):
            every.setdefault(comment.promise_id, {})[comment.year] = comment.text
    wanted = set(tertials) if tertials is not None else None
    by_subject = {}
    for followup in followups:
        tertial = Tertial(followup.year, followup.tertial)
        if wanted is not None and tertial not in wanted:
            continue
        key = ("activity", followup.activity_id) if followup.activity_id else (
            ("indicator", followup.indicator_id) if followup.indicator_id
            else ("promise", followup.promise_id)
        )
        by_subject.setdefault(key, {})[tertial] = followup
    result = {pk: [] for pk in by_id}
    for promise in promises:
        promise.period = by_id[promise.period_id]  # one object, so its scope is read once
        for row in (*beneath.get((Activity, promise.pk), ()),
                    *beneath.get((Indicator, promise.pk), ())):
            row.promise = promise
        result[promise.period_id].append(PromiseProgress(
            promise=promise,
            line=Line("promise", promise, by_subject.get(("promise", promise.pk), {})),
            activities=[
                Line("activity", a, by_subject.get(("activity", a.pk), {}))
                for a in beneath.get((Activity, promise.pk), [])
            ],
            indicators=[
                Line("indicator", i, by_subject.get(("indicator", i.pk), {}))
                for i in beneath.get((Indicator, promise.pk), [])
            ],
            comments=every.get(promise.pk, {}) if every_comment
            else year_end_comments(promise, comments),
        ))
    return result


def year_end_comments(promise, comments):
    """{year: text} of the one year's comment progress_of_periods read for `promise`."""
    if comments is False or not promise.year_end_comment:
        return {}
    return {comments: promise.year_end_comment}


@dataclass
class Summary:
    """How the promises stand in one tertial: how many have each status."""

    tertial: Tertial
    counts: Counter
    total: int
    # Promises with no status of their own whose activities and indicators, rolled up, are
    # on track: said beside the count (a document that follows up activity by activity),
    # never counted as the promises' own.
    details_on_track: int = 0

    @property
    def on_track(self):
        """Completed, done and continuing, or ongoing."""
        return sum(self.counts[status] for status in ON_TRACK)

    def segments(self):
        """One status per promise, in summary order: the blocks of a status bar."""
        return [status for status in SUMMARY_ORDER for _ in range(self.counts[status])]

    def parts(self):
        """(status, label, marker, count) for each status present, in summary order."""
        return [
            (status, STATUS_LABELS[status], STATUS_MARKERS[status], self.counts[status])
            for status in SUMMARY_ORDER if self.counts[status]
        ]


def summarise(progress, tertial):
    counts = Counter(item.line.status_at(tertial) for item in progress)
    details_on_track = sum(
        1 for item in progress
        if item.line.status_at(tertial) == NOT_REPORTED
        and item.details_status_at(tertial) in ON_TRACK
    )
    return Summary(tertial=tertial, counts=counts, total=len(progress),
                   details_on_track=details_on_track)


def latest_summaries(periods, reports):
    """{period id: Summary of its promises in its latest reported tertial} for many periods
    in two queries, whatever they hold. `periods` is a queryset of periods and `reports`
    maps a period id to its latest published TertialReport; a period without one gets a
    Summary whose tertial is None (only its total counts). Only public follow-ups count."""
    wanted = {pk: Tertial(r.year, r.tertial) for pk, r in reports.items()}
    promises = {}
    for pk, period_id in Promise.objects.filter(period__in=periods).values_list(
        "pk", "period_id"
    ):
        promises.setdefault(period_id, []).append(pk)
    statuses = {}
    for promise_id, period_id, year, number, status in FollowUp.objects.public().filter(
        promise__period__in=periods, activity=None, indicator=None,
    ).values_list("promise_id", "promise__period_id", "year", "tertial", "status"):
        if wanted.get(period_id) == Tertial(year, number):
            statuses[promise_id] = status
    return {
        period_id: Summary(
            tertial=tertial,
            counts=Counter(statuses.get(pk, NOT_REPORTED) for pk in promises.get(period_id, [])),
            total=len(promises.get(period_id, [])),
        )
        for period_id in {*promises, *wanted}
        for tertial in [wanted.get(period_id)]
    }
