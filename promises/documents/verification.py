"""Recognise the portal's published PDFs, and check the signatures in any uploaded PDF against
the portal's own trust roots (signatures.py), in a child process with a time and memory limit."""

import dataclasses
import datetime
from pathlib import Path

from django.conf import settings
from pyhanko.keys import load_certs_from_pemder

from promises.documents import isolation, signatures
from promises.documents.signatures import (  # noqa: F401 (the names callers use)
    SignatureReport,
    TooComplex,
    UnreadablePdf,
)
from promises.documents.storage import sha256_of
from promises.models import Document
from promises.publishing import Publishable



@dataclasses.dataclass
class Verification:
    sha256: str
    # The stored document with exactly these bytes, only if it has been public: the page
    # never vouches for a draft, nor tells a draft from any other file.
    document: Document | None
    signatures: list
    not_checked: int = 0  # signatures beyond the number examined
    # The period as it is, or as it was when last public (never its unpublished edits).
    title: str = ""
    municipality: str = ""
    police_area: str = ""
    withdrawn_at: datetime.datetime | None = None  # when its period left the public site

    @property
    def is_known(self):
        return self.document is not None

    @property
    def ok(self):
        return (
            self.is_known and not self.not_checked
            and all(signature.ok for signature in self.signatures)
        )


def verify(data):
    """What the portal knows about these PDF bytes; raises UnreadablePdf (or TooComplex)."""
    check = read_signatures(data)
    digest = sha256_of(data)
    result = Verification(
        sha256=digest, document=None, signatures=check.signatures,
        not_checked=check.not_checked,
    )
    document = (
        Document.objects.select_related("period__police_area", "agreement__police_area")
        .filter(sha256=digest).first()
    )
    if document is None:
        return result
    owner = document.owner
    if owner.is_published:
        shown = owner
    else:
        shown, result.withdrawn_at = publication_history(owner)
        # Never public: a draft's file, or one made after it was withdrawn.
        if shown is None or document.created_at > result.withdrawn_at:
            result.withdrawn_at = None
            return result
    result.document = document
    result.title = shown.title
    result.municipality = owner.municipality_names()
    result.police_area = owner.police_area.name
    return result


def publication_history(owner):
    """The owner's history record from when it was last public, and when it was withdrawn
    after that; (None, None) when it was never public."""
    last_public = (
        owner.history.filter(status=Publishable.Status.PUBLISHED)
        .order_by("-history_date", "-history_id").first()
    )
    if last_public is None:
        return None, None
    return last_public, owner.unpublished_at or owner.updated_at


def trust_roots():
    roots = []
    for name in settings.SIGNING_TRUST_ROOTS:
        path = Path(name)
        if path.is_file():
            roots.extend(load_certs_from_pemder([str(path)]))
    return roots


def read_signatures(data):
    """Check the signatures in the PDF in a child process, within the limits of
    pdf_limits.py and the time and memory settings; raise UnreadablePdf for bytes that are
    no PDF, TooComplex for a PDF beyond a limit."""
    try:
        return isolation.run(
            signatures.read_signatures, data, [root.dump() for root in trust_roots()],
            seconds=settings.VERIFY_TIME_LIMIT_SECONDS,
            memory_bytes=settings.VERIFY_MEMORY_LIMIT_MB * 1024 * 1024,
        )
    except isolation.LimitExceeded as error:
        raise TooComplex(str(error)) from error
