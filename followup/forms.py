"""The tertial screen's forms: one small form per activity and per indicator, gathered in a
TertialSheet that builds them from the database and hands the changed rows to the service."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from followup.models import FollowUp, Measurement
from followup.services import FollowUpInput, MeasurementInput
from followup.tertials import Tertial, tertials_between
from municipalities.permissions import Access, filter_queryset
from promises.models import Activity, Indicator, PromisePeriod


class FollowUpRowForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUp.Status.choices)
    account = forms.CharField(
        label=_("Account (public)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done. Public when the tertial report is published."),
    )
    internal_note = forms.CharField(
        label=_("Internal note (never published)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "internal-note"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def to_input(self, activity_id):
        data = self.cleaned_data
        return FollowUpInput(
            activity_id=activity_id, status=data["status"], account=data["account"],
            internal_note=data["internal_note"], loaded_version=data["version"],
        )


class MeasurementRowForm(forms.Form):
    value = forms.DecimalField(
        label=_("Value"), required=False, max_digits=12, decimal_places=2, min_value=0,
        localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def to_input(self, indicator_id):
        return MeasurementInput(
            indicator_id=indicator_id, value=self.cleaned_data["value"],
            loaded_version=self.cleaned_data["version"],
        )


class ChooseTertialForm(forms.Form):
    """Which period, year and tertial to open (a GET form)."""

    period = forms.ModelChoiceField(label=_("Citizen promise period"), queryset=None)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    tertial = forms.TypedChoiceField(
        label=_("Tertial"), required=False, coerce=int,
        choices=[("", "—"), (1, _("Tertial 1")), (2, _("Tertial 2")), (3, _("Tertial 3"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = PromisePeriod.objects.readable_by(user).select_related(
            "municipality"
        ).order_by("municipality__name", "-valid_from")


def default_tertial(period, today):
    """The current tertial; the period's last once it has ended, its first before it starts."""
    first, last = Tertial.of(period.valid_from), Tertial.of(period.valid_to)
    current = Tertial.of(today)
    return max(first, min(current, last))


def period_tertials(period):
    return list(tertials_between(period.valid_from, period.valid_to))


class DeletedMeanwhile:
    """Stands in for the newer version when someone removed the row meanwhile."""

    version = None

    def message(self):
        return gettext(
            "Someone removed this row after you opened the page, so nothing was saved. "
            "Save again to enter it anew."
        )


@dataclass
class Row:
    kind: str  # "activity" or "indicator"
    obj: object  # the Activity or Indicator
    form: forms.Form
    saved: object  # the FollowUp or Measurement of this tertial, or None
    previous: object  # the same for the previous tertial, or None
    editable: bool
    conflict: object = None  # NewerVersion when refused

    @property
    def key(self):
        return (self.kind, self.obj.pk)


@dataclass
class PromiseGroup:
    promise: object
    rows: list


class TertialSheet:
    """Every activity and indicator of a period for one tertial, as row forms."""

    def __init__(self, period, tertial, user, data=None):
        self.period, self.tertial, self.user = period, tertial, user
        access = Access(user)
        self.access = access
        self.previous_tertial = tertial.previous()
        visible = access.police_only_q("promise__period__", "promise__party")
        editable = access.followup_q("promise__period__", "promise__party")
        activities = filter_queryset(
            Activity.objects.filter(promise__period=period), visible
        ).select_related("promise").order_by("promise__order", "promise__pk", "order", "pk")
        indicators = filter_queryset(
            Indicator.objects.filter(promise__period=period), visible
        ).select_related("promise").order_by("promise__order", "promise__pk", "order", "pk")
        activities, indicators = list(activities), list(indicators)
        editable_activities = set(
            filter_queryset(Activity.objects.filter(promise__period=period), editable)
            .values_list("pk", flat=True)
        )
        editable_indicators = set(
            filter_queryset(Indicator.objects.filter(promise__period=period), editable)
            .values_list("pk", flat=True)
        )
        wanted = [(tertial.year, tertial.number),
                  (self.previous_tertial.year, self.previous_tertial.number)]
        followups = {}
        for followup in FollowUp.objects.filter(
            activity__in=activities, year__in={y for y, _t in wanted},
        ).select_related("updated_by"):
            followups[(followup.activity_id, followup.year, followup.tertial)] = followup
        measurements = {}
        for measurement in Measurement.objects.filter(
            indicator__in=indicators, year__in={y for y, _t in wanted},
        ).select_related("updated_by"):
            measurements[(measurement.indicator_id, measurement.year, measurement.tertial)] = (
                measurement
            )
        now, before = wanted
        self.rows = []
        for activity in activities:
            saved = followups.get((activity.pk, *now))
            initial = {"status": FollowUp.Status.NOT_STARTED, "account": "", "internal_note": "",
                       "version": None}
            if saved is not None:
                initial = {"status": saved.status, "account": saved.account,
                           "internal_note": saved.internal_note, "version": saved.version}
            self.rows.append(self._row(
                "activity", activity, FollowUpRowForm, initial, data, saved,
                followups.get((activity.pk, *before)), activity.pk in editable_activities,
            ))
        for indicator in indicators:
            saved = measurements.get((indicator.pk, *now))
            initial = {"value": saved.value if saved else None,
                       "version": saved.version if saved else None}
            self.rows.append(self._row(
                "indicator", indicator, MeasurementRowForm, initial, data, saved,
                measurements.get((indicator.pk, *before)), indicator.pk in editable_indicators,
            ))

    def _row(self, kind, obj, form_class, initial, data, saved, previous, editable):
        prefix = f"{kind[0]}{obj.pk}"
        form = form_class(data if editable else None, initial=initial, prefix=prefix)
        if not editable:
            for form_field in form.fields.values():
                form_field.disabled = True
        return Row(kind, obj, form, saved, previous, editable)

    @property
    def is_editable(self):
        return any(row.editable for row in self.rows)

    def groups(self):
        """Rows grouped by promise, in document order (activities, then indicators)."""
        groups, by_promise = [], {}
        for row in sorted(self.rows, key=lambda r: (r.obj.promise.order, r.obj.promise.pk,
                                                     r.kind != "activity", r.obj.order, r.obj.pk)):
            promise = row.obj.promise
            if promise.pk not in by_promise:
                by_promise[promise.pk] = PromiseGroup(promise, [])
                groups.append(by_promise[promise.pk])
            by_promise[promise.pk].rows.append(row)
        return groups

    def is_valid(self):
        return all(row.form.is_valid() for row in self.rows if row.editable)

    def invalid_rows(self):
        return [row for row in self.rows if row.editable and row.form.errors]

    def changed_inputs(self):
        """(follow-up inputs, measurement inputs) for the rows the user changed."""
        followups, measurements = [], []
        for row in self.rows:
            if not row.editable or not row.form.has_changed():
                continue
            if row.kind == "activity":
                followups.append(row.form.to_input(row.obj.pk))
            else:
                measurements.append(row.form.to_input(row.obj.pk))
        return followups, measurements

    def mark_conflicts(self, conflicts):
        """Show each refused row with the other person's version; let a second save win."""
        for row in self.rows:
            if row.key not in conflicts:
                continue
            row.conflict = conflicts[row.key] or DeletedMeanwhile()
            data = row.form.data.copy()
            data[row.form.add_prefix("version")] = row.conflict.version or ""
            row.form.data = data

    @property
    def police_only(self):
        """True when the user sees only the police and joint promises of this period."""
        return self.access.roles_for_period(self.period) == {"police"}
