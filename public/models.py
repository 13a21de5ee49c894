"""Citizens' e-mail subscriptions to what is published in a municipality (or anywhere), and
the notices sent to them. An address is kept only for this and deleted on unsubscribing,
with everything sent to it (see the privacy page, public/templates/public/privacy.html)."""

import datetime
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from promises.models import PromisePeriod

# An address that is not confirmed within this time is deleted (prune_subscriptions).
CONFIRMATION_DAYS = 7


def new_token():
    # 32 random bytes: the link in the e-mail is the only key to the subscription.
    return secrets.token_urlsafe(32)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def expired(self, now=None):
        """Unconfirmed requests older than CONFIRMATION_DAYS: deleted, never mailed."""
        now = now or timezone.now()
        return self.filter(
            confirmed_at__isnull=True,
            created_at__lt=now - datetime.timedelta(days=CONFIRMATION_DAYS),
        )

    def by_token(self, token):
        """The subscription the link's token names; an expired request counts as gone."""
        return self.exclude(pk__in=self.expired().values("pk")).filter(token=token).first()


class Subscription(models.Model):
    email = models.EmailField(_("e-mail address"), max_length=254)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE,
        related_name="subscriptions", verbose_name=_("municipality"),
        help_text=_("Empty: everything published in the whole country."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "municipality"], name="subscription_once_per_place",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(municipality__isnull=True),
                name="subscription_once_nationally",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "confirmed_at"], name="subscription_place_idx"),
            models.Index(fields=["confirmed_at", "created_at"], name="subscription_pending_idx"),
        ]

    def __str__(self):
        # Never the address: this text is kept in the admin's log after a deletion.
        return _("Subscription %(number)s (%(place)s)") % {
            "number": self.pk, "place": self.place_name,
        }

    @property
    def place_name(self):
        return self.municipality.name if self.municipality_id else _("the whole country")

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class Notice(models.Model):
    """That something was published and its subscribers are told: one per published
    period, agreement or tertial report, so a row published again is never announced
    twice to the same address."""

    class Kind(models.TextChoices):
        PERIOD = "period", _("citizen promise")
        AGREEMENT = "agreement", _("collaboration agreement")
        REPORT = "report", _("tertial report")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="notice_once_per_object"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id}"


class Delivery(models.Model):
    """One notice to one address (through one of its subscriptions): claimed before it is
    sent and marked sent right after, so it goes out at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The kind of error only (an SMTP reply may name the address).
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "subscription"], name="delivery_once_per_subscription",
            ),
        ]
        indexes = [
            models.Index(fields=["notice", "status"], name="delivery_notice_status_idx"),
            models.Index(fields=["status", "updated_at"], name="delivery_status_time_idx"),
        ]

    def __str__(self):
        return f"{self.notice} → {self.subscription_id}: {self.status}"


class SearchEntry(models.Model):
    """One published thing a search finds (a period, promise, priority, focus area,
    indicator, activity or public follow-up account), with all that a hit shows and is
    filtered by, so a search reads this one table and nothing else: public/search_index.py
    keeps it in step with what is published, public/search.py reads it.

    The keys are plain numbers, not relations: rows are deleted and written again from the
    source tables, never joined to them. `vector` (PostgreSQL) is the Swedish full-text
    vector of what is searched, under a GIN index (migration 0005); SQLite searches the
    text columns themselves.
    """

    # What a search reads of every row it looks at comes first: PostgreSQL reads a row's
    # columns in order, up to the last one a query needs.
    rank = models.PositiveSmallIntegerField()  # the kind's place in the ranking
    object_id = models.PositiveBigIntegerField()
    vector = SearchVectorField(null=True)
    kind = models.CharField(max_length=12)
    period_id = models.PositiveBigIntegerField(null=True)
    agreement_id = models.PositiveBigIntegerField(null=True)
    promise_id = models.PositiveBigIntegerField(null=True)
    title = models.CharField(max_length=200)  # of the period or agreement
    valid_from = models.DateField()
    valid_to = models.DateField()
    municipalities = models.TextField(blank=True)  # "Flen, Katrineholm"
    label = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    more = models.TextField(blank=True)  # a focus area's description, a follow-up's subject
    party = models.CharField(max_length=12, blank=True)
    # A follow-up's own; a promise's, activity's or indicator's latest public follow-up's.
    status = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    tertial = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once"),
        ]
        indexes = [
            # The ranking: kind, then newest first (public/search.py), below the periods'
            # rank (7, public/search_index.py's RANKS): periods are read by their own
            # full-text index (migration 0008).
            models.Index(fields=["-rank", "-valid_from", "-object_id"],
                         name="search_entry_rank_idx", condition=models.Q(rank__lt=7)),
            models.Index(fields=["period_id"], name="search_entry_period_idx"),
            models.Index(fields=["agreement_id"], name="search_entry_agreement_idx"),
            models.Index(fields=["promise_id"], name="search_entry_promise_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"


class PeriodRollup(models.Model):
    """What the home page, the municipality pages and the national overview show of one
    published period, for one municipality taking part in it: its title, validity, police
    area, how many promises it holds and how they stood in its latest published tertial.

    Kept by public/rollup.py when anything behind it changes (inside the transaction that
    publishes or unpublishes, after the commit otherwise), and rebuilt whole by
    `manage.py rebuild_rollup` and after `migrate`. Only published periods have rows. Which
    period is current is not stored: the pages compare the dates with today's.
    """

    period = models.ForeignKey(PromisePeriod, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="period_rollups",
    )
    # True on one row of each period (its first municipality by name), so that what is
    # counted by period (promises in force, periods published) counts each period once.
    first_of_period = models.BooleanField()
    municipality_name = models.CharField(max_length=100)
    municipality_slug = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField()
    published_at = models.DateTimeField()
    police_area_name = models.CharField(max_length=150)
    # Every municipality of the period, by name (a period may have several).
    municipality_names = models.TextField()
    municipality_count = models.PositiveSmallIntegerField()
    promise_count = models.PositiveIntegerField()
    # The latest tertial with a published report (None: none yet), the day that report was
    # published (in TIME_ZONE), and how many promises had each status in it ({status:
    # count}, "" for not reported); of those, how many had a status at all and how many
    # were completed, done and continuing, or ongoing (the overview's columns).
    latest_year = models.PositiveSmallIntegerField(null=True)
    latest_tertial = models.PositiveSmallIntegerField(null=True)
    reported_on = models.DateField(null=True)
    status_counts = models.JSONField(default=dict)
    followed_up = models.PositiveIntegerField(null=True)
    on_track = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "municipality"], name="period_rollup_once_per_municipality",
            ),
        ]
        indexes = [
            models.Index(fields=["valid_to", "valid_from"], name="period_rollup_validity_idx"),
            models.Index(
                fields=["-published_at", "-period"], condition=models.Q(first_of_period=True),
                name="period_rollup_recent_idx",
            ),
        ]

    def __str__(self):
        return f"{self.municipality_name}: {self.title}"


class NationalFile(models.Model):
    """The stored national open-data file of one format (public/national_files.py): built
    by the worker from published data, served as stored. One row per format, replaced
    whole when a newer build finishes."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    format = models.CharField(_("format"), max_length=4, choices=Format.choices, unique=True)
    file = models.FileField(_("file"), upload_to="open-data/", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    # SHA-256 of the published data the set of files holds (the JSON without its build time,
    # and the CSV): a build that finds it unchanged keeps the files, their ETags and dates.
    content = models.CharField(_("content"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    built_at = models.DateTimeField(_("built at"))
    # NationalFileSchedule.requested when the build began: every change counted up to it
    # is in the file.
    generation = models.PositiveBigIntegerField(_("generation"))

    class Meta:
        verbose_name = _("national open-data file")
        verbose_name_plural = _("national open-data files")

    def __str__(self):
        return f"{self.format} {self.sha256[:12]} ({self.built_at:%Y-%m-%d %H:%M})"


class NationalFileSchedule(models.Model):
    """One row: how many committed changes of public data there have been, and whether a
    build of the national files is queued or running, so a burst of changes queues one
    build, not one per change."""

    requested = models.PositiveBigIntegerField(default=0)
    # Set while a build is queued or running; a build lost with its worker is replaced
    # once this is older than national_files.LOST_AFTER.
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("national open-data schedule")
        verbose_name_plural = _("national open-data schedules")

    def __str__(self):
        return f"{self.requested} ({self.queued_at or '-'})"


class RenderedAhead(models.Model):
    """A public page as citizens see it, in one language, rendered by the worker so that a
    visitor's request reads one row instead of what the page is built from: its parts
    (`title`, `content`) as rendered.

    Every committed change to what the page shows raises `wanted`; a page is shown only
    while `built_for` equals it (a render that read the rows before a later change never
    counts), until `fresh_until` (the first day a date changes what it shows), and only if
    `code` is the code running now (period_pages.code_fingerprint). Otherwise the page is
    rendered as it is asked for."""

    language = models.CharField(max_length=8)
    title = models.TextField(default="")
    content = models.TextField(default="")
    wanted = models.PositiveIntegerField(default=1)
    built_for = models.PositiveIntegerField(default=0)
    fresh_until = models.DateField(null=True)  # None: no date changes it
    # The SHA-256 of the code that rendered it (public/period_pages.py, `code_fingerprint`).
    code = models.CharField(max_length=64, default="")
    rendered_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True


class PeriodPage(RenderedAhead):
    """A published period's page (public/period_pages.py): fresh until its tertials' states
    can change (a tertial ends, a report becomes late)."""

    period = models.ForeignKey(PromisePeriod, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "language"], name="period_page_unique"),
        ]

    def __str__(self):
        return f"{self.period_id} ({self.language})"


class SitePage(RenderedAhead):
    """The home page, the national overview (unfiltered), a municipality's page, or the
    search page's filters (public/site_pages.py): fresh until a period it lists comes into
    force or runs out."""

    class Kind(models.TextChoices):
        HOME = "home"
        OVERVIEW = "overview"
        MUNICIPALITY = "municipality"
        # The search page's filters as they are written before any is chosen.
        SEARCH_FILTERS = "search_filters"

    kind = models.CharField(max_length=16, choices=Kind)
    # The municipality of a municipality's page; None for the national pages.
    municipality = models.ForeignKey(
        Municipality, null=True, on_delete=models.CASCADE, related_name="+"
    )
    head = models.TextField(default="")  # what the page adds to <head> (a feed link)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "municipality", "language"], name="site_page_unique",
                condition=Q(municipality__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "language"], name="site_page_national_unique",
                condition=Q(municipality__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(kind="municipality", municipality__isnull=False)
                | (~Q(kind="municipality") & Q(municipality__isnull=True)),
                name="site_page_municipality_only_on_its_page",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.municipality_id or ''} ({self.language})".replace("  ", " ")
