"""How much of an uploaded PDF the verification page reads: limits on its structure,
checked before any signature is, and a pyHanko reader that keeps to them. Plain Python
with no Django, like signatures.py that uses it."""

import bisect
import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

MiB = 1024 * 1024

# The portal's own documents are far inside every limit below: four revisions, about 250
# objects, two signature fields, nothing nested. Each limit bounds one way a small upload
# could make the check slow or large; a file beyond one is not checked (TooComplex).
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


def check_cross_reference_entries(data):
    """Refuse files with more cross-reference entries than MAX_OBJECTS before pyHanko reads
    them (it reads every table at once, before any other limit can be applied)."""
    entries = sum(data.count(ending) for ending in XREF_ENTRY_ENDINGS)
    if entries > MAX_OBJECTS:
        raise TooComplex(f"about {entries} cross-reference entries")


def object_boundaries(xrefs, data):
    """Where each object of every revision starts, and the sorted places where one object
    may end: the next object, a cross-reference section or the end of the file."""
    starts, ends = set(), {len(data)}
    for revision in range(xrefs.total_revisions):
        starts.update(offset for _, offset in standard_entries(xrefs, revision))
        ends.add(xrefs.get_xref_container_info(revision).start_location)
    return starts, sorted(starts | ends)


def standard_entries(xrefs, revision):
    """(generation, offset) of each object a revision stores outside object streams."""
    section = xrefs.get_xref_data(revision)
    yield from section.standard_xrefs.values()
    if section.hybrid is not None:
        yield from section.hybrid.xref_data.standard_xrefs.values()


def syntax_bytes(data, start, end):
    """Bytes of PDF syntax in the object at `start`: all of it, or a stream's dictionary."""
    stream = data.find(b"stream", start, min(end, start + MAX_OBJECT_BYTES + 1))
    return (stream if stream >= 0 else end) - start


def check_structure(reader, data):
    """Refuse files with too many revisions or objects, or an object over MAX_OBJECT_BYTES."""
    xrefs = reader.xrefs
    if xrefs.total_revisions > MAX_REVISIONS:
        raise TooComplex(f"{xrefs.total_revisions} revisions")
    entries, streams = 0, set()
    for revision in range(xrefs.total_revisions):
        section = xrefs.get_xref_data(revision)
        for part in (section, section.hybrid.xref_data if section.hybrid else None):
            if part is not None:
                entries += len(part.standard_xrefs) + len(part.xrefs_in_objstm)
                streams.update(part.obj_streams_used)
    if entries > MAX_OBJECTS:
        raise TooComplex(f"{entries} objects")
    starts, ends = object_boundaries(xrefs, data)
    for start, end in zip(ends, ends[1:]):
        if start in starts and syntax_bytes(data, start, end) > MAX_OBJECT_BYTES:
            raise TooComplex(f"an object of {end - start} bytes at {start}")
    for number in sorted(streams):
        reader.object_stream(number)


def check_later_updates(reader, data, revision):
    """Refuse files with more than MAX_LATER_BYTES of PDF syntax (stream data aside) added
    after `revision`: checking a signature parses everything added after it."""
    xrefs = reader.xrefs
    _, ends = object_boundaries(xrefs, data)
    total = 0
    for number in range(revision + 1, xrefs.total_revisions):
        for _, start in standard_entries(xrefs, number):
            total += syntax_bytes(data, start, ends[bisect.bisect_right(ends, start)])
        total += sum(
            len(reader.object_stream(stream)[0])
            for stream in xrefs.get_xref_data(number).obj_streams_used
        )
    if total > MAX_LATER_BYTES:
        raise TooComplex(f"{total} bytes added after the first signature")
