"""How promises are kept: a follow-up per activity and tertial, indicator measurements,
the tertial report to the crime-prevention council, and year-end comments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.querysets import FollowUpQuerySet, MeasurementQuerySet, TertialReportQuerySet
from followup.tertials import Tertial
from promises.models import Activity, Indicator, Promise, PromisePeriod

TERTIAL_CHOICES = [(1, _("Tertial 1")), (2, _("Tertial 2")), (3, _("Tertial 3"))]
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def tertial_outside_period_error(period, year, tertial):
    """The validation error for a tertial that does not overlap its period, or None."""
    if period is None or year is None or tertial not in (1, 2, 3):
        return None
    if not Tertial(year, tertial).overlaps(period.valid_from, period.valid_to):
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
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TERTIAL_CHOICES)

    class Meta:
        abstract = True

    @property
    def tertial_period(self):
        return Tertial(self.year, self.tertial)

    def owning_period(self):
        raise NotImplementedError

    def clean(self):
        super().clean()
        error = tertial_outside_period_error(self.owning_period(), self.year, self.tertial)
        if error is not None:
            raise ValidationError({"tertial": error})


def tertial_check(prefix):
    return models.CheckConstraint(
        condition=Q(tertial__gte=1, tertial__lte=3),
        name=f"{prefix}_tertial_1_to_3",
        violation_error_message=_("A tertial is 1, 2 or 3."),
    )


class FollowUp(TertialFields):
    """What was done for one activity in one tertial."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ONGOING = "ongoing", _("Ongoing")
        DONE_CONTINUING = "done_continuing", _("Done and continuing")
        COMPLETED = "completed", _("Completed")
        POSTPONED = "postponed", _("Postponed")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="followups",
        verbose_name=_("activity"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED,
    )
    account = models.TextField(
        _("account"), blank=True,
        help_text=_("What was done. Published to citizens with the tertial report."),
    )
    internal_note = models.TextField(
        _("internal note"), blank=True,
        help_text=_("Never published: names, ongoing cases, anything not for the public."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "year", "tertial"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "year", "tertial"],
                name="followup_unique_per_activity_tertial",
                violation_error_message=_(
                    "This activity already has a follow-up for that tertial."
                ),
            ),
            tertial_check("followup"),
        ]
        indexes = [models.Index(fields=["year", "tertial"], name="followup_year_tertial_idx")]

    def __str__(self):
        return f"{self.activity} – T{self.tertial} {self.year}"

    def owning_period(self):
        if self.activity_id is None:
            return None
        return self.activity.promise.period


class Measurement(TertialFields):
    """An indicator's value for one tertial."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements",
        verbose_name=_("indicator"),
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    internal_note = models.TextField(_("internal note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "year", "tertial"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "tertial"],
                name="measurement_unique_per_indicator_tertial",
                violation_error_message=_(
                    "This indicator already has a value for that tertial."
                ),
            ),
            tertial_check("measurement"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} (T{self.tertial} {self.year})"

    def owning_period(self):
        if self.indicator_id is None:
            return None
        return self.indicator.promise.period


class TertialReport(TertialFields):
    """The report on one tertial to the local crime-prevention council.

    Publishing it makes the tertial's follow-ups and measurements public.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="tertial_reports",
        verbose_name=_("period"),
    )
    summary = models.TextField(_("summary"), blank=True)
    presented_on = models.DateField(
        _("presented to the council on"), null=True, blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = TertialReportQuerySet.as_manager()

    class Meta:
        ordering = ["period", "year", "tertial"]
        verbose_name = _("tertial report")
        verbose_name_plural = _("tertial reports")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "year", "tertial"],
                name="tertial_report_unique_per_period_tertial",
                violation_error_message=_("This period already has a report for that tertial."),
            ),
            tertial_check("tertial_report"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="tertial_report_published_has_published_at",
                violation_error_message=_("A published report needs a publication time."),
            ),
        ]

    def __str__(self):
        return f"{self.period} – T{self.tertial} {self.year}"

    def get_absolute_url(self):
        return reverse(
            "public:tertial_report",
            kwargs={"pk": self.period_id, "year": self.year, "tertial": self.tertial},
        )

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def owning_period(self):
        return self.period if self.period_id else None


class YearEndComment(models.Model):
    """The year's closing comment on one promise, as the follow-up documents give it."""

    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="year_end_comments",
        verbose_name=_("promise"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    text = models.TextField(_("comment"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

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

    def clean(self):
        super().clean()
        if self.promise_id and self.year:
            period = self.promise.period
            if not period.valid_from.year <= self.year <= period.valid_to.year:
                raise ValidationError(
                    {"year": _("The year lies outside the period %(start)s–%(end)s.")
                     % {"start": period.valid_from, "end": period.valid_to}}
                )
