"""How promises are kept: a follow-up per tertial for each promise, and for each of its
activities and indicators; the tertial report to the crime-prevention council; and the
year-end comment on a promise."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.querysets import FollowUpQuerySet, TertialReportQuerySet, YearEndCommentQuerySet
from followup.tertials import Tertial, TertialNumber
from municipalities.versioning import HistoricalRecords, VersionedModel
from promises.approval import Approval
from promises.models import Activity, Indicator, Party, Promise, PromisePeriod
from promises.publishing import Publishable

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def tertial_outside_period_error(period, year, tertial):
    """The validation error for a tertial that does not overlap its period, or None."""
    if period is None or year is None or tertial not in TertialNumber.values:
        return None
    try:
        candidate = Tertial(year, tertial)
    except ValueError:
        return None  # not a year: the field's own validators say so
    if not candidate.overlaps(period.valid_from, period.valid_to):
        return ValidationError(
            _("Tertial %(tertial)s %(year)s lies outside the period %(start)s–%(end)s."),
            code="tertial_outside_period",
            params={
                "tertial": tertial, "year": year,
                "start": period.valid_from, "end": period.valid_to,
            },
        )
    return None


class TertialFields(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices)

    class Meta:
        abstract = True

    @property
    def tertial_period(self):
        return Tertial(self.year, self.tertial)

    def owning_period(self):
        raise NotImplementedError

    def scope(self):
        return self.owning_period().scope()

    def clean(self):
        super().clean()
        error = tertial_outside_period_error(self.owning_period(), self.year, self.tertial)
        if error is not None:
            raise ValidationError({"tertial": error})


def tertial_check(prefix):
    return models.CheckConstraint(
        condition=Q(tertial__in=TertialNumber.values),
        name=f"{prefix}_tertial_1_to_3",
        violation_error_message=_("A tertial is 1, 2 or 3."),
    )


class Status(models.TextChoices):
    """How a promise, activity or indicator stands in a tertial ("" is not reported)."""

    COMPLETED = "completed", _("Completed")
    DONE_CONTINUING = "done_continuing", _("Done and continuing")
    ONGOING = "ongoing", _("Ongoing")
    NOT_STARTED = "not_started", _("Not started")
    POSTPONED = "postponed", _("Postponed")


# Statuses that count as "kept or being kept" in the summaries citizens see.
ON_TRACK = frozenset({Status.COMPLETED, Status.DONE_CONTINUING, Status.ONGOING})


class FollowUp(TertialFields, VersionedModel):
    """What was done in one tertial: for a promise itself, or for one of its activities or
    indicators (the subject). Its account and value become public when the period's report
    for that tertial is published."""

    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="followups", verbose_name=_("promise"),
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="followups",
        verbose_name=_("activity"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="followups",
        verbose_name=_("indicator"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, blank=True,
        help_text=_("Blank: not reported."),
    )
    account = models.TextField(
        _("account"), blank=True,
        help_text=_("What was done. Published to citizens with the tertial report."),
    )
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("The number reached in the tertial, where there is a numeric target."),
    )
    internal_note = models.TextField(
        _("internal note"), blank=True,
        help_text=_("Never published: names, ongoing cases, anything not for the public."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )
    # Set when the account, status or value changed after the tertial's report was
    # published: citizens see the correction, marked, with what changed.
    corrected_at = models.DateTimeField(_("corrected after publication"), null=True,
                                        blank=True, editable=False)
    correction = models.TextField(_("what was corrected"), blank=True, editable=False)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["year", "tertial", "promise", "activity", "indicator"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True) | Q(indicator__isnull=True),
                name="followup_one_subject",
                violation_error_message=_(
                    "A follow-up is of a promise, one of its activities or one of its "
                    "indicators."
                ),
            ),
            models.UniqueConstraint(
                fields=["promise", "year", "tertial"],
                condition=Q(activity__isnull=True, indicator__isnull=True),
                name="followup_unique_per_promise_tertial",
                violation_error_message=_("This promise already has a follow-up for that "
                                          "tertial."),
            ),
            models.UniqueConstraint(
                fields=["activity", "year", "tertial"], condition=Q(activity__isnull=False),
                name="followup_unique_per_activity_tertial",
                violation_error_message=_(
                    "This activity already has a follow-up for that tertial."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "tertial"], condition=Q(indicator__isnull=False),
                name="followup_unique_per_indicator_tertial",
                violation_error_message=_(
                    "This indicator already has a follow-up for that tertial."
                ),
            ),
            tertial_check("followup"),
        ]
        indexes = [models.Index(fields=["year", "tertial"], name="followup_year_tertial_idx")]

    def __str__(self):
        return f"{self.subject} – T{self.tertial} {self.year}"

    def save(self, *args, **kwargs):
        # The promise is the subject's own, whatever a caller passed.
        subject = self.activity or self.indicator
        if subject is not None:
            self.promise_id = subject.promise_id
        return super().save(*args, **kwargs)

    @property
    def subject(self):
        """The promise, activity or indicator followed up."""
        return self.activity or self.indicator or self.promise

    @property
    def party(self):
        """Who reports it: the subject's responsible party, else the promise's."""
        return self.subject.party

    def owning_period(self):
        if self.promise_id is None:
            return None
        return self.promise.period

    @property
    def is_reported(self):
        return bool(self.status or self.account or self.value is not None)


POLICE_PARTIES = frozenset({Party.POLICE, Party.JOINT})


class TertialReport(TertialFields, Publishable, VersionedModel):
    """The report on one tertial to the local crime-prevention council.

    Publishing it makes the tertial's follow-ups public.
    """

    # Published when both parties have approved it (promises/approval.py).
    approved_by_both_parties = True

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="tertial_reports",
        verbose_name=_("period"),
    )
    summary = models.TextField(_("summary"), blank=True)
    presented_on = models.DateField(
        _("presented to the council on"), null=True, blank=True,
    )
    # When the tertial's follow-up last changed (followup/content_changes.py): an approval
    # given before it no longer counts.
    content_changed_at = models.DateTimeField(
        _("follow-up last changed"), default=timezone.now, editable=False
    )
    history = HistoricalRecords()

    objects = TertialReportQuerySet.as_manager()

    class Meta:
        ordering = ["period", "year", "tertial"]
        verbose_name = _("tertial report")
        verbose_name_plural = _("tertial reports")
        constraints = [
            *Publishable.Meta.constraints,
            models.UniqueConstraint(
                fields=["period", "year", "tertial"],
                name="tertial_report_unique_per_period_tertial",
                violation_error_message=_("This period already has a report for that tertial."),
            ),
            tertial_check("tertial_report"),
        ]

    def __str__(self):
        return f"{self.period} – T{self.tertial} {self.year}"

    def owning_period(self):
        return self.period if self.period_id else None

    def clean(self):
        super().clean()
        if self.pk:
            stored = TertialReport._base_manager.filter(pk=self.pk).values(
                "status", "period_id", "year", "tertial"
            ).first()
            if stored and stored["status"] == Publishable.Status.PUBLISHED and (
                (stored["period_id"], stored["year"], stored["tertial"])
                != (self.period_id, self.year, self.tertial)
            ):
                raise ValidationError(_(
                    "A published report keeps its period, year and tertial. Unpublish it "
                    "first to move it."
                ), code="published_report_moved")


class TertialReportApproval(Approval):
    """A party's approval of one version of a tertial report (promises/approval.py)."""

    report = models.ForeignKey(
        TertialReport, on_delete=models.CASCADE, related_name="approvals",
        verbose_name=_("tertial report"),
    )

    row_field = "report"

    class Meta(Approval.Meta):
        verbose_name = _("approval of a tertial report")
        verbose_name_plural = _("approvals of tertial reports")
        constraints = Approval.constraints_for("report", "tertial_report")

    def __str__(self):
        return f"{self.report} – {self.get_side_display()} ({self.username})"


class YearEndComment(VersionedModel):
    """The year's closing comment on one promise, as the follow-up documents give it."""

    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="year_end_comments",
        verbose_name=_("promise"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    text = models.TextField(_("comment"))
    history = HistoricalRecords()

    objects = YearEndCommentQuerySet.as_manager()

    class Meta:
        ordering = ["promise", "year"]
        verbose_name = _("year-end comment")
        verbose_name_plural = _("year-end comments")
        constraints = [
            models.UniqueConstraint(
                fields=["promise", "year"],
                name="year_end_comment_unique_per_promise_year",
                violation_error_message=_("This promise already has a comment for that year."),
            ),
        ]

    def __str__(self):
        return f"{self.promise} ({self.year})"

    def scope(self):
        return self.promise.scope()

    def clean(self):
        super().clean()
        if self.promise_id and self.year:
            period = self.promise.period
            if not period.valid_from.year <= self.year <= period.valid_to.year:
                raise ValidationError(
                    {"year": _("The year lies outside the period %(start)s–%(end)s.")
                     % {"start": period.valid_from, "end": period.valid_to}}
                )
