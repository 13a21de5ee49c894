"""Signing keys in the admin: a national administrator gives each municipality and police
area its own key (a PKCS#12 file with its passphrase, or a PKCS#11 token). The file and
passphrase are kept encrypted and never shown again."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.admin_rules import RulesAdmin, VersionedModelForm
from promises.documents import keys
from promises.models import SigningKey

MAX_KEY_FILE_BYTES = 256 * 1024


class SigningKeyForm(VersionedModelForm):
    key_file = forms.FileField(
        label=gettext_lazy("PKCS#12 file (.p12/.pfx)"), required=False,
        help_text=gettext_lazy("Leave empty to keep the current key."),
    )
    passphrase = forms.CharField(
        label=gettext_lazy("Passphrase"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = SigningKey
        fields = ["municipality", "police_area", "kind", "pkcs11_module", "pkcs11_token",
                  "pkcs11_key", "pkcs11_pin_variable"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("key_file")
        if cleaned.get("kind") == SigningKey.Kind.PKCS12:
            if upload is None and not self.instance.encrypted_pkcs12:
                self.add_error("key_file", _("Choose the key file."))
            elif upload is not None:
                if upload.size > MAX_KEY_FILE_BYTES:
                    self.add_error("key_file", _("A key file is a few kilobytes; this one is "
                                                 "too large."))
                else:
                    self.key_data = upload.read()
                    try:
                        keys.load_pkcs12(self.key_data, cleaned.get("passphrase") or "")
                    except keys.SigningKeyError as error:
                        self.add_error("passphrase", str(error))
        elif not cleaned.get("pkcs11_module"):
            self.add_error("pkcs11_module", _("Name the PKCS#11 module."))
        return cleaned


@admin.register(SigningKey)
class SigningKeyAdmin(RulesAdmin):
    form = SigningKeyForm
    list_display = ["organisation", "kind", "certificate_subject", "certificate_valid_until"]
    list_select_related = ["municipality", "police_area"]
    search_fields = ["municipality__name", "police_area__name", "certificate_subject"]
    autocomplete_fields = ["municipality", "police_area"]
    readonly_fields = ["certificate_subject", "certificate_valid_until"]

    def save_model(self, request, obj, form, change):
        data = getattr(form, "key_data", None)
        if data is not None:
            keys.save_pkcs12(obj, data, form.cleaned_data.get("passphrase") or "")
        else:
            super().save_model(request, obj, form, change)
