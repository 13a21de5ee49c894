"""Stored PDFs: each file is kept once with its SHA-256 and served byte for byte from then
on. A period's or agreement's document is issued in versions; each signature adds a new
stored state of the same version (one more signature than the state before)."""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile

from promises.models import Agreement, Document


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


def owner_fields(owner):
    """The Document fields that name a period or an agreement, and its kind."""
    if isinstance(owner, Agreement):
        return {"agreement": owner}, Document.Kind.AGREEMENT
    return {"period": owner}, Document.Kind.PERIOD


def store(*, owner, kind, version, data, by, signature_count=0, signatory=None,
          signed_for="", year=None, tertial=None):
    fields, _kind = owner_fields(owner)
    document = Document(
        **fields, kind=kind, version=version, signature_count=signature_count,
        signatory=signatory, signed_by=by if signatory is not None else None,
        signed_for=signed_for, year=year, tertial=tertial,
        sha256=sha256_of(data), size=len(data), created_by=by,
    )
    document.file.save(document.sha256 + ".pdf", ContentFile(data), save=False)
    document.save()
    return document


def read(document):
    with document.file.open("rb") as handle:
        return handle.read()


def issued(owner):
    """Every stored state of the owner's own document (not its tertial reports)."""
    fields, kind = owner_fields(owner)
    return Document.objects.filter(**fields, kind=kind)


@dataclass
class SignedState:
    """The newest version of a document, at its most-signed state."""

    document: Document
    signed: list  # the signatories whose signature it carries, in signing order
    superseded: bool  # the text changed after this version was made

    @property
    def version(self):
        return self.document.version


def newest_state(owner):
    """The most-signed state of the newest version, with who signed it, or None."""
    states = list(
        issued(owner).select_related("signatory").order_by("-version", "signature_count")
    )
    if not states:
        return None
    newest = [state for state in states if state.version == states[0].version]
    changed = getattr(owner, "content_changed_at", None)
    first = newest[0]
    return SignedState(
        document=newest[-1],
        signed=[state.signatory for state in newest if state.signatory_id],
        superseded=bool(changed and changed > first.created_at),
    )
