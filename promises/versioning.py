"""No lost updates: a form carries the version of the row it loaded, and saving over a
newer version is refused with a description of that version (who, when, what)."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy as _

IGNORED_FIELDS = {"version", "updated_at", "updated_by", "created_at"}


@dataclass
class NewerVersion:
    """The version someone else saved after the form was loaded."""

    version: int
    username: str
    at: object
    changes: list = field(default_factory=list)  # (field label, their value)

    def message(self):
        when = (
            formats.date_format(timezone.localtime(self.at), "DATETIME_FORMAT") if self.at else "?"
        )
        text = gettext(
            "%(user)s saved a newer version (version %(version)s, %(when)s) after you opened "
            "this form, so your changes were not saved."
        ) % {"user": self.username or gettext("Someone"), "version": self.version, "when": when}
        if self.changes:
            text += " " + gettext("Their version:") + " " + "; ".join(
                f"{label}: “{value}”" for label, value in self.changes
            ) + "."
        return text + " " + gettext(
            "Your text is kept in the form. Compare, then save again to replace their version."
        )


def shorten(value, limit=300):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_version(model, pk, loaded_version):
    """What changed in row `pk` of `model` since `loaded_version`, per its history."""
    records = model.history.filter(id=pk).select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    latest = records.first()
    if latest is None:
        return NewerVersion(version=0, username="", at=None)
    user = latest.history_user
    result = NewerVersion(
        version=latest.version,
        username=(user.get_full_name() or user.get_username()) if user else "",
        at=latest.history_date,
    )
    loaded = records.filter(version=loaded_version).first() if loaded_version else None
    if loaded is not None:
        delta = latest.diff_against(loaded)
        for change in delta.changes:
            if change.field in IGNORED_FIELDS:
                continue
            model_field = model._meta.get_field(change.field)
            value = change.new
            if getattr(model_field, "choices", None):
                value = dict(model_field.flatchoices).get(value, value)
            result.changes.append((str(model_field.verbose_name), shorten(value)))
    return result


def lock_and_check(model, pk, loaded_version):
    """Lock row `pk` (inside a transaction) and return (current version, NewerVersion or
    None). A missing loaded version counts as stale: the form was not ours."""
    current = (
        model._default_manager.select_for_update().filter(pk=pk).order_by("pk")
        .values_list("version", flat=True).first()
    )
    if current is None:
        return None, None
    if loaded_version is not None and int(loaded_version) == current:
        return current, None
    return current, describe_version(model, pk, loaded_version)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite a version newer than the one it showed.

    Must be validated inside a transaction (the admin's change view is one).
    """

    loaded_version = forms.IntegerField(
        label=_("version loaded"), widget=forms.HiddenInput, required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The row's version now, not the instance's: a revert form's instance is old.
            current = (
                type(self.instance)._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True).first()
            )
            self.fields["loaded_version"].initial = current

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        current, newer = lock_and_check(
            type(self.instance), self.instance.pk, cleaned_data.get("loaded_version")
        )
        if newer is not None:
            # The form comes back carrying the newer version: a second save is a choice.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = current
            raise ValidationError(newer.message(), code="version_conflict")
        if current is not None:
            self.instance.version = current + 1
        return cleaned_data
