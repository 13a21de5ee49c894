"""Recognise the portal's own PDFs and check the signatures in any uploaded PDF against
the portal's own trust roots."""

import dataclasses
import datetime
import io
from pathlib import Path

from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from promises.documents.storage import sha256_of
from promises.models import Document


@dataclasses.dataclass
class Verification:
    sha256: str
    document: Document | None
    signatures: list

    @property
    def is_known(self):
        return self.document is not None

    @property
    def ok(self):
        return self.is_known and all(signature.ok for signature in self.signatures)


def verify(data):
    """What the portal knows about these PDF bytes; raises UnreadablePdf."""
    signatures = read_signatures(data)
    digest = sha256_of(data)
    document = (
        Document.objects.select_related("period__municipality", "period__police_area")
        .filter(sha256=digest).first()
    )
    return Verification(sha256=digest, document=document, signatures=signatures)

def trust_roots():
    roots = []
    for name in settings.SIGNING_TRUST_ROOTS:
        path = Path(name)
        if path.is_file():
            roots.extend(load_certs_from_pemder([str(path)]))
    return roots


def validation_context():
    # No fetching: the portal answers from its own trust roots and never calls out.
    return ValidationContext(trust_roots=trust_roots(), allow_fetching=False)


@dataclasses.dataclass
class SignatureReport:
    field_name: str
    signer: str
    signed_at: datetime.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str
    docmdp_ok: bool | None
    certifying: bool

    @property
    def modified_after_signing(self):
        """True when something beyond the later signatures changed after this one."""
        return (
            self.docmdp_ok is False
            or self.modification_level not in {
                ModificationLevel.NONE.name, ModificationLevel.LTA_UPDATES.name,
                ModificationLevel.FORM_FILLING.name,
            }
        )

    @property
    def ok(self):
        return self.intact and self.valid and self.trusted and not self.modified_after_signing


class UnreadablePdf(Exception):
    """The bytes are not a PDF that can be read."""


def signer_name(certificate):
    """"Name (Organisation)" from a certificate subject, as a person would say it."""
    if certificate is None:
        return ""
    subject = certificate.subject.native
    name = subject.get("common_name") or certificate.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation else name


def read_signatures(data):
    """Validate every signature in the PDF; raise UnreadablePdf for bytes that are no PDF."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise UnreadablePdf("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:
        # Anyone may upload anything: whatever a broken file makes the parser raise, the
        # answer is "cannot be read", never a server error.
        raise UnreadablePdf(f"{type(error).__name__}: {error}") from error
    context = validation_context()
    return [report_on(signature, context) for signature in embedded]


def safely(read, fallback):
    """A value read from an uploaded signature, or `fallback` when the file's data breaks
    the parser (malformed dates, unknown permission levels, ...)."""
    try:
        return read()
    except Exception:
        return fallback


def report_on(signature, context):
    signer = safely(lambda: signer_name(signature.signer_cert), "")
    field_name = safely(lambda: signature.field_name, "")
    certifying = safely(lambda: signature.docmdp_level is not None, False)
    try:
        status = validate_pdf_signature(signature, context)
        timestamp = status.timestamp_validity.timestamp if status.timestamp_validity else None
        return SignatureReport(
            field_name=field_name,
            signer=signer,
            signed_at=timestamp or status.signer_reported_dt,
            intact=status.intact,
            valid=status.valid,
            trusted=status.trusted,
            coverage=status.coverage.name if status.coverage else "",
            modification_level=(
                status.modification_level.name if status.modification_level else "OTHER"
            ),
            docmdp_ok=status.docmdp_ok,
            certifying=certifying,
        )
    except Exception as error:  # an unreadable signature is reported, not a crash
        return SignatureReport(
            field_name=field_name, signer=signer,
            signed_at=safely(lambda: signature.self_reported_timestamp, None),
            intact=False, valid=False, trusted=False, coverage=str(error),
            modification_level="OTHER", docmdp_ok=False, certifying=False,
        )
