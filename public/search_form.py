"""The search form: the words and the filters, read from the address (GET), so a search is
a link and works without JavaScript."""

import html

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from followup.models import Status
from municipalities.models import County, Municipality
from promises.models import Party
from public.search import Filters

ANY = [("", _("Any"))]


class SearchForm(forms.Form):
    municipality = forms.ChoiceField(
        label=_("Municipality"), required=False,
        error_messages={"invalid_choice": _("There is no municipality “%(value)s”. "
                                            "Choose one from the list.")},
    )
    county = forms.ChoiceField(
        label=_("County"), required=False,
        error_messages={"invalid_choice": _("There is no county “%(value)s”. "
                                            "Choose one from the list.")},
    )
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=2000, max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("The year is a number such as 2024."),
            "min_value": _("The year is a number between 2000 and 2100."),
            "max_value": _("The year is a number between 2000 and 2100."),
        },
    )
    party = forms.ChoiceField(
        label=_("Who promises"), required=False, choices=ANY + Party.choices,
        error_messages={"invalid_choice": _("Choose who promises from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Latest status"), required=False, choices=ANY + Status.choices,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )

    def __init__(self, data):
        super().__init__(data)
        self.municipalities = self.counties = None
        if any(data.get(name) for name in ("municipality", "county")):
            self.load_places()

    def load_places(self):
        """The municipalities and counties to choose from: read when one is chosen (to
        check it) or the lists are written, not for every search (public/site_pages.py
        keeps the lists as written, for a search without filters)."""
        if self.municipalities is not None:
            return
        # One query each; the chosen value is then looked up in the same rows.
        self.municipalities = {
            slug: (pk, name) for pk, slug, name in
            Municipality.objects.order_by("name").values_list("pk", "slug", "name")
        }
        self.counties = {
            code: (pk, name) for pk, code, name in
            County.objects.order_by("name").values_list("pk", "code", "name")
        }
        self.fields["municipality"].choices = ANY + [
            (slug, name) for slug, (_pk, name) in self.municipalities.items()
        ]
        self.fields["county"].choices = ANY + [
            (code, name) for code, (_pk, name) in self.counties.items()
        ]

    def fields_and_options(self):
        """[(bound field, its <option>s or None)]: the options of the lists are written
        here, not by the widget's templates or a template loop, which took most of the
        page's time with 290 municipalities."""
        self.load_places()
        return [
            (field, options(field) if isinstance(field.field, forms.ChoiceField) else None)
            for field in self
        ]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self.fields[name].widget.attrs.update({
                "aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error",
            })

    def filters(self):
        data = self.cleaned_data
        return Filters(
            municipality=self.municipalities[data["municipality"]][0]
            if data["municipality"] else None,
            county=self.counties[data["county"]][0] if data["county"] else None,
            year=data["year"],
            party=data["party"],
            status=data["status"],
        )

    def is_filtered(self):
        return any(self.cleaned_data.get(name) for name in self.fields)


def options(field):
    chosen = str(field.value() or "")
    # Every value and label is escaped here (as Django's escape does, without its cost of
    # accepting lazy strings: 290 times a page).
    return mark_safe("".join(  # noqa: S308
        f'<option value="{html.escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
        f"{html.escape(str(label))}</option>"
        for value, label in field.field.choices
    ))
