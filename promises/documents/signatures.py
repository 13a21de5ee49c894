"""Read and check the signatures in an uploaded PDF with pyHanko, each field and signature
once and within the limits of pdf_limits.py. Plain Python with no Django, so it can run in
a child process (isolation.py)."""

import dataclasses
import datetime
import io

from asn1crypto import x509

# pyHanko imports the stream filters and the XMP reader (lxml) when it first needs them;
# imported here, they are loaded once in the fork server, not in every checking child.
from pyhanko.pdf_utils import filters  # noqa: F401
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata import xmp_xml  # noqa: F401
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from promises.documents.pdf_limits import (
    MAX_FIELD_DEPTH,
    MAX_FIELDS,
    BoundedReader,
    TooComplex,
    UnreadablePdf,
    check_cross_reference_entries,
    check_later_updates,
    check_structure,
)

MAX_SIGNATURES = 4  # signatures examined; the portal issues two


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


@dataclasses.dataclass
class SignatureCheck:
    signatures: list[SignatureReport]
    not_checked: int = 0  # signatures beyond MAX_SIGNATURES
    duplicates: int = 0  # fields or signatures listed again, looked at once


def signature_fields(reader):
    """The filled signature fields as (name, field reference), each field and each
    signature once, and how many repeats were left out. Walks the form iteratively, so
    no nesting or cycle can recurse."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except (KeyError, TypeError):
        return [], 0
    found, seen, signatures, duplicates = [], set(), set(), 0
    pending = [(fields, "", None, 1)]
    while pending:
        kids, parent_name, parent_type, depth = pending.pop()
        if not isinstance(kids, generic.ArrayObject):
            continue
        if depth > MAX_FIELD_DEPTH:
            raise TooComplex(f"form fields nested over {MAX_FIELD_DEPTH} deep")
        nested = []
        for index in range(len(kids)):
            entry = kids.raw_get(index)
            if not isinstance(entry, generic.IndirectObject):
                continue
            if entry.reference in seen:
                duplicates += 1
                continue
            seen.add(entry.reference)
            if len(seen) > MAX_FIELDS:
                raise TooComplex(f"over {MAX_FIELDS} form fields")
            field = entry.get_object()
            if not isinstance(field, generic.DictionaryObject) or "/T" not in field:
                continue
            name = f"{parent_name}.{field['/T']}" if parent_name else str(field["/T"])
            field_type = field.get("/FT", parent_type)
            value = field.raw_get("/V") if "/V" in field else None
            if field_type == "/Sig" and isinstance(value, generic.IndirectObject):
                if value.reference in signatures:
                    duplicates += 1
                else:
                    signatures.add(value.reference)
                    found.append((name, entry))
            if "/Kids" in field:
                nested.append((field["/Kids"], name, field_type, depth + 1))
        pending.extend(reversed(nested))
    return found, duplicates


def safely(read, fallback):
    """A value read from an uploaded signature, or `fallback` when the file's data breaks
    the parser (malformed dates, unknown permission levels, ...)."""
    try:
        return read()
    except Exception:
        return fallback


def signer_name(certificate):
    """"Name (Organisation)" from a certificate subject, as a person would say it."""
    if certificate is None:
        return ""
    subject = certificate.subject.native
    name = subject.get("common_name") or certificate.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation else name


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
    except MemoryError:
        raise
    except Exception as error:  # an unreadable signature is reported, not a crash
        return SignatureReport(
            field_name=field_name, signer=signer,
            signed_at=safely(lambda: signature.self_reported_timestamp, None),
            intact=False, valid=False, trusted=False, coverage=str(error),
            modification_level="OTHER", docmdp_ok=False, certifying=False,
        )


def embedded_signatures(reader):
    """The signatures to examine, oldest first as pyHanko orders them: at most
    MAX_SIGNATURES, with the number left unexamined and the repeats left out."""
    found, duplicates = signature_fields(reader)
    found.sort(key=lambda item: reader.xrefs.get_last_change(
        item[1].get_object().raw_get("/V").reference
    ))
    examined = []
    for name, field in found[:MAX_SIGNATURES]:
        subfilter = field.get_object()["/V"].get("/SubFilter")
        # pyHanko leaves out signatures of a kind it does not know.
        if subfilter in {kind.value for kind in SigSeedSubFilter}:
            examined.append(EmbeddedPdfSignature(reader, field, name))
    return examined, max(0, len(found) - MAX_SIGNATURES), duplicates


def read_signatures(data, trust_roots=()):
    """Check every signature in the PDF against the trust roots (DER certificates), within
    the limits above; raise UnreadablePdf for bytes that are no PDF, TooComplex (one) for a
    PDF beyond a limit."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise UnreadablePdf("not a PDF")
    check_cross_reference_entries(data)
    try:
        reader = BoundedReader(io.BytesIO(data))
        check_structure(reader, data)
        examined, not_checked, duplicates = embedded_signatures(reader)
        if examined:
            check_later_updates(
                reader, data, min(signature.signed_revision for signature in examined)
            )
    except (TooComplex, MemoryError):
        raise
    except PdfDecodeLimitError as error:
        raise TooComplex(str(error)) from error
    except RecursionError as error:
        raise TooComplex("objects nested too deep") from error
    except Exception as error:
        # Anyone may upload anything: whatever a broken file makes the parser raise, the
        # answer is "cannot be read", never a server error.
        raise UnreadablePdf(f"{type(error).__name__}: {error}") from error
    # No fetching: the portal answers from its own trust roots and never calls out.
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(root) for root in trust_roots],
        allow_fetching=False,
    )
    return SignatureCheck(
        signatures=[report_on(signature, context) for signature in examined],
        not_checked=not_checked,
        duplicates=duplicates,
    )
