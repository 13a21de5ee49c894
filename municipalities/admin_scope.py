"""Admin building blocks that confine every list, form, inline, choice, autocomplete,
history view and action to what the user's memberships allow (see permissions.py)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from municipalities.permissions import (
    CONTENT_ROLES, POLICE_ROLES, PUBLISH_ROLES, Access, filter_queryset,
)

# What a foreign key to each model may offer: (scope, path to the period, path to the party).
CHOICE_SCOPES = {
    "promises.promiseperiod": ("content", "", None),
    "promises.promise": ("content", "period__", None),
    "promises.focusarea": ("content", "period__", None),
    "promises.activity": ("followup", "promise__period__", "promise__party"),
    "promises.indicator": ("followup", "promise__period__", "promise__party"),
}


def choice_q(access, model):
    """The Q a choice of `model` must match for this user, None for no limit, or a
    queryset of allowed rows for reference data."""
    label = model._meta.label_lower
    if label == "municipalities.municipality":
        return None if access.is_national else Q(pk__in=access.municipalities().values("pk"))
    if label == "municipalities.policearea":
        return None if access.is_national else Q(pk__in=access.police_areas().values("pk"))
    if label not in CHOICE_SCOPES:
        return None
    scope, prefix, party_path = CHOICE_SCOPES[label]
    if scope == "content":
        return access.content_q(prefix)
    return access.followup_q(prefix, party_path)


def scoped_choices(request, model, queryset=None):
    queryset = model._default_manager.all() if queryset is None else queryset
    return filter_queryset(queryset, choice_q(Access.for_request(request), model))


def is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to what the user may attach to."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoicesMixin, SimpleHistoryAdmin):
    """A ModelAdmin whose rows belong to a promise period.

    `period_path` leads from the model to its PromisePeriod ("" for the period itself).
    `edit_scope` is "content" (coordinators) or "followup" (coordinators, and police
    coordinators for rows whose promise party, at `party_path`, is police or joint).
    """

    period_path = ""
    edit_scope = "content"
    party_path = None

    def access(self, request):
        return Access.for_request(request)

    def edit_roles(self):
        return CONTENT_ROLES | POLICE_ROLES if self.edit_scope == "followup" else CONTENT_ROLES

    def read_q(self, request):
        access = self.access(request)
        if self.edit_scope == "followup" and self.party_path:
            # As on the tertial screen: a police coordinator reads the follow-ups (and their
            # internal notes) of police and joint promises only.
            return access.police_only_q(self.period_path, self.party_path)
        return access.read_q(self.period_path)

    def edit_q(self, request):
        access = self.access(request)
        if self.edit_scope == "followup":
            return access.followup_q(self.period_path, self.party_path)
        return access.content_q(self.period_path)

    def in_scope(self, request, obj, kind):
        """Whether obj lies in the user's `kind` scope ("read", "edit", "publish")."""
        if obj is None or obj.pk is None:
            return False
        cache = request.__dict__.setdefault("_scope_cache", {})
        key = (self.model._meta.label, obj.pk, kind)
        if key not in cache:
            q = {
                "read": self.read_q,
                "edit": self.edit_q,
                "publish": lambda r: self.access(r).publish_q(self.period_path),
            }[kind](request)
            cache[key] = q is None or self.model._default_manager.filter(q, pk=obj.pk).exists()
        return cache[key]

    def get_queryset(self, request):
        return filter_queryset(super().get_queryset(request), self.read_q(request))

    def get_search_results(self, request, queryset, search_term):
        if is_autocomplete(request):
            queryset = scoped_choices(request, self.model, queryset)
        return super().get_search_results(request, queryset, search_term)

    def has_module_permission(self, request):
        return request.user.is_staff and self.access(request).has_any_membership()

    def has_view_permission(self, request, obj=None):
        if not self.access(request).has_any_membership():
            return False
        return obj is None or self.in_scope(request, obj, "read")

    def has_change_permission(self, request, obj=None):
        if not self.access(request).has_role(self.edit_roles()):
            return False
        return obj is None or self.in_scope(request, obj, "edit")

    def has_add_permission(self, request):
        return self.access(request).has_role(self.edit_roles())

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_publish_permission(self, request, obj=None):
        if not self.access(request).has_role(PUBLISH_ROLES):
            return False
        return obj is None or self.in_scope(request, obj, "publish")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope looks exactly like missing: no hint that the row exists.
        raise Http404(_("Not found."))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        form_fields = getattr(self.form, "declared_fields", {})
        if "loaded_version" not in form_fields:
            return fieldsets
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "loaded_version"]})
            for name, options in fieldsets
        ]
        if obj is not None and self.has_change_permission(request, obj):
            first_name, first_options = fieldsets[0]
            fieldsets = [
                (first_name, {**first_options,
                              "fields": [*first_options["fields"], "loaded_version"]}),
                *fieldsets[1:],
            ]
        return fieldsets

    # django-simple-history looks rows up without get_queryset and saves a revert after a
    # mere view check: scope both, and lock the row while reverting.
    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))  # None for a malformed id too
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404(_("Not found."))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not str(version_id).isdigit() or not self.has_view_permission(
            request, obj
        ):
            raise Http404(_("Not found."))
        if request.method == "POST":
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            with transaction.atomic():
                response = super().history_form_view(
                    request, object_id, version_id, extra_context
                )
                if isinstance(response, HttpResponseRedirect):
                    record_event(
                        action=AuditEvent.Action.RESTORED, user=request.user, obj=obj,
                        request=request, model=self.model._meta.label,
                        pk=obj.pk, history_id=int(version_id),
                    )
                return response
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInlineMixin(ScopedChoicesMixin):
    """An inline that may be changed exactly when its parent may."""

    def parent_admin(self):
        return self.admin_site.get_model_admin(self.parent_model)

    def get_formset(self, request, obj=None, **kwargs):
        request._inline_parent = obj
        return super().get_formset(request, obj, **kwargs)

    def has_view_permission(self, request, obj=None):
        return self.parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return self.parent_admin().has_add_permission(request)
        return self.parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)


class NationalAdminOnly:
    """For admins only national administrators may use."""

    def _national(self, request):
        return request.user.is_staff and Access.for_request(request).is_national

    def has_module_permission(self, request):
        return self._national(request)

    def has_view_permission(self, request, obj=None):
        return self._national(request)

    def has_change_permission(self, request, obj=None):
        return self._national(request)

    def has_add_permission(self, request):
        return self._national(request)

    def has_delete_permission(self, request, obj=None):
        return self._national(request)


def apply_to_permitted(modeladmin, request, queryset, kind, service):
    """Run `service(obj)` for each selected row the user may act on; report the rest."""
    done, refused = 0, 0
    for obj in queryset:
        if not modeladmin.in_scope(request, obj, kind):
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

