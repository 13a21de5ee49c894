"""Moved to tests/factories.py; this name stays for branches that still import it here."""

from tests.factories import form_fields, make_member, other_period

__all__ = ["form_fields", "make_member", "other_period"]
