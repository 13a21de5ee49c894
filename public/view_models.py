"""The period page and the tertial page arranged the way a citizen reads them: the answer
first (how many promises are kept in the latest reported tertial), then each promise in the
document's order with its latest status, its target and result, and what was done."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from followup.progress import STATUS_LABELS, STATUS_MARKERS, period_progress, summarise
from public import documents_section, selectors


@dataclass
class LineView:
    """A promise, activity or indicator in one tertial, with what the page prints of it
    worked out here rather than in the template (a page holds hundreds of these)."""

    line: object
    followup: object  # this tertial's FollowUp, or None
    achievement: str  # "104 av minst 100 – målet nått (104 %)", or ""
    target: str
    status: str = ""
    details_status: str = ""  # a promise's activities and indicators, rolled up
    kind_label: str = ""  # "Activity" or "Indicator", translated
    label: str = ""
    text: str = ""

    @property
    def shows_status(self):
        """An indicator reports a value, usually without a status: "not reported" beside
        its value would be untrue."""
        has_value = self.followup is not None and self.followup.value is not None
        return bool(self.status) or not has_value

    @property
    def status_class(self):
        return self.status or "not_reported"

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
    party_heading: str = ""  # "The police promise", ...


def party_headings(period):
    """Each party's heading, translated once per page."""
    several = len(period.municipality_ids()) > 1
    return {
        "police": _("The police promise"),
        "municipality": _("The municipalities promise") if several
        else _("The municipality promises"),
    }


def line_view(line, tertial, tertials, today, details_status="", kind_labels=None):
    achievement = line.achievement(tertial, tertials, today) if tertial else None
    return LineView(
        line=line,
        followup=line.at(tertial) if tertial else None,
        achievement=achievement.describe(line.target) if achievement else "",
        target=line.target.describe(),
        status=line.status_at(tertial) if tertial else "",
        details_status=details_status,
        kind_label=kind_labels[line.kind] if kind_labels else "",
        label=line.subject.label,
        text=line.text,
    )


def ends_a_year(tertial, tertials):
    """Whether `tertial` is the period's last in its year: where a year-end comment
    belongs (not on the pages of the year's earlier tertials)."""
    return tertial == max(t for t in tertials if t.year == tertial.year)


def cards_for(progress, tertial, tertials, today, period=None):
    kind_labels = {"activity": _("Activity"), "indicator": _("Indicator")}
    headings = party_headings(period) if period is not None else {}
    joint = _("We promise jointly")
    year_end = tertial is not None and ends_a_year(tertial, tertials)
    cards = []
    for item in progress:
        details_status = item.details_status_at(tertial) if tertial else ""
        cards.append(PromiseCard(
            promise=item.promise,
            own=line_view(item.line, tertial, tertials, today, details_status),
            details=[line_view(line, tertial, tertials, today, kind_labels=kind_labels)
                     for line in (*item.activities, *item.indicators)],
            comment=item.comments.get(tertial.year, "") if year_end else "",
            party_heading=headings.get(item.promise.party, joint),
        ))
    return cards


@dataclass
class TertialView:
    """What a page shows of a period in one tertial (None: nothing reported yet)."""

    tertial: object
    summary: object
    cards: list
    labels: dict  # words every card repeats, translated once


def card_labels(tertial):
    """The words the cards repeat, translated once a page (the cards' template has none)."""
    labels = {"target": _("Target:"), "result": _("Result:"), "value": _("Value:"),
              "changed": _("Changed after publication"), "its_activities": _("its activities:"),
              "not_published": _("Not published yet")}
    if tertial is not None:
        labels["account"] = _("Account, tertial %(tertial)s %(year)s:") % {
            "tertial": tertial.number, "year": tertial.year}
        labels["year_end"] = _("Comment at the end of %(year)s") % {"year": tertial.year}
    return labels


def tertial_view(period, states, shown, *, preview, today):
    """The period's promises in `shown` (a TertialState with a report, or None)."""
    tertials = [state.tertial for state in states]
    tertial = shown.tertial if shown else None
    # The shown tertial's follow-ups and the earlier values its results count, and its
    # year's comments when it ends the year: no more.
    year_end = tertial is not None and ends_a_year(tertial, tertials)
    progress = period_progress(period, public=not preview, shown=tertial,
                               comments=tertial.year if year_end else False)
    return TertialView(
        tertial=tertial,
        summary=summarise(progress, tertial) if tertial else None,
        cards=cards_for(progress, tertial, tertials, today, period=period),
        labels=card_labels(tertial),
    )


def period_page(period, *, preview, can_preview, today):
    """What the period page shows (public/templates/public/_period_content.html): the view
    renders it for each request, public/period_pages.py ahead of citizens' requests."""
    states = selectors.tertial_states(
        period, selectors.reports_of(period, preview=preview), today
    )
    reported = [state for state in states if state.is_shown]
    latest = reported[-1] if reported else None
    return {
        "period": period,
        "preview": preview,
        "can_preview": can_preview,
        "states": states,
        "latest": latest,
        "view": tertial_view(period, states, latest, preview=preview, today=today),
        "documents": documents_section.for_period_page(period, published_tertials={
            (s.tertial.year, s.tertial.number) for s in states if s.state == "published"
        }),
    }


def home_page(today):
    """What the home page shows: rendered for each request by public/views.py, ahead of
    citizens' requests by public/site_pages.py."""
    from public import overview

    figures = overview.national_figures(today)
    return {
        "totals": figures.totals,
        "municipalities": figures.municipalities,
        "recent": figures.recent,
        "municipality_count": len(figures.municipalities),
        "period_count": figures.period_count,
    }


def municipality_page(place, user, today):
    """What a municipality's page shows to `user` (anonymous: what citizens see)."""
    from promises.models import Agreement, PromisePeriod

    periods = selectors.rolled_up_periods(place)
    current = [p for p in periods if p.is_current(today)]
    earlier = [p for p in periods if not p.is_current(today)]
    drafts = [
        selectors.ListedPeriod.of(period) for period in selectors.periods_for_pages(
            PromisePeriod.objects.visible_to(user).for_municipality(place)
            .exclude(status=PromisePeriod.Status.PUBLISHED)
        ).order_by("-valid_from")
    ] if user.is_authenticated else []
    return {
        "municipality": place,
        "current": current,
        "current_summaries": [(p, p.summary) for p in current],
        "earlier": earlier,
        "published": current + earlier,
        "drafts": drafts,
        "police_areas": list(place.police_areas.order_by("name").values("name", "district_name")),
        "agreements": list(Agreement.objects.visible_to(user).filter(municipalities=place)),
    }
