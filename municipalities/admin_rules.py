"""The admin's building blocks: every list, form, inline, choice, autocomplete, history view
and action asks the one registry of rules (`user.has_perm(perm, obj)`, each app's
rules.py), and lists hold only the rows the user may read.

Denials are fixed: a row the user may not read answers 404 (its existence is not
revealed); one they may read but not change answers 403 when they try; every address of a
kind of row the user may not use at all answers 403, as its list does.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from municipalities.roles import ANY_ROLE
from municipalities.rules import is_national, places
from municipalities.versioning import EditConflict, VersionedModel, describe_version


# Fields whose filter choices are places.
PLACE_FIELDS = {"county", "police_region", "municipality", "municipalities", "police_area"}
PLACE_COLUMNS = {"municipality_names", "municipality", "police_area", "police_area_name"}


def perm(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def valid_keys(field, values):
    """The submitted values that are keys of the field's model (malformed ids, and numbers
    beyond what the database's column holds, dropped)."""
    target = field.remote_field.model._meta.get_field(
        getattr(field.remote_field, "field_name", None) or field.remote_field.model._meta.pk.name
    )
    valid = []
    for value in values:
        try:
            key = target.to_python(value)
            target.run_validators(key)
            target.get_prep_value(key)
        except (ValidationError, TypeError, ValueError):
            continue
        valid.append(value)
    return valid


class KeyCheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id beyond what the database's column holds as a wrong choice, as it does
    "abc", instead of failing on it in the query (SQLite cannot compare with it)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        target = self.queryset.model._meta.get_field(key) if key != "pk" \
            else self.queryset.model._meta.pk
        for pk in value:
            try:
                target.run_validators(target.to_python(pk))
            except (ValidationError, TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                ) from None
        return super()._check_values(value)


class TolerantAutocompleteSelect(AutocompleteSelect):
    """Redisplaying a form with a malformed id ("abc" for a number) shows the form's own
    error instead of crashing while looking the value up."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, valid_keys(self.field, value), attr)


class TolerantAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, valid_keys(self.field, value), attr)


class VersionedModelForm(forms.ModelForm):
    """A form that refuses to save over a version someone else saved after it was shown,
    and shows that version instead (the model's save refuses too, for every writer)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The row's version now, not the instance's: a history revert form's is old.
            current = (
                type(self.instance)._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True).first()
            )
            self.fields["loaded_version"].initial = current

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        # Ordered by pk alone: a model's own ordering may join nullable relations (a
        # follow-up's activity), and PostgreSQL refuses FOR UPDATE across an outer join.
        current = (
            model._base_manager.select_for_update().filter(pk=self.instance.pk)
            .order_by("pk").values_list("version", flat=True).first()
        )
        loaded = cleaned.get("loaded_version")
        if current is not None and loaded != current:
            newer = describe_version(model, self.instance.pk, loaded)
            # The form comes back carrying the newer version: a second save is a choice.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = current
            raise ValidationError(newer.message(), code="version_conflict")
        if current is not None:
            self.instance.version = current
        return cleaned


class RulesChoicesMixin:
    """Foreign keys offer only rows the user may attach to (what they may edit, or for
    reference data what they may read), through tolerant autocomplete widgets."""

    def choice_queryset(self, request, model):
        manager = model._default_manager
        if hasattr(manager, "editable_by") and model._meta.app_label != "municipalities":
            return manager.editable_by(request.user)
        if hasattr(manager, "choosable_by"):
            return manager.choosable_by(request.user)
        return manager.all()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.choice_queryset(request, db_field.related_model))
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", TolerantAutocompleteSelect(db_field, self.admin_site))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.choice_queryset(request, db_field.related_model))
        kwargs.setdefault("form_class", KeyCheckedMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", TolerantAutocompleteSelectMultiple(db_field, self.admin_site)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RulesAdmin(RulesChoicesMixin, SimpleHistoryAdmin):
    """A ModelAdmin answered by the rules; its lists are the user's readable rows."""

    form = VersionedModelForm

    class Media:
        js = ["js/admin-labels.js", "js/admin-accessible-names.js"]

    def perm(self, action):
        return perm(self.model, action)

    def get_form(self, request, obj=None, **kwargs):
        if self.form is VersionedModelForm and not issubclass(self.model, VersionedModel):
            kwargs.setdefault("form", forms.ModelForm)
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "readable_by"):
            queryset = queryset.readable_by(request.user)
        return queryset

    @staticmethod
    def acts_in_one_place(user):
        if is_national(user):
            return False
        municipalities, areas = places(user, ANY_ROLE)
        return len(municipalities) + len(areas) <= 1

    def get_list_filter(self, request):
        """Filters by place (county, police region, municipality, police area) only for those
        who act in more than one place: one municipality's coordinator has nothing to choose."""
        filters = super().get_list_filter(request)
        if not self.acts_in_one_place(request.user):
            return filters
        return [
            f for f in filters
            if (f[0] if isinstance(f, (list, tuple)) else f).split("__")[0] not in PLACE_FIELDS
        ]

    def get_list_display(self, request):
        """Nor columns that would name the same place on every row (the list must fit at
        1280 px)."""
        columns = super().get_list_display(request)
        if not self.acts_in_one_place(request.user):
            return columns
        return [c for c in columns if c not in PLACE_COLUMNS] or columns

    def has_module_permission(self, request):
        return request.user.is_staff and request.user.has_perm(self.perm("view"))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.perm("view"), obj)

    def has_add_permission(self, request):
        return request.user.has_perm(self.perm("add"))

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(self.perm("change"), obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(self.perm("delete"), obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope looks exactly like missing.
        raise Http404(_("Not found."))

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete for another model's field: offer what the user may attach to there,
        # as that model's admin judges it (the form checks the same queryset).
        if getattr(request, "resolver_match", None) and request.resolver_match.url_name == (
            "autocomplete"
        ):
            # Django's autocomplete view has checked these names before asking this.
            source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            source_admin = self.admin_site._registry.get(source, self)
            if not isinstance(source_admin, RulesChoicesMixin):
                source_admin = self
            queryset = queryset & source_admin.choice_queryset(request, self.model)
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def refusal(self, action):
        """Why a page of this admin is refused, for the 403 page (Django's admin refuses
        without saying)."""
        names = {"things": self.model._meta.verbose_name_plural,
                 "thing": self.model._meta.verbose_name}
        if action == "add":
            return _("Your role does not let you add %(things)s.") % names
        if action == "delete":
            return _("You may not delete this %(thing)s: your role does not allow it, or it "
                     "belongs to something published (unpublish that first).") % names
        if action == "revert":
            return _("Your role lets you read this %(thing)s, but not restore an earlier "
                     "version of it.") % names
        return _("Your role does not let you use %(things)s.") % names

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except PermissionDenied as denied:
            raise self.explained(denied, "view") from None

    def explained(self, denied, action):
        return denied if denied.args else PermissionDenied(self.refusal(action))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied as denied:
            raise self.explained(denied, "view" if object_id else "add") from None
        except EditConflict as conflict:
            # A writer the form did not see (an inline row, a signal) moved on meanwhile.
            self.message_user(request, conflict.newer_version().message(), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ValidationError as error:  # a model rule refused (a protected deletion)
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        # Django asks the delete rule before looking the row up: a row out of reach would
        # answer 403 to some and 404 to others.
        self.readable_object(request, object_id)
        try:
            return super().delete_view(request, object_id, extra_context)
        except PermissionDenied as denied:
            raise self.explained(denied, "delete") from None
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def readable_object(self, request, object_id):
        """The row at an object's address. Who may not use this kind of row at all is
        refused, as on its list; who may, but not read this row, finds nothing."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied(self.refusal("view"))
        obj = self.get_object(request, unquote(object_id))  # None for a malformed id too
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404(_("Not found."))
        return obj

    def has_history(self):
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    # django-simple-history looks rows up without get_queryset and saves a revert after a
    # mere view check: scope both, ask the revert rule, and audit what the revert changed.
    def history_view(self, request, object_id, extra_context=None):
        self.readable_object(request, object_id)
        if not self.has_history():
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.readable_object(request, object_id)
        if not str(version_id).isdigit() or not self.has_history():
            raise Http404(_("Not found."))  # rows without a history have no versions
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not request.user.has_perm(self.perm("revert"), obj):
            raise PermissionDenied(self.refusal("revert"))
        before = model_to_dict(obj)
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if isinstance(response, HttpResponseRedirect):
                after = model_to_dict(self.model._base_manager.get(pk=obj.pk))
                changed = sorted(
                    name for name in after if str(after[name]) != str(before.get(name))
                    and name not in {"version", "updated_at"}
                )
                record_event(
                    action=AuditEvent.Action.RESTORED, user=request.user, obj=obj,
                    request=request, model=self.model._meta.label, pk=obj.pk,
                    history_id=int(version_id), changed=changed,
                )
            return response


class RulesInlineMixin(RulesChoicesMixin):
    """An inline that may be changed exactly when its parent may; its forms are versioned."""

    form = VersionedModelForm
    # Rows an inline holds at most. A document has a handful of promises, signatories or
    # sections; without a cap, a posted form count makes Django build and show 2,000 rows
    # (minutes of work for one request where each row offers every municipality).
    max_num = 50

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj) or self.max_num)
        return super().get_formset(request, obj, **kwargs)

    def parent_admin(self):
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request, obj=None):
        return self.parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return self.parent_admin().has_add_permission(request)
        return self.parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "is_published", False):
            return False  # rows of a published period go only after unpublishing
        return self.parent_admin().has_change_permission(request, obj)


def apply_to_permitted(modeladmin, request, queryset, permission, service):
    """Run `service(obj)` for each selected row the user has `permission` on; report the
    rest."""
    done, refused = 0, 0
    for obj in queryset:
        if not request.user.has_perm(permission, obj):
            refused += 1
            continue
        service(obj)
        done += 1
    if refused:
        modeladmin.message_user(
            request,
            _("%(count)s selected rows are outside your responsibility and were left as "
              "they were.") % {"count": refused},
            messages.WARNING,
        )
    return done


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """An append-only log: national administrators read it; nobody edits or deletes."""

    def has_module_permission(self, request):
        return request.user.is_staff and request.user.has_perm(perm(self.model, "view"))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(perm(self.model, "view"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
