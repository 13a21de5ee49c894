"""How forms render their fields (settings.FORM_RENDERER).

Django ships every template of its forms twice, for its own template language and for
Jinja2. An admin change page of a period renders a few hundred labels, widgets and options,
each a template of its own, and in the Django template language they took about a third of
the page's time; Django's Jinja2 copies render the same markup several times faster. The
templates only the admin has (its widget wrappers, the date and time widgets) render
through the Django template language, as before.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()
        # Names Jinja2 has no template for, so each is looked for there only once.
        self.not_in_jinja2 = set()

    def get_template(self, template_name):
        if template_name not in self.not_in_jinja2:
            try:
                return self.jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self.not_in_jinja2.add(template_name)
        return self.django.get_template(template_name)
