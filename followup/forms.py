"""The tertial screen's forms: one small form per row (a promise, an activity, an
indicator), gathered in a TertialSheet that builds them from the period's progress, in the
document's order, and hands the changed rows to the service."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.models import Status
from followup.progress import period_progress, period_tertials
from followup.services import FollowUpInput
from followup.tertials import Tertial, TertialNumber
from promises.models import PromisePeriod


class FollowUpRowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Not reported")), *Status.choices],
    )
    account = forms.CharField(
        label=_("Account (public)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done. Public when the tertial report is published."),
    )
    value = forms.DecimalField(
        label=_("Value"), required=False, max_digits=12, decimal_places=2, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
    )
    internal_note = forms.CharField(
        label=_("Internal note (never published)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "internal-note"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, asks_value, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_value:
            del self.fields["value"]

    def to_input(self, kind, subject_id):
        data = self.cleaned_data
        return FollowUpInput(
            kind=kind, subject_id=subject_id, status=data["status"], account=data["account"],
            value=data.get("value"), internal_note=data["internal_note"],
            loaded_version=data["version"],
        )


class ChooseTertialForm(forms.Form):
    """Which period, year and tertial to open (a GET form)."""

    period = forms.ModelChoiceField(label=_("Citizen promise period"), queryset=None)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    tertial = forms.TypedChoiceField(
        label=_("Tertial"), required=False, coerce=int,
        choices=[("", "—"), *TertialNumber.choices],
    )

    def __init__(self, *args, user, periods=None, **kwargs):
        """`periods`: the user's readable periods when the caller has read them already
        (the tertial screen, which finds its own period among them); offered as they are,
        for display only, without a query of their own."""
        super().__init__(*args, **kwargs)
        if periods is None:
            self.fields["period"].queryset = readable_periods(user)
        else:
            field = self.fields["period"]
            self.fields["period"] = forms.TypedChoiceField(
                label=field.label, coerce=int,
                choices=[("", field.empty_label), *((p.pk, str(p)) for p in periods)],
            )


def readable_periods(user):
    """The periods the chooser offers `user`, in its order."""
    return PromisePeriod.objects.readable_by(user).order_by("-valid_from", "title")


def default_tertial(period, today):
    """The current tertial; the period's last once it has ended, its first before it starts."""
    first, last = Tertial.of(period.valid_from), Tertial.of(period.valid_to)
    return max(first, min(Tertial.of(today), last))


@dataclass
class Row:
    kind: str  # "promise", "activity" or "indicator"
    line: object  # the progress Line
    form: forms.Form
    editable: bool
    saved: object  # this tertial's FollowUp, or None
    previous: object  # the previous tertial's, or None
    conflict: object = None  # NewerVersion or DeletedMeanwhile when refused

    @property
    def key(self):
        return (self.kind, self.line.subject.pk)

    @property
    def subject(self):
        return self.line.subject


@dataclass
class PromiseGroup:
    promise: object
    rows: list


class TertialSheet:
    """Every promise of a period with its activities and indicators, for one tertial."""

    def __init__(self, period, tertial, user, data=None):
        self.period, self.tertial, self.user = period, tertial, user
        tertials = period_tertials(period)
        index = tertials.index(tertial)
        # No "previous tertial" before the period's first.
        self.previous_tertial = tertials[index - 1] if index else None
        wanted = [t for t in (self.previous_tertial, tertial) if t is not None]
        self.groups, self.hidden = [], 0
        for item in period_progress(
            period, public=False, tertials=wanted, internal_notes=True, comments=False,
        ):
            rows = []
            for line in item.lines:
                if not user.has_perm("followup.view_followup", line.subject):
                    self.hidden += 1
                    continue
                editable = user.has_perm("followup.change_followup", line.subject)
                rows.append(self._row(line, data, editable))
            if rows:
                self.groups.append(PromiseGroup(item.promise, rows))

    def _row(self, line, data, editable):
        saved = line.at(self.tertial)
        initial = {"status": "", "account": "", "value": None, "internal_note": "",
                   "version": None}
        if saved is not None:
            initial = {"status": saved.status, "account": saved.account, "value": saved.value,
                       "internal_note": saved.internal_note, "version": saved.version}
        asks_value = line.kind == "indicator" or line.target.is_numeric
        form = FollowUpRowForm(
            data if editable else None, initial=initial, prefix=f"{line.kind[0]}{line.subject.pk}",
            asks_value=asks_value,
        )
        if not editable:
            for form_field in form.fields.values():
                form_field.disabled = True
        previous = line.at(self.previous_tertial) if self.previous_tertial else None
        return Row(line.kind, line, form, editable, saved, previous)

    @property
    def rows(self):
        return [row for group in self.groups for row in group.rows]

    @property
    def is_editable(self):
        return any(row.editable for row in self.rows)

    def is_valid(self):
        return all(row.form.is_valid() for row in self.rows if row.editable)

    def invalid_rows(self):
        return [row for row in self.rows if row.editable and row.form.errors]

    def subjects(self):
        return {row.key: row.subject for row in self.rows}

    def changed_inputs(self):
        return [
            row.form.to_input(row.kind, row.subject.pk)
            for row in self.rows if row.editable and row.form.has_changed()
        ]

    def mark_conflicts(self, conflicts):
        """Show each refused row with the other person's version; let a second save win."""
        for row in self.rows:
            if row.key not in conflicts:
                continue
            row.conflict = conflicts[row.key]
            data = row.form.data.copy()
            data[row.form.add_prefix("version")] = row.conflict.version or ""
            row.form.data = data


