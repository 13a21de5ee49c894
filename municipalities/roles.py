"""The roles a membership gives, and the scope an object is judged by. Kept apart from the
models so the rules and querysets can use them while the models import those."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "admin", _("National administrator")
    COORDINATOR = "coordinator", _("Municipal coordinator")
    LEAD_COORDINATOR = "lead", _("Lead coordinator")
    POLICE = "police", _("Police coordinator")
    PUBLISHER = "publisher", _("Publisher")
    SIGNER = "signer", _("Signer")
    REVIEWER = "reviewer", _("Reviewer")


# Who counts as what. Every rule names one of these sets, never a bare role string.
EDITORS = frozenset({Role.COORDINATOR, Role.LEAD_COORDINATOR})
POLICE_EDITORS = frozenset({Role.POLICE})
PUBLISHERS = frozenset({Role.PUBLISHER})
SIGNERS = frozenset({Role.SIGNER})
LEADS = frozenset({Role.LEAD_COORDINATOR})
ANY_ROLE = frozenset(Role) - {Role.NATIONAL_ADMIN}


@dataclass(frozen=True)
class Scope:
    """Which municipalities and police areas an object belongs to: what memberships are
    matched against (municipalities/rules.py). Every scoped model offers `scope()`."""

    municipalities: frozenset = frozenset()
    police_areas: frozenset = frozenset()
