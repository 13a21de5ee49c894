"""The period page and the tertial page arranged the way a citizen reads them: the answer
first (how many promises are kept in the latest reported tertial), then each promise in the
document's order with its latest status, its target and result, and what was done."""

from dataclasses import dataclass

from followup.progress import STATUS_LABELS, STATUS_MARKERS, period_progress, summarise


@dataclass
class LineView:
    """A promise, activity or indicator in one tertial."""

    line: object
    followup: object  # this tertial's FollowUp, or None
    achievement: str  # "104 av minst 100 – målet nått (104 %)", or ""
    target: str
    status: str = ""
    details_status: str = ""  # a promise's activities and indicators, rolled up
    @property
    def shows_status(self):
        """An indicator reports a value, usually without a status: "not reported" beside
        its value would be untrue."""
        has_value = self.followup is not None and self.followup.value is not None
        return bool(self.status) or not has_value

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def marker(self):
        return STATUS_MARKERS[self.status]

    @property
    def details_status_label(self):
        return STATUS_LABELS[self.details_status]


@dataclass
class PromiseCard:
    promise: object
    own: LineView
    details: list  # LineViews of its activities and indicators
    comment: str  # the year-end comment for the tertial's year, if any


def line_view(line, tertial, tertials, today, details_status=""):
    achievement = line.achievement(tertial, tertials, today) if tertial else None
    return LineView(
        line=line,
        followup=line.at(tertial) if tertial else None,
        achievement=achievement.describe(line.target) if achievement else "",
        target=line.target.describe(),
        status=line.status_at(tertial) if tertial else "",
        details_status=details_status,
    )


def ends_a_year(tertial, tertials):
    """Whether `tertial` is the period's last in its year: where a year-end comment
    belongs (not on the pages of the year's earlier tertials)."""
    return tertial == max(t for t in tertials if t.year == tertial.year)


def cards_for(progress, tertial, tertials, today):
    cards = []
    for item in progress:
        details_status = item.details_status_at(tertial) if tertial else ""
        cards.append(PromiseCard(
            promise=item.promise,
            own=line_view(item.line, tertial, tertials, today, details_status),
            details=[line_view(line, tertial, tertials, today)
                     for line in (*item.activities, *item.indicators)],
            comment=(item.comments.get(tertial.year, "")
                     if tertial and ends_a_year(tertial, tertials) else ""),
        ))
    return cards


@dataclass
class TertialView:
    """What a page shows of a period in one tertial (None: nothing reported yet)."""

    tertial: object
    summary: object
    cards: list


def tertial_view(period, states, shown, *, preview, today):
    """The period's promises in `shown` (a TertialState with a report, or None)."""
    tertials = [state.tertial for state in states]
    progress = period_progress(period, public=not preview)
    tertial = shown.tertial if shown else None
    return TertialView(
        tertial=tertial,
        summary=summarise(progress, tertial) if tertial else None,
        cards=cards_for(progress, tertial, tertials, today),
    )
