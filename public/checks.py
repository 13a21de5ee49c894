"""Deployment checks for the public site: the privacy page must say who runs the portal."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def privacy_page_names_the_operator(app_configs, **kwargs):
    missing = [
        name for name in ("PORTAL_OPERATOR", "PORTAL_CONTACT_EMAIL", "PRIVACY_CONTROLLER")
        if not getattr(settings, name, "")
    ]
    if not missing:
        return []
    return [checks.Warning(
        f"{', '.join(missing)} not set: the privacy page (/integritet/) and the e-mail to "
        "subscribers must name who runs the portal, who is responsible for the addresses "
        "and how to reach them.",
        hint="Set them in the environment (README.md, Configuration).",
        id="public.W001",
    )]
