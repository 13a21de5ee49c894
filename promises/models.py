"""What is promised: the multi-year agreement (samverkansöverenskommelse), the
medborgarlöfte of a period with its promises, activities, indicators, priorities, focus
areas and signatories, and the PDF documents the portal issues and signs.

Nothing here knows of follow-up (the followup app builds on this one).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, PoliceArea, Scope
from municipalities.versioning import HistoricalRecords, VersionedModel
from promises.approval import Approval
from promises.publishing import Publishable
from promises.querysets import (
    AgreementChildQuerySet, AgreementQuerySet, DocumentQuerySet, OwnedQuerySet,
    PeriodChildQuerySet, PromiseChildQuerySet, PromisePeriodQuerySet,
)
from promises.targets import Targeted


class Party(models.TextChoices):
    POLICE = "police", _("The police")
    MUNICIPALITY = "municipality", _("The municipality")
    JOINT = "joint", _("Jointly")


class SigningParty(models.TextChoices):
    POLICE = "police", _("The police")
    MUNICIPALITY = "municipality", _("The municipality")


def validity_errors(valid_from, valid_to):
    if valid_from and valid_to and valid_from > valid_to:
        return {"valid_to": _("It must end on or after the day it starts.")}
    return {}


class Undertaking(Publishable, VersionedModel):
    """What an agreement and a period share: parties, title, validity, publication."""

    police_area = models.ForeignKey(
        PoliceArea, on_delete=models.PROTECT, related_name="%(class)ss",
        verbose_name=_("police area"),
    )
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def is_current(self, today=None):
        today = today or timezone.localdate()
        return self.valid_from <= today <= self.valid_to

    def years(self):
        return list(range(self.valid_from.year, self.valid_to.year + 1))

    def municipality_ids(self):
        """The ids of the municipalities taking part, read once per instance."""
        if self.pk is None:
            return frozenset()
        if "_municipality_ids" not in self.__dict__:
            cached = getattr(self, "_prefetched_objects_cache", {}).get("municipalities")
            self._municipality_ids = frozenset(
                m.pk for m in cached
            ) if cached is not None else frozenset(
                self.municipalities.values_list("pk", flat=True)
            )
        return self._municipality_ids

    def scope(self):
        return Scope(
            municipalities=self.municipality_ids(),
            police_areas=frozenset({self.police_area_id} - {None}),
        )

    def municipality_names(self):
        return ", ".join(m.name for m in self.municipalities.all())

    def clean(self):
        super().clean()
        errors = validity_errors(self.valid_from, self.valid_to)
        if errors:
            raise ValidationError(errors)


def served_municipalities_error(police_area, municipalities):
    """The error when the police area does not serve every one of the municipalities."""
    if police_area is None:
        return None
    served = set(police_area.municipalities.values_list("pk", flat=True))
    missing = [m for m in municipalities if m.pk not in served]
    if missing:
        return ValidationError(
            _("%(area)s does not serve %(names)s. Add them to the police area first.")
            % {"area": police_area, "names": ", ".join(m.name for m in missing)},
            code="not_served",
        )
    return None


class Agreement(Undertaking):
    """A samverkansöverenskommelse: the multi-year agreement between municipalities and
    their police area under which yearly medborgarlöften may sit."""

    municipalities = models.ManyToManyField(
        Municipality, related_name="agreements", verbose_name=_("municipalities"),
    )
    history = HistoricalRecords(m2m_fields=[municipalities])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = _("collaboration agreement")
        verbose_name_plural = _("collaboration agreements")
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="agreement_valid_from_not_after_valid_to",
                violation_error_message=_("It must end on or after the day it starts."),
            ),
        ]


class AgreementSection(VersionedModel):
    """A titled section of an agreement's text, in the document's order."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="sections",
        verbose_name=_("agreement"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    history = HistoricalRecords()

    objects = AgreementChildQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.heading

    def scope(self):
        return self.agreement.scope()


class PromisePeriod(Undertaking):
    """One medborgarlöfte: the document agreed for a period by one or more municipalities and
    the police area that serves them, in the document's own words and order."""

    # Published when both parties have approved it (promises/approval.py).
    approved_by_both_parties = True

    municipalities = models.ManyToManyField(
        Municipality, through="PeriodMunicipality", related_name="periods",
        verbose_name=_("municipalities"),
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="periods",
        verbose_name=_("collaboration agreement"),
        help_text=_("The multi-year agreement this medborgarlöfte belongs to, if any."),
    )
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
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_role = models.CharField(_("contact's role"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    # When the text of the document (not its follow-up) last changed: a signed version made
    # before it is superseded.
    content_changed_at = models.DateTimeField(
        _("text last changed"), default=timezone.now, editable=False
    )
    history = HistoricalRecords()

    objects = PromisePeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = _("citizen promise period")
        verbose_name_plural = _("citizen promise periods")
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="period_valid_from_not_after_valid_to",
                violation_error_message=_("The period must end on or after the day it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from"], name="period_status_from_idx"),
        ]

    def overlapping_periods(self, municipalities):
        """Other periods of the same police area and one of these municipalities whose
        validity overlaps this one's."""
        return PromisePeriod.objects.filter(
            police_area_id=self.police_area_id,
            municipalities__in=municipalities,
            valid_from__lte=self.valid_to,
            valid_to__gte=self.valid_from,
        ).exclude(pk=self.pk).distinct()

    def check_parties(self, municipalities):
        """Validation of the period against its municipalities (they are saved after the
        period itself, so forms call this with the chosen ones)."""
        errors = {}
        if not municipalities:
            errors["municipalities"] = _("Name at least one municipality.")
        error = served_municipalities_error(self.police_area if self.police_area_id else None,
                                            municipalities)
        if error is not None:
            errors["police_area"] = error
        if self.valid_from and self.valid_to and self.police_area_id and municipalities:
            other = self.overlapping_periods(municipalities).first()
            if other is not None:
                errors["valid_from"] = _(
                    "This overlaps “%(title)s” (%(start)s–%(end)s) for the same "
                    "municipality and police area."
                ) % {"title": other.title, "start": other.valid_from, "end": other.valid_to}
        if self.agreement_id:
            agreement = self.agreement
            if self.valid_from and self.valid_to and not (
                agreement.valid_from <= self.valid_from and self.valid_to <= agreement.valid_to
            ):
                errors["agreement"] = _(
                    "The period lies outside the agreement (%(start)s–%(end)s)."
                ) % {"start": agreement.valid_from, "end": agreement.valid_to}
            elif self.police_area_id and agreement.police_area_id != self.police_area_id:
                errors["agreement"] = _("The agreement is with another police area.")
            elif set(m.pk for m in municipalities) - agreement.municipality_ids():
                errors["agreement"] = _("The agreement does not name all these municipalities.")
        if errors:
            raise ValidationError(errors)

    def clean(self):
        super().clean()
        if self.pk:
            self.check_parties(list(self.municipalities.all()))

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        sync_period_municipalities(self)


class PeriodApproval(Approval):
    """A party's approval of one version of a period (promises/approval.py)."""

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="approvals",
        verbose_name=_("period"),
    )

    row_field = "period"

    class Meta(Approval.Meta):
        verbose_name = _("approval of a period")
        verbose_name_plural = _("approvals of periods")
        constraints = Approval.constraints_for("period", "period")

    def __str__(self):
        return f"{self.period} – {self.get_side_display()} ({self.username})"


class PeriodMunicipality(models.Model):
    """A municipality taking part in a period. The period's police area and validity are
    copied here so PostgreSQL can refuse overlapping periods for the same municipality and
    police area (an exclusion constraint, migration 0005)."""

    period = models.ForeignKey(PromisePeriod, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    police_area = models.ForeignKey(
        PoliceArea, on_delete=models.PROTECT, null=True, related_name="+"
    )
    valid_from = models.DateField(null=True)
    valid_to = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "municipality"], name="period_municipality_unique",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} – {self.period}"


def sync_period_municipalities(period):
    PeriodMunicipality.objects.filter(period=period).update(
        police_area=period.police_area_id, valid_from=period.valid_from,
        valid_to=period.valid_to,
    )


def on_municipalities_changed(sender, instance, action, **kwargs):
    """Municipalities added to a period take its area and validity (for the exclusion
    constraint), whoever adds them."""
    if action == "post_add" and isinstance(instance, PromisePeriod):
        sync_period_municipalities(instance)


def owner_fields(related_name):
    """The period and agreement keys of a row that belongs to one of them."""
    return (
        models.ForeignKey(
            PromisePeriod, on_delete=models.CASCADE, null=True, blank=True,
            related_name=related_name, verbose_name=_("period"),
        ),
        models.ForeignKey(
            Agreement, on_delete=models.CASCADE, null=True, blank=True,
            related_name=related_name, verbose_name=_("agreement"),
        ),
    )


class OwnedByPeriodOrAgreement(VersionedModel):
    """A focus area or signatory: part of a period, or of an agreement."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    @property
    def owner(self):
        return self.period if self.period_id else self.agreement

    def scope(self):
        return self.owner.scope()


def one_owner(name):
    return models.CheckConstraint(
        condition=Q(period__isnull=False, agreement__isnull=True)
        | Q(period__isnull=True, agreement__isnull=False),
        name=name,
        violation_error_message=_("It belongs to a period or to an agreement."),
    )


class Priority(VersionedModel):
    """One of a period's priorities, in the order the document states them."""

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="priorities",
        verbose_name=_("period"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("As written: “Prioritering 2”.")
    )
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    objects = PeriodChildQuerySet.as_manager()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self):
        return self.text[:80]

    def scope(self):
        return self.period.scope()


class FocusArea(OwnedByPeriodOrAgreement):
    period, agreement = owner_fields("focus_areas")
    label = models.CharField(_("label"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            one_owner("focus_area_one_owner"),
            models.UniqueConstraint(
                fields=["period", "name"], condition=Q(period__isnull=False),
                name="focus_area_unique_name_per_period",
                violation_error_message=_("This period already has a focus area with that name."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "name"], condition=Q(agreement__isnull=False),
                name="focus_area_unique_name_per_agreement",
                violation_error_message=_(
                    "This agreement already has a focus area with that name."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class Signatory(OwnedByPeriodOrAgreement):
    """Who signs for a party. The name may stay blank until signing, but nobody signs for a
    signatory without a name."""

    period, agreement = owner_fields("signatories")
    party = models.CharField(_("party"), max_length=12, choices=SigningParty.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
        help_text=_("Which municipality signs, when several take part."),
    )
    name = models.CharField(
        _("name"), max_length=150, blank=True,
        help_text=_("May stay blank until the document is signed."),
    )
    title = models.CharField(_("title"), max_length=200)
    history = HistoricalRecords()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [one_owner("signatory_one_owner")]

    def __str__(self):
        return f"{self.name or _('(name not set)')}, {self.title}"

    def organisation(self):
        """The police area or municipality this signatory signs for."""
        owner = self.owner
        if self.party == SigningParty.POLICE:
            return owner.police_area
        if self.municipality_id:
            return self.municipality
        municipalities = list(owner.municipalities.all())
        return municipalities[0] if len(municipalities) == 1 else None

    def clean(self):
        super().clean()
        if self.party == SigningParty.POLICE and self.municipality_id:
            raise ValidationError({"municipality": _("The police sign for the police area.")})
        owner = self.owner if (self.period_id or self.agreement_id) else None
        if owner is not None and self.municipality_id and (
            self.municipality_id not in owner.municipality_ids()
        ):
            raise ValidationError({"municipality": _("That municipality is not a party.")})


class Promise(Targeted, VersionedModel):
    period = models.ForeignKey(
        PromisePeriod, on_delete=models.CASCADE, related_name="promises",
        verbose_name=_("period"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(
        _("label"), max_length=40, blank=True,
        help_text=_("As the document numbers it: “Löfte 3”, “3.”"),
    )
    party = models.CharField(_("who promises"), max_length=12, choices=Party.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("which municipality"),
        help_text=_("When several municipalities take part and only one of them promises; "
                    "blank: all of them."),
    )
    text = models.TextField(_("promise"))
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="promises", verbose_name=_("focus areas")
    )
    followup_method = models.TextField(_("how it is followed up"), blank=True)
    history = HistoricalRecords(m2m_fields=[focus_areas])

    objects = PeriodChildQuerySet.as_manager()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [models.Index(fields=["party"], name="promise_party_idx")]

    def __str__(self):
        return self.text[:80]

    def scope(self):
        return self.period.scope()

    def clean(self):
        super().clean()
        if self.municipality_id and self.party == Party.POLICE:
            raise ValidationError({"municipality": _("The police promise for the police area.")})
        if self.municipality_id and self.period_id and (
            self.municipality_id not in self.period.municipality_ids()
        ):
            raise ValidationError({"municipality": _("That municipality is not a party.")})


class Activity(Targeted, VersionedModel):
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="activities",
        verbose_name=_("promise"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=40, blank=True)
    text = models.TextField(_("activity"))
    responsible_party = models.CharField(
        _("responsible"), max_length=12, choices=Party.choices, blank=True,
        help_text=_("Blank: the party of the promise."),
    )
    history = HistoricalRecords()

    objects = PromiseChildQuerySet.as_manager()

    class Meta:
        ordering = ["promise", "order", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.text[:80]

    def scope(self):
        return self.promise.scope()

    @property
    def party(self):
        return self.responsible_party or self.promise.party


class Indicator(Targeted, VersionedModel):
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="indicators",
        verbose_name=_("promise"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=255)
    reporting_party = models.CharField(
        _("reported by"), max_length=12, choices=Party.choices, blank=True,
        help_text=_("Blank: the party of the promise."),
    )
    history = HistoricalRecords()

    objects = PromiseChildQuerySet.as_manager()

    class Meta:
        ordering = ["promise", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name

    def scope(self):
        return self.promise.scope()

    @property
    def party(self):
        return self.reporting_party or self.promise.party


def document_upload_to(document, filename):
    owner = f"p{document.period_id}" if document.period_id else f"a{document.agreement_id}"
    return f"documents/{owner}/{document.sha256}.pdf"


class Document(models.Model):
    """A PDF as the portal issued it, stored once and served byte for byte from then on.

    Every state of a signed document is its own row (unsigned, then one more signature at a
    time), so every file the portal ever handed out has a known SHA-256.
    """

    class Kind(models.TextChoices):
        PERIOD = "period", _("Medborgarlöfte document")
        AGREEMENT = "agreement", _("Collaboration agreement")
        TERTIAL_REPORT = "tertial_report", _("Tertial report")

    period = models.ForeignKey(
        PromisePeriod, on_delete=models.PROTECT, null=True, blank=True,
        related_name="documents", verbose_name=_("period"),
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True,
        related_name="documents", verbose_name=_("agreement"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # A tertial report is named by its year and tertial, not a foreign key, so promises
    # never depends on followup (the report is unique per period, year and tertial).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    tertial = models.PositiveSmallIntegerField(_("tertial"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"))
    signature_count = models.PositiveSmallIntegerField(_("signatures"), default=0)
    signatory = models.ForeignKey(
        Signatory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("signed for"),
        help_text=_("Whose signature this state added."),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("signature applied by"),
    )
    signed_for = models.CharField(
        _("signed for (as shown)"), max_length=300, blank=True,
        help_text=_("The signatory and organisation as the signature names them."),
    )
    file = models.FileField(_("file"), upload_to=document_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "year", "tertial", "-version", "-signature_count"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="period", period__isnull=False, agreement__isnull=True,
                      year__isnull=True, tertial__isnull=True)
                    | Q(kind="agreement", period__isnull=True, agreement__isnull=False,
                        year__isnull=True, tertial__isnull=True)
                    | Q(kind="tertial_report", period__isnull=False, agreement__isnull=True,
                        year__isnull=False, tertial__gte=1, tertial__lte=3,
                        signature_count=0)
                ),
                name="document_kind_matches_fields",
                violation_error_message=_(
                    "A medborgarlöfte document belongs to a period, an agreement document to "
                    "an agreement; a tertial report names its tertial and is unsigned."
                ),
            ),
            models.UniqueConstraint(
                fields=["period", "version", "signature_count"],
                condition=Q(kind="period"),
                name="document_period_unique_state_per_version",
                violation_error_message=_("This version already has a file in that state."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "version", "signature_count"],
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
        ]

    def __str__(self):
        return f"{self.owner} – {self.get_kind_display()} v{self.version}"

    @property
    def owner(self):
        return self.period if self.period_id else self.agreement

    def scope(self):
        return self.owner.scope()

    @property
    def filename(self):
        if self.kind == self.Kind.TERTIAL_REPORT:
            stem = f"tertialrapport-{self.year}-T{self.tertial}"
        elif self.kind == self.Kind.AGREEMENT:
            stem = "samverkansoverenskommelse"
        else:
            stem = "medborgarlofte"
        owner = f"{self.period_id}" if self.period_id else f"a{self.agreement_id}"
        return f"{stem}-{owner}-v{self.version}-{self.signature_count}-{self.sha256[:8]}.pdf"


class SigningKey(VersionedModel):
    """An organisation's signing key: the certificate a municipality or a police area signs
    with (an organisational seal), configured by a national administrator. Who may apply it
    is a membership with the signer role there."""

    class Kind(models.TextChoices):
        PKCS12 = "pkcs12", _("PKCS#12 file (.p12/.pfx)")
        PKCS11 = "pkcs11", _("PKCS#11 token (hardware or software token)")

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, null=True, blank=True,
        related_name="signing_key", verbose_name=_("municipality"),
    )
    police_area = models.OneToOneField(
        PoliceArea, on_delete=models.CASCADE, null=True, blank=True,
        related_name="signing_key", verbose_name=_("police area"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.PKCS12)
    # PKCS#12 bytes and passphrase, encrypted with the installation's key encryption key
    # (promises/documents/keys.py); never shown again once saved.
    encrypted_pkcs12 = models.BinaryField(_("encrypted key file"), blank=True, editable=False)
    encrypted_passphrase = models.BinaryField(
        _("encrypted passphrase"), blank=True, editable=False
    )
    pkcs11_module = models.CharField(_("PKCS#11 module path"), max_length=300, blank=True)
    pkcs11_token = models.CharField(_("PKCS#11 token label"), max_length=100, blank=True)
    pkcs11_key = models.CharField(_("PKCS#11 key label"), max_length=100, blank=True)
    pkcs11_pin_variable = models.CharField(
        _("environment variable holding the PIN"), max_length=100, blank=True,
    )
    certificate_subject = models.CharField(
        _("certificate"), max_length=300, blank=True, editable=False
    )
    certificate_valid_until = models.DateTimeField(
        _("valid until"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["encrypted_pkcs12", "encrypted_passphrase"])

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False, police_area__isnull=True)
                | Q(municipality__isnull=True, police_area__isnull=False),
                name="signing_key_one_organisation",
                violation_error_message=_("A key belongs to a municipality or a police area."),
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    @property
    def organisation(self):
        return self.municipality if self.municipality_id else self.police_area

    def scope(self):
        return self.organisation.scope()

    def is_usable(self, today=None):
        if self.certificate_valid_until is None:
            return bool(self.encrypted_pkcs12 or self.pkcs11_module)
        return self.certificate_valid_until.date() >= (today or datetime.date.today())
