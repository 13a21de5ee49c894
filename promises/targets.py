"""Targets as documents write them ("minst 100 tillfällen", "högst 10", "mellan 5 och 8"),
one shape for promises, activities and indicators, and how far a result has come.

A target compares a number with a value (at least, at most, exactly, between two), counts
something in a unit over a span (each tertial, each year, the whole period), and measures
either a count (tertial values add up) or a level (the latest value counts).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", gettext_lazy("at least")
    AT_MOST = "at_most", gettext_lazy("at most")
    EXACTLY = "exactly", gettext_lazy("exactly")
    BETWEEN = "between", gettext_lazy("between")


class Span(models.TextChoices):
    TERTIAL = "tertial", gettext_lazy("each tertial")
    YEAR = "year", gettext_lazy("each year")
    PERIOD = "period", gettext_lazy("the whole period")


class Measure(models.TextChoices):
    COUNT = "count", gettext_lazy("a count (tertial values add up)")
    LEVEL = "level", gettext_lazy("a level (the latest value counts)")


class Direction(models.TextChoices):
    HIGHER = "higher", gettext_lazy("higher is better")
    LOWER = "lower", gettext_lazy("lower is better")


def number(value):
    """A Decimal as a person writes it: 100, 2,5 (in Swedish)."""
    if value is None:
        return ""
    value = Decimal(value)
    whole = value.to_integral_value()
    return number_format(whole if value == whole else value.normalize())


class Targeted(models.Model):
    """The target fields, shared by Promise, Activity and Indicator."""

    target_comparison = models.CharField(
        gettext_lazy("target comparison"), max_length=10, choices=Comparison.choices,
        blank=True,
    )
    target_value = models.DecimalField(
        gettext_lazy("target value"), max_digits=12, decimal_places=2, null=True, blank=True,
    )
    target_value_max = models.DecimalField(
        gettext_lazy("upper target value"), max_digits=12, decimal_places=2, null=True,
        blank=True, help_text=gettext_lazy("Only for “between”."),
    )
    target_unit = models.CharField(
        gettext_lazy("unit"), max_length=100, blank=True,
        help_text=gettext_lazy("What is counted: “tillfällen”, “kvällar”, “anmälda brott”."),
    )
    target_span = models.CharField(
        gettext_lazy("target applies to"), max_length=10, choices=Span.choices,
        default=Span.PERIOD,
    )
    target_measure = models.CharField(
        gettext_lazy("values are"), max_length=10, choices=Measure.choices,
        default=Measure.COUNT,
    )
    target_direction = models.CharField(
        gettext_lazy("better is"), max_length=10, choices=Direction.choices,
        default=Direction.HIGHER,
    )
    target_text = models.CharField(
        gettext_lazy("target as written"), max_length=255, blank=True,
        help_text=gettext_lazy("The document's own words, e.g. “minst två tillfällen per år”."),
    )

    class Meta:
        abstract = True

    @property
    def target(self):
        return Target.of(self)

    def clean(self):
        super().clean()
        errors = Target.of(self).errors()
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Achievement:
    value: Decimal
    is_met: bool
    percent: int | None  # of the target, never capped; None where a percentage means nothing
    so_far: bool  # the span is still running

    def describe(self, target):
        """“104 av minst 100 – målet nått (104 %)”, “56, mål högst 10 – inte nått”."""
        if self.so_far:
            verdict = _("reached so far") if self.is_met else _("not reached so far")
        else:
            verdict = _("target reached") if self.is_met else _("not reached")
        if target.comparison == Comparison.AT_LEAST:
            text = _("%(value)s of %(target)s") % {
                "value": number(self.value), "target": target.describe()}
        else:
            text = _("%(value)s, target %(target)s") % {
                "value": number(self.value), "target": target.describe()}
        text = f"{text} – {verdict}"
        if self.percent is not None:
            text += f" ({self.percent} %)"
        return text


@dataclass(frozen=True)
class Target:
    comparison: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    span: str
    measure: str
    direction: str
    text: str

    @classmethod
    def of(cls, item):
        return cls(
            comparison=item.target_comparison, value=item.target_value,
            value_max=item.target_value_max, unit=item.target_unit, span=item.target_span,
            measure=item.target_measure, direction=item.target_direction,
            text=item.target_text,
        )

    @property
    def is_numeric(self):
        return bool(self.comparison) and self.value is not None

    def __bool__(self):
        return self.is_numeric or bool(self.text)

    def errors(self):
        errors = {}
        if self.comparison and self.value is None:
            errors["target_value"] = _("Give the number the target compares with.")
        if self.value is not None and not self.comparison:
            errors["target_comparison"] = _(
                "Say how the number is compared: at least, at most, exactly or between."
            )
        if self.comparison == Comparison.BETWEEN:
            if self.value_max is None:
                errors["target_value_max"] = _("“Between” needs an upper value.")
            elif self.value is not None and self.value_max < self.value:
                errors["target_value_max"] = _("The upper value is below the lower one.")
        elif self.value_max is not None:
            errors["target_value_max"] = _("An upper value belongs only to “between”.")
        return errors

    def describe(self):
        """The target in words: “minst 100 tillfällen”, “mellan 5 och 8”."""
        if not self.is_numeric:
            return self.text
        unit = f" {self.unit}" if self.unit else ""
        if self.comparison == Comparison.BETWEEN:
            return _("between %(low)s and %(high)s%(unit)s") % {
                "low": number(self.value), "high": number(self.value_max), "unit": unit}
        return f"{Comparison(self.comparison).label} {number(self.value)}{unit}"

    def is_met_by(self, value):
        if self.comparison == Comparison.AT_LEAST:
            return value >= self.value
        if self.comparison == Comparison.AT_MOST:
            return value <= self.value
        if self.comparison == Comparison.EXACTLY:
            return value == self.value
        return self.value <= value <= self.value_max

    def result(self, values):
        """The value that counts, from the span's tertial values in order: their sum for a
        count, the latest for a level. None without values."""
        values = [v for v in values if v is not None]
        if not values:
            return None
        return sum(values, Decimal(0)) if self.measure == Measure.COUNT else values[-1]

    def achievement(self, values, *, span_is_over):
        """How the span's tertial values (in order) stand against the target, or None."""
        if not self.is_numeric:
            return None
        result = self.result(values)
        if result is None:
            return None
        percent = None
        if self.comparison == Comparison.AT_LEAST and self.value > 0:
            percent = round(result / self.value * 100)
        return Achievement(
            value=result, is_met=self.is_met_by(result), percent=percent,
            so_far=not span_is_over,
        )
