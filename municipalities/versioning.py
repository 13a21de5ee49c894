"""No lost updates, for every writer: a versioned row is saved with `UPDATE … WHERE
version = loaded`, so a save over a version someone else saved meanwhile is refused
(`EditConflict`) instead of silently replacing it. Forms show the conflict with the other
person's version (`describe_version`), read from the row's history."""

import functools
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history import manager as history_manager
from simple_history import models as history_models

IGNORED_FIELDS = {"version", "updated_at", "updated_by", "created_at"}


class EditConflict(Exception):
    """The row was saved by someone else after this copy was loaded; nothing was saved."""

    def __init__(self, instance, loaded_version):
        self.model = type(instance)
        self.pk = instance.pk
        self.loaded_version = loaded_version
        super().__init__(f"{self.model._meta.label} {self.pk} changed since version "
                         f"{loaded_version}")

    def newer_version(self):
        return describe_version(self.model, self.pk, self.loaded_version)


class HistoryManager(history_manager.HistoryManager):
    """django-simple-history's manager, whose class is made once: the library makes a new
    manager class (`from_queryset`) each time `row.history` is read, which it does for
    every history row it writes, and that cost more than writing the row."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(history_models.HistoricalRecords):
    """Every versioned model's history (django-simple-history), with `HistoryManager`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("history_manager", HistoryManager)
        super().__init__(*args, **kwargs)


class VersionedModel(models.Model):
    """An editable row with optimistic locking.

    `version` is the number of the version this copy was loaded as (or that a form showed,
    see `VersionedModelForm`); `save()` raises `EditConflict` when the row has moved on.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        loaded = self.version
        with transaction.atomic(using=kwargs.get("using")):
            # Claims the row (and its lock) for this version, or finds it has moved on.
            claimed = type(self)._base_manager.filter(pk=self.pk, version=loaded).update(
                version=loaded + 1
            )
            if not claimed:
                raise EditConflict(self, loaded)
            self.version = loaded + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
            try:
                return super().save(*args, **kwargs)
            except BaseException:
                self.version = loaded
                raise


def write_versioned(instance, fields):
    """Save `fields` of a loaded row in one statement, `UPDATE … SET …, version = loaded + 1
    WHERE pk = … AND version = loaded`: `save()`'s claim and write together, for code that
    saves many rows in one transaction (the tertial screen) and so needs neither the
    savepoint nor the second statement per row. Returns False, writing nothing, when the
    row has moved on. Sends no signals: the caller writes the history rows
    (`history.bulk_history_create`) and tells whatever caches the rows."""
    loaded = instance.version
    instance.updated_at = timezone.now()
    claimed = type(instance)._base_manager.filter(pk=instance.pk, version=loaded).update(
        **{name: getattr(instance, name) for name in fields},
        updated_at=instance.updated_at, version=loaded + 1,
    )
    if claimed:
        instance.version = loaded + 1
    return bool(claimed)


@dataclass
class NewerVersion:
    """The version someone else saved after a form was loaded."""

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


class DeletedMeanwhile:
    """Stands in for the newer version when someone removed the row meanwhile."""

    version = None

    def message(self):
        return gettext(
            "Someone removed this row after you opened the page, so nothing was saved. "
            "Save again to enter it anew."
        )


def shorten(value, limit=300):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_version(model, pk, loaded_version):
    """What changed in row `pk` of `model` since `loaded_version`, per its history."""
    if not model._base_manager.filter(pk=pk).exists():
        return DeletedMeanwhile()
    records = model.history.filter(id=pk).select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    latest = records.first()
    if latest is None:
        current = model._base_manager.filter(pk=pk).values_list("version", flat=True).first()
        return NewerVersion(version=current or 0, username="", at=None)
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
