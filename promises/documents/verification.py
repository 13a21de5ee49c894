"""Recognise the portal's own PDFs, and check the signatures in any uploaded PDF against
the portal's own trust roots (signatures.py), in a child process with a time and memory limit."""

import dataclasses
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

@dataclasses.dataclass
class Verification:
    sha256: str
    document: Document | None
    signatures: list
    not_checked: int = 0  # signatures beyond the number examined

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
    document = (
        Document.objects.select_related("period__municipality", "period__police_area")
        .filter(sha256=digest).first()
    )
    return Verification(
        sha256=digest, document=document, signatures=check.signatures,
        not_checked=check.not_checked,
    )


def trust_roots():
    roots = []
    for name in settings.SIGNING_TRUST_ROOTS:
        path = Path(name)
        if path.is_file():
            roots.extend(load_certs_from_pemder([str(path)]))
    return roots


def read_signatures(data):
    """Check the signatures in the PDF in a child process, within the limits of
    signatures.py and the time and memory settings; raise UnreadablePdf for bytes that are
    no PDF, TooComplex for a PDF beyond a limit."""
    try:
        return isolation.run(
            signatures.read_signatures, data, [root.dump() for root in trust_roots()],
            seconds=settings.VERIFY_TIME_LIMIT_SECONDS,
            memory_bytes=settings.VERIFY_MEMORY_LIMIT_MB * 1024 * 1024,
        )
    except isolation.LimitExceeded as error:
        raise TooComplex(str(error)) from error
