"""A medborgarlöfte for a period, and what it holds: focus areas, promises, activities,
indicators and signatories."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.models import Municipality, PoliceArea
from promises.querysets import PromisePeriodQuerySet


class Party(models.TextChoices):
    POLICE = "police", _("The police")
    MUNICIPALITY = "municipality", _("The municipality")
    JOINT = "joint", _("Jointly")


class SigningParty(models.TextChoices):
    POLICE = "police", _("The police")
    MUNICIPALITY = "municipality", _("The municipality")


class PromisePeriod(models.Model):
    """One medborgarlöfte: the document agreed for a municipality and a police area."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="periods",
        verbose_name=_("municipality"),
    )
    police_area = models.ForeignKey(
        PoliceArea,
        on_delete=models.PROTECT,
        related_name="periods",
        verbose_name=_("police area"),
    )
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    unpublished_reason = models.TextField(_("reason for unpublishing"), blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    situation = models.TextField(
        _("situation picture"),
        blank=True,
        help_text=_("The shared picture of the local situation (lägesbild)."),
    )
    citizen_experience = models.TextField(_("what citizens experience"), blank=True)
    effects = models.TextField(_("effects sought"), blank=True)
    followup_description = models.TextField(
        _("follow-up and feedback to citizens"), blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised on every save; a form that saw an older number may not overwrite.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = PromisePeriodQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "-valid_from"]
        verbose_name = _("citizen promise period")
        verbose_name_plural = _("citizen promise periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="period_valid_from_not_after_valid_to",
                violation_error_message=_("The period must end on or after the day it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="period_published_has_published_at",
                violation_error_message=_(
                    "A published or archived period needs a publication time."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from"], name="period_status_from_idx"),
            models.Index(fields=["municipality", "status"], name="period_municipality_status_idx"),
        ]

    def __str__(self):
        return f"{self.municipality} – {self.title}"

    def get_absolute_url(self):
        return reverse("public:period", kwargs={"pk": self.pk})

    @property
    def is_published(self):
        return self.status in {self.Status.PUBLISHED, self.Status.ARCHIVED}

    def is_current(self, today=None):
        today = today or datetime.date.today()
        return self.valid_from <= today <= self.valid_to

    def overlapping_periods(self):
        return PromisePeriod.objects.filter(
            municipality_id=self.municipality_id,
            police_area_id=self.police_area_id,
            valid_from__lte=self.valid_to,
            valid_to__gte=self.valid_from,
        ).exclude(pk=self.pk)

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_to:
            if self.valid_from > self.valid_to:
                errors["valid_to"] = _("The period must end on or after the day it starts.")
            elif self.municipality_id and self.police_area_id:
                other = self.overlapping_periods().first()
                if other is not None:
                    errors["valid_from"] = _(
                        "This overlaps “%(title)s” (%(start)s–%(end)s) for the same "
                        "municipality and police area."
                    ) % {"title": other.title, "start": other.valid_from, "end": other.valid_to}
        if self.municipality_id and self.police_area_id:
            if not self.police_area.municipalities.filter(pk=self.municipality_id).exists():
                errors["police_area"] = _(
                    "%(area)s does not serve %(municipality)s. Add the municipality to the "
                    "police area first."
                ) % {"area": self.police_area, "municipality": self.municipality}
        if errors:
            raise ValidationError(errors)

    def years(self):
        return list(range(self.valid_from.year, self.valid_to.year + 1))


class Priority(models.Model):
    """One of a period's priorities, in the order the document states them."""

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="priorities",
        verbose_name=_("period"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self):
        return self.text[:80]


class FocusArea(models.Model):
    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="focus_areas",
        verbose_name=_("period"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "name"],
                name="focus_area_unique_name_per_period",
                violation_error_message=_("This period already has a focus area with that name."),
            ),
        ]

    def __str__(self):
        return self.name


class Signatory(models.Model):
    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="signatories",
        verbose_name=_("period"),
    )
    party = models.CharField(_("party"), max_length=12, choices=SigningParty.choices)
    name = models.CharField(
        _("name"), max_length=150, blank=True,
        help_text=_("May stay blank until the document is signed."),
    )
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self):
        return f"{self.name or _('(name not set)')}, {self.title}"


class Promise(models.Model):
    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="promises",
        verbose_name=_("period"),
    )
    party = models.CharField(_("who promises"), max_length=12, choices=Party.choices)
    text = models.TextField(_("promise"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="promises", verbose_name=_("focus areas")
    )
    followup_method = models.TextField(
        _("how it is followed up"), blank=True,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[focus_areas])

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [models.Index(fields=["party"], name="promise_party_idx")]

    def __str__(self):
        return self.text[:80]


class Activity(models.Model):
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="activities",
        verbose_name=_("promise"),
    )
    text = models.TextField(_("activity"))
    responsible_party = models.CharField(
        _("responsible"), max_length=12, choices=Party.choices, blank=True,
    )
    target_value = models.DecimalField(
        _("target (number)"), max_digits=12, decimal_places=2, null=True, blank=True,
    )
    target_unit = models.CharField(_("target unit"), max_length=100, blank=True)
    target_text = models.CharField(
        _("target (in words)"), max_length=255, blank=True,
        help_text=_("For example “minst två tillfällen”."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["promise", "order", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0),
                name="activity_target_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        if self.target_value is not None and not self.target_unit:
            raise ValidationError({"target_unit": _("Say what the target number counts.")})


class Indicator(models.Model):
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="indicators",
        verbose_name=_("promise"),
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    target_value = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True,
    )
    target_text = models.CharField(_("target (in words)"), max_length=255, blank=True)
    reporting_party = models.CharField(
        _("reported by"), max_length=12, choices=Party.choices, blank=True,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["promise", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0),
                name="indicator_target_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


def document_upload_to(document, filename):
    return f"documents/{document.period_id}/{document.sha256}.pdf"


class Document(models.Model):
    """A PDF as the portal issued it, stored once and served byte for byte from then on.

    Each state of a signed agreement (unsigned, signed by the police, signed by both) is its
    own row, so every file the portal ever handed out has a known SHA-256.
    """

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        TERTIAL_REPORT = "tertial_report", _("Tertial report")

    class State(models.TextChoices):
        UNSIGNED = "unsigned", _("Unsigned")
        SIGNED_BY_POLICE = "signed_by_police", _("Signed by the police")
        SIGNED_BY_BOTH = "signed_by_both", _("Signed by both")

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.PROTECT, related_name="documents",
        verbose_name=_("period"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # A tertial report is named by its year and tertial, not a foreign key, so promises
    # never depends on followup (the report is unique per period, year and tertial).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    tertial = models.PositiveSmallIntegerField(_("tertial"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["period", "kind", "year", "tertial", "-version", "-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "version", "state"],
                condition=Q(kind="agreement"),
                name="document_agreement_unique_state_per_version",
                violation_error_message=_("This version already has a file in that state."),
            ),
            models.UniqueConstraint(
                fields=["period", "year", "tertial", "version"],
                condition=Q(kind="tertial_report"),
                name="document_report_unique_version",
                violation_error_message=_("This report already has that version."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="agreement", year__isnull=True, tertial__isnull=True)
                    | Q(kind="tertial_report", year__isnull=False, tertial__gte=1,
                        tertial__lte=3, state="unsigned")
                ),
                name="document_kind_matches_fields",
                violation_error_message=_(
                    "An agreement has no tertial; a tertial report names one and is unsigned."
                ),
            ),
        ]

    def __str__(self):
        kind, state = self.get_kind_display(), self.get_state_display()
        return f"{self.period} – {kind} v{self.version} ({state})"

    @property
    def filename(self):
        if self.kind == self.Kind.TERTIAL_REPORT:
            stem = f"tertialrapport-{self.year}-T{self.tertial}"
        else:
            stem = "medborgarlofte"
        code = self.period.municipality.code
        return f"{stem}-{code}-{self.period_id}-v{self.version}-{self.sha256[:8]}.pdf"
