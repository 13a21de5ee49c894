"""Users and groups in the admin, with their permissions named in the interface's language
(Django stores each permission's name in English, once, when the tables are made)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext as _

ACTIONS = {
    "add": lambda name: _("Can add %(name)s") % {"name": name},
    "change": lambda name: _("Can change %(name)s") % {"name": name},
    "delete": lambda name: _("Can delete %(name)s") % {"name": name},
    "view": lambda name: _("Can view %(name)s") % {"name": name},
}


def permission_label(permission):
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is None or action not in ACTIONS or model_name != model._meta.model_name:
        return str(permission)
    return (f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | "
            f"{ACTIONS[action](model._meta.verbose_name)}")


class PermissionLabels:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(PermissionLabels, UserAdmin):
    pass


@admin.register(Group)
class PortalGroupAdmin(PermissionLabels, GroupAdmin):
    pass
