"""Reference data, police areas and memberships in the admin. National administrators
change reference data; coordinators create and keep the police areas that serve their
municipality; lead coordinators invite and remove their municipality's colleagues."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from municipalities import accounts, services
from municipalities.admin_rules import RulesAdmin, VersionedModelForm, perm
from municipalities.models import County, Membership, Municipality, PoliceArea, PoliceRegion
from municipalities.roles import Role
from municipalities.rules import EDITORS, LEADS, is_national, places


class ReferenceDataAdmin(RulesAdmin):
    """Counties, regions and municipalities: read by every member, changed nationally."""

    def has_module_permission(self, request):
        return request.user.is_staff and request.user.has_perm(perm(self.model, "change"))


@admin.register(PoliceRegion)
class PoliceRegionAdmin(ReferenceDataAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "police_region"]
    list_filter = ["police_region"]
    list_select_related = ["police_region"]
    search_fields = ["name", "code"]
    ordering = ["code"]


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceDataAdmin):
    list_display = ["name", "proper_name", "code", "county"]
    list_filter = ["county__police_region", "county"]
    list_select_related = ["county"]
    search_fields = ["name", "official_name", "code"]
    prepopulated_fields = {"slug": ["name"]}


class PoliceAreaForm(VersionedModelForm):
    class Meta:
        model = PoliceArea
        fields = ["name", "official_code", "district_name", "municipalities"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("municipalities") or [])
        if not chosen:
            return cleaned
        try:
            self.instance.police_region = PoliceArea.region_of(chosen)
        except forms.ValidationError as error:
            self.add_error("municipalities", error)
            return cleaned
        if not is_national(self.user):
            own, _areas = places(self.user, EDITORS)
            if not own & {m.pk for m in chosen}:
                self.add_error("municipalities", _(
                    "Include your own municipality: you keep the police areas that serve it."
                ))
        if self.instance.pk:
            relied_on = services.municipalities_relied_on(self.instance)
            removed = [m for m in relied_on if m not in chosen]
            if removed:
                self.add_error("municipalities", _(
                    "%(names)s cannot be removed: their citizen promises name this police "
                    "area."
                ) % {"names": ", ".join(m.name for m in removed)})
        return cleaned


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=gettext_lazy("Keep this police area"), queryset=PoliceArea.objects.none(),
        help_text=gettext_lazy("The others' periods, agreements, members and keys move to it, "
                               "then they are deleted."),
    )


@admin.register(PoliceArea)
class PoliceAreaAdmin(RulesAdmin):
    form = PoliceAreaForm
    list_display = ["name", "official_code", "police_region", "municipality_names"]
    list_filter = ["police_region"]
    list_select_related = ["police_region"]
    search_fields = ["name", "official_code", "district_name", "municipalities__name"]
    autocomplete_fields = ["municipalities"]
    readonly_fields = ["police_region"]
    fields = ["name", "official_code", "district_name", "municipalities", "police_region",
              "loaded_version"]
    actions = ["merge"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class BoundForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=request.user, **kwargs)

        return BoundForm

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("municipalities")

    def choice_queryset(self, request, model):
        if model is Municipality and not is_national(request.user):
            # A police area may serve the neighbours too; it must include one's own.
            return Municipality.objects.all()
        return super().choice_queryset(request, model)

    @admin.display(description=gettext_lazy("municipalities served"))
    def municipality_names(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())

    @admin.action(description=gettext_lazy("Merge the selected police areas"),
                  permissions=["merge"])
    def merge(self, request, queryset):
        areas = list(queryset)
        if len(areas) < 2:
            self.message_user(request, _("Choose two or more police areas to merge."),
                              messages.WARNING)
            return None
        form = MergeForm(request.POST if "keep" in request.POST else None)
        form.fields["keep"].queryset = queryset
        if form.is_bound and form.is_valid():
            keep = form.cleaned_data["keep"]
            with transaction.atomic():
                moved = services.merge_police_areas(
                    keep, [a for a in areas if a != keep], by=request.user, request=request
                )
            periods = ngettext("%(count)s period", "%(count)s periods", moved["periods"]) % {
                "count": moved["periods"]}
            members = ngettext(
                "%(count)s membership", "%(count)s memberships", moved["memberships"]
            ) % {"count": moved["memberships"]}
            self.message_user(request, _(
                "Merged into %(area)s: %(periods)s and %(members)s moved."
            ) % {"area": keep, "periods": periods, "members": members}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge police areas"),
            "opts": self.model._meta,
            "objects": areas,
            "form": form,
            "action": "merge",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/municipalities/merge_police_areas.html",
                                context)

    def has_merge_permission(self, request):
        return request.user.has_perm("municipalities.merge_policearea")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "municipality", "police_area"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        # The membership as it would be saved: the rule judges where it gives its role, so a
        # lead coordinator grants no national role and no role elsewhere.
        granted = Membership(
            role=cleaned.get("role") or "", municipality=cleaned.get("municipality"),
            police_area=cleaned.get("police_area"),
        )
        if not self.user.has_perm("municipalities.add_membership", granted):
            raise forms.ValidationError(_(
                "You may give roles only in the municipality where you are lead coordinator."
            ), code="outside_responsibility")
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150,
                                 required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150,
                                required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[
        choice for choice in Role.choices if choice[0] != Role.NATIONAL_ADMIN
    ])
    municipality = forms.ModelChoiceField(label=gettext_lazy("Municipality"),
                                          queryset=Municipality.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["municipality"].queryset = (
            Municipality.objects.all() if is_national(user)
            else Municipality.objects.filter(pk__in=places(user, LEADS)[0])
        )

    def clean(self):
        cleaned = super().clean()
        granted = Membership(role=cleaned.get("role") or "",
                             municipality=cleaned.get("municipality"))
        if not self.user.has_perm("municipalities.add_membership", granted):
            raise forms.ValidationError(_(
                "You may give roles only in the municipality where you are lead coordinator."
            ), code="outside_responsibility")
        email = cleaned.get("email")
        if email and Membership.objects.filter(
            user__email__iexact=email, role=cleaned.get("role"),
            municipality=cleaned.get("municipality"),
        ).exists():
            raise forms.ValidationError(_("The user already has this role here."),
                                        code="duplicate")
        return cleaned


@admin.register(Membership)
class MembershipAdmin(RulesAdmin):
    form = MembershipForm
    list_display = ["user", "role", "municipality", "police_area", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "municipality", "police_area"]
    search_fields = ["user__username", "user__email", "municipality__name", "police_area__name"]
    autocomplete_fields = ["municipality", "police_area"]
    fields = ["user", "role", "municipality", "police_area"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class BoundForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=request.user, **kwargs)

        return BoundForm

    def choice_queryset(self, request, model):
        if not is_national(request.user):
            own, _areas = places(request.user, LEADS)
            if model is Municipality:
                return Municipality.objects.filter(pk__in=own)
            if model is PoliceArea:
                return PoliceArea.objects.none()
        return super().choice_queryset(request, model)

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if is_national(request.user):
            return queryset
        own, _areas = places(request.user, LEADS)
        return queryset.filter(municipality__in=own)

    def get_urls(self):
        return [
            path("invite/", self.admin_site.admin_view(self.invite_view),
                 name="municipalities_membership_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request):
        """A lead coordinator (or a national administrator) invites a colleague: the account
        is made when needed, the role given, and a set-password link sent."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvitationForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            membership = accounts.invite(
                email=data["email"], role=data["role"], municipality=data["municipality"],
                first_name=data["first_name"], last_name=data["last_name"], by=request.user,
            )
            self.message_user(request, _("Invited %(email)s as %(role)s in %(place)s.") % {
                "email": data["email"], "role": membership.get_role_display(),
                "place": membership.municipality,
            }, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:municipalities_membership_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite a colleague"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/municipalities/invite.html", context,
                                status=400 if form.is_bound else 200)

    def save_model(self, request, obj, form, change):
        # Role changes reach the audit log through municipalities/signals.py.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not obj.user.is_staff:
                obj.user.is_staff = True
                obj.user.save(update_fields=["is_staff"])
