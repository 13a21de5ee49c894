"""Read and check the signatures in an uploaded PDF with pyHanko, within fixed limits on how
much of the file is looked at. Plain Python with no Django, so it can run in a child process
(isolation.py)."""

import bisect
import dataclasses
import datetime
import io

from asn1crypto import x509
from pyhanko.pdf_utils import filters, generic  # noqa: F401 (filters: see below)
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.metadata import xmp_xml  # noqa: F401 (see below)
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

# pyHanko imports the stream filters and the XMP reader (lxml) when it first needs them;
# imported here, they are loaded once in the fork server, not in every checking child.

MiB = 1024 * 1024

# The portal's own documents are far inside every limit below: four revisions, about 250
# objects, two signature fields, nothing nested. Each limit bounds one way a small upload
# could make the check slow or large; a file beyond one is not checked (TooComplex).
MAX_SIGNATURES = 4  # signatures examined; the portal issues two
MAX_REVISIONS = 16  # each signature's check compares every later revision
MAX_OBJECTS = 50_000  # reading the cross-reference sections costs ~15-30 µs per entry
MAX_OBJECT_BYTES = MiB // 4  # one object's syntax (stream data aside) is parsed whole
MAX_LATER_BYTES = 512 * 1024  # syntax added after a signature, which its check compares
MAX_FIELDS = 500  # distinct form fields walked
MAX_FIELD_DEPTH = 16  # form fields nested in each other
DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_output_size=32 * MiB),
    per_purpose={
        **DEFAULT_PURPOSE_LIMITS,
        DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(
            max_ratio=100, ratio_floor=1 * MiB, max_output_size=8 * MiB
        ),
        # Entries are 5 to 10 bytes: this holds MAX_OBJECTS, and no more work than that.
        DecodePurpose.XREF_STREAM: StreamDecodeLimits(max_ratio=None, max_output_size=MiB // 2),
    },
    document_budget=DocumentDecodeBudget(base_allowance=64 * MiB, max_ratio=1),
)
# Classic cross-reference entries are 20 bytes and end in one of these; pyHanko reads them
# all before anything else can be looked at, so they are counted in the raw bytes first.
XREF_ENTRY_ENDINGS = (b" n\r\n", b" n \n", b" n \r", b" f\r\n", b" f \n", b" f \r")


class UnreadablePdf(Exception):
    """The bytes are not a PDF that can be read."""


class TooComplex(UnreadablePdf):
    """The PDF goes beyond a limit on the work its check may take (the reason says which)."""


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


class BoundedReader(PdfFileReader):
    """pyHanko's reader, reading each object stream's index once. pyHanko 0.38 reads the
    index from the start for every object it looks up, so a stream of n objects costs n²."""

    def __init__(self, stream):
        super().__init__(stream, strict=False, decode_limits=DECODE_LIMITS)
        self._object_streams = {}

    def object_stream(self, number):
        """The decoded object stream and where each of its objects starts."""
        if number not in self._object_streams:
            stream = generic.Reference(number, 0, self).get_object()
            if not isinstance(stream, generic.StreamObject) or stream.get("/Type") != "/ObjStm":
                raise PdfReadError(f"object {number} is not an object stream")
            count, first = int(stream["/N"]), int(stream["/First"])
            if not 0 <= count <= MAX_OBJECTS:
                raise TooComplex(f"object stream {number} holds {count} objects")
            content = stream.read_data(DecodePurpose.OBJECT_STREAM)
            numbers = content[:first].split()[: 2 * count]
            if not all(value.isdigit() for value in numbers):
                raise PdfReadError(f"object stream {number} has a damaged index")
            starts = {}
            for idnum, offset in zip(numbers[0::2], numbers[1::2], strict=True):
                starts.setdefault(int(idnum), first + int(offset))
            ends = sorted(starts.values()) + [len(content)]
            if any(end - start > MAX_OBJECT_BYTES for start, end in zip(ends, ends[1:])):
                raise TooComplex(f"object stream {number} holds an object over the size limit")
            self._object_streams[number] = (content, starts, count)
        return self._object_streams[number]

    def _get_object_from_stream(self, idnum, stmnum, idx):
        # As pyHanko does when not strict: what cannot be found or read is null.
        content, starts, count = self.object_stream(stmnum)
        if idnum not in starts or not 0 <= idx < count:
            return generic.NullObject()
        data = io.BytesIO(content)
        data.seek(starts[idnum])
        try:
            return generic.read_object(data, generic.Reference(idnum, 0, self))
        except PdfReadError:
            return generic.NullObject()


def check_size(data):
    """Refuse files with more cross-reference entries than MAX_OBJECTS before pyHanko reads
    them (it reads every table at once, before any other limit can be applied)."""
    entries = sum(data.count(ending) for ending in XREF_ENTRY_ENDINGS)
    if entries > MAX_OBJECTS:
        raise TooComplex(f"about {entries} cross-reference entries")


def check_structure(reader, data):
    """Refuse files with too many revisions or objects, or an object over MAX_OBJECT_BYTES."""
    xrefs = reader.xrefs
    if xrefs.total_revisions > MAX_REVISIONS:
        raise TooComplex(f"{xrefs.total_revisions} revisions")
    offsets, boundaries, streams, entries = set(), {len(data)}, set(), 0
    for revision in range(xrefs.total_revisions):
        sections = [xrefs.get_xref_data(revision)]
        if sections[0].hybrid is not None:
            sections.append(sections[0].hybrid.xref_data)
        for section in sections:
            entries += len(section.standard_xrefs) + len(section.xrefs_in_objstm)
            offsets.update(offset for _, offset in section.standard_xrefs.values())
            streams.update(section.obj_streams_used)
        boundaries.add(xrefs.get_xref_container_info(revision).start_location)
    if entries > MAX_OBJECTS:
        raise TooComplex(f"{entries} objects")
    ends = sorted(offsets | boundaries)
    for start, end in zip(ends, ends[1:]):
        # A stream's data may be any size, but the dictionary before it is parsed whole.
        if start in offsets and end - start > MAX_OBJECT_BYTES and (
            data.find(b"stream", start, start + MAX_OBJECT_BYTES) < 0
        ):
            raise TooComplex(f"an object of {end - start} bytes at {start}")
    for number in sorted(streams):
        reader.object_stream(number)


def check_later_updates(reader, data, revision):
    """Refuse files with more than MAX_LATER_BYTES of PDF syntax (stream data aside) added
    after `revision`: checking a signature parses everything added after it."""
    xrefs, ends = reader.xrefs, set()
    for number in range(xrefs.total_revisions):
        ends.update(offset for _, offset in xrefs.get_xref_data(number).standard_xrefs.values())
        ends.add(xrefs.get_xref_container_info(number).start_location)
    ends = sorted(ends | {len(data)})
    total = 0
    for number in range(revision + 1, xrefs.total_revisions):
        section = xrefs.get_xref_data(number)
        for _, start in section.standard_xrefs.values():
            end = ends[bisect.bisect_right(ends, start)]
            stream = data.find(b"stream", start, end)
            total += (stream if stream >= 0 else end) - start
        total += sum(
            len(reader.object_stream(stream)[0]) for stream in section.obj_streams_used
        )
    if total > MAX_LATER_BYTES:
        raise TooComplex(f"{total} bytes added after the first signature")


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
    check_size(data)
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
