"""Where promises are made: counties, police regions, municipalities and local police
areas; who acts where (memberships and their roles); and the audit log."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.roles import Role, Scope
from municipalities.rules import PoliceAreaQuerySet
from municipalities.versioning import HistoricalRecords, VersionedModel



def genitive(name):
    """A place name as Swedish puts it before "kommun": Katrineholms, but Borås, Eskilstuna
    and Luleå unchanged (no s after s, x, z or a vowel)."""
    return name if name[-1:].lower() in set("sxzaeiouyåäö") else f"{name}s"


class PoliceRegion(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police region")
        verbose_name_plural = _("police regions")

    def __str__(self):
        return self.name


class County(models.Model):
    code = models.CharField(
        _("county code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", _("A county code is two digits."))],
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    police_region = models.ForeignKey(
        PoliceRegion,
        on_delete=models.PROTECT,
        related_name="counties",
        verbose_name=_("police region"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        help_text=_("The four-digit code from Statistics Sweden (SCB)."),
        validators=[RegexValidator(r"^\d{4}$", _("A municipality code is four digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(
        _("official name"), max_length=150, blank=True,
        help_text=_("As the municipality calls itself: “Katrineholms kommun”, “Malmö stad”, "
                    "“Region Gotland”. Blank: the name in the genitive followed by "
                    "“kommun”."),
    )
    # Unicode, so Håbo and Habo keep distinct addresses: /kommun/håbo/ and /kommun/habo/.
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("county"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{4}$"),
                name="municipality_code_four_digits",
                violation_error_message=_("A municipality code is four digits."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def proper_name(self):
        """The name the municipality uses of itself, where a document speaks of it."""
        return self.official_name or f"{genitive(self.name)} kommun"

    def scope(self):
        return Scope(municipalities=frozenset({self.pk}))


class PoliceArea(VersionedModel):
    """A lokalpolisområde. One area may serve several municipalities; its police region is
    theirs (all of them lie in one region)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    official_code = models.CharField(
        _("official code"), max_length=20, blank=True,
        help_text=_("The Police Authority's code for the area, if known."),
    )
    police_region = models.ForeignKey(
        PoliceRegion,
        on_delete=models.PROTECT,
        related_name="police_areas",
        verbose_name=_("police region"),
        help_text=_("Set from the municipalities the area serves."),
    )
    district_name = models.CharField(
        _("police district"),
        max_length=150,
        blank=True,
        help_text=_("The polisområde the local police area belongs to, if known."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        related_name="police_areas",
        verbose_name=_("municipalities served"),
    )
    history = HistoricalRecords(m2m_fields=[municipalities])

    objects = PoliceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("police area")
        verbose_name_plural = _("police areas")
        constraints = [
            models.UniqueConstraint(
                fields=["official_code"], condition=~models.Q(official_code=""),
                name="police_area_unique_official_code",
                violation_error_message=_("Another police area has this official code."),
            ),
        ]

    def __str__(self):
        return self.name

    def scope(self):
        # Coordinators of the municipalities it serves act on it too.
        return Scope(
            municipalities=frozenset(self.municipalities.values_list("pk", flat=True))
            if self.pk else frozenset(),
            police_areas=frozenset({self.pk}) if self.pk else frozenset(),
        )

    @staticmethod
    def region_of(municipalities):
        """The one police region of these municipalities; ValidationError when they lie in
        several (a police area never crosses a region's border)."""
        regions = {m.county.police_region for m in municipalities}
        if len(regions) > 1:
            raise ValidationError(
                _("These municipalities lie in different police regions (%(regions)s); a "
                  "police area serves municipalities of one region.")
                % {"regions": ", ".join(sorted(r.name for r in regions))},
                code="several_regions",
            )
        return regions.pop() if regions else None


class Membership(models.Model):
    """Who may act where: a user's role in one municipality or one police area.

    A national administrator's membership names neither; every other role names one.
    A person may hold several memberships.
    """

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True,
        related_name="memberships", verbose_name=_("municipality"),
    )
    police_area = models.ForeignKey(
        PoliceArea, on_delete=models.CASCADE, null=True, blank=True,
        related_name="memberships", verbose_name=_("police area"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="admin", municipality__isnull=True, police_area__isnull=True)
                    | (
                        ~models.Q(role="admin")
                        & (
                            models.Q(municipality__isnull=False, police_area__isnull=True)
                            | models.Q(municipality__isnull=True, police_area__isnull=False)
                        )
                    )
                ),
                name="membership_scope_matches_role",
                violation_error_message=_(
                    "A national administrator has no municipality or police area; every "
                    "other role has exactly one of them."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=models.Q(municipality__isnull=False),
                name="membership_unique_per_municipality",
                violation_error_message=_("The user already has this role here."),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "police_area"],
                condition=models.Q(police_area__isnull=False),
                name="membership_unique_per_police_area",
                violation_error_message=_("The user already has this role here."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role="admin"),
                name="membership_unique_national_admin",
                violation_error_message=_("The user is already a national administrator."),
            ),
        ]

    def __str__(self):
        where = self.municipality or self.police_area or _("the whole country")
        return f"{self.user} – {self.get_role_display()} – {where}"

    def scope(self):
        return Scope(
            municipalities=frozenset({self.municipality_id} - {None}),
            police_areas=frozenset({self.police_area_id} - {None}),
        )


class AuditEvent(models.Model):
    """An append-only record of logins, role changes, publishing and signing."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        SIGNED = "signed", _("Signed")
        APPROVED = "approved", _("Approved for publication")
        RESTORED = "restored", _("Earlier version restored")
        DELETED = "deleted", _("Deleted")
        MERGED = "merged", _("Merged")
        PASSWORD_RESET = "password_reset", _("Password reset requested")
        DEVICE_RESET = "device_reset", _("Two-factor device reset")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("user"),
    )
    # Kept as text so the record survives the user's deletion.
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"
