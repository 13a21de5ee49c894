"""Hostile PDFs for the verification page, each made from a genuine signed document the way
an attacker would: appended incremental updates written byte by byte. Shared by the tests
and bench/verify_corpus.py."""

import io
import zlib

from pyhanko.pdf_utils.reader import PdfFileReader

MILLION = 1_000_000


def _reader(data):
    return PdfFileReader(io.BytesIO(data), strict=False)


def serialise(obj):
    out = io.BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def reference(obj):
    return b"%d %d R" % (obj.idnum, obj.generation)


def append_updates(data, updates):
    """Append one incremental update per {object number: body} in `updates`, each with a
    classic cross-reference table pointing back at the one before."""
    reader = _reader(data)
    size = int(reader.trailer["/Size"])
    root = reference(reader.trailer.raw_get("/Root"))
    prev = reader.last_startxref
    out = io.BytesIO()
    out.write(data if data.endswith(b"\n") else data + b"\n")
    for objects in updates:
        offsets = {}
        for number, body in sorted(objects.items()):
            offsets[number] = out.tell()
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        size = max(size, max(objects) + 1)
        xref = out.tell()
        out.write(b"xref\n")
        for number, offset in offsets.items():
            out.write(b"%d 1\n%010d 00000 n\r\n" % (number, offset))
        out.write(
            b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, root, prev, xref)
        )
        prev = xref
    return out.getvalue()


def append_object_stream_update(data, objects, *, packed, filters=(b"/FlateDecode",)):
    """Append an update whose objects live in one object stream, indexed by a
    cross-reference stream; `packed` turns the stream's decoded bytes into its stored ones."""
    reader = _reader(data)
    size = int(reader.trailer["/Size"])
    stream_number, xref_number = size, size + 1
    header, bodies, offset = [], [], 0
    for number, body in sorted(objects.items()):
        header.append(b"%d %d" % (number, offset))
        bodies.append(body + b"\n")
        offset += len(body) + 1
    header = b" ".join(header) + b"\n"
    stored = packed(header + b"".join(bodies))
    out = io.BytesIO()
    out.write(data if data.endswith(b"\n") else data + b"\n")
    stream_at = out.tell()
    filter_names = b"[" + b" ".join(filters) + b"]"
    out.write(
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n"
        % (stream_number, len(objects), len(header), filter_names, len(stored))
    )
    out.write(stored + b"\nendstream\nendobj\n")
    xref_at = out.tell()
    entries = {stream_number: (1, stream_at, 0), xref_number: (1, xref_at, 0)}
    for index, number in enumerate(sorted(objects)):
        entries[number] = (2, stream_number, index)
    rows = b"".join(
        entries[number][0].to_bytes(1, "big") + entries[number][1].to_bytes(4, "big")
        + entries[number][2].to_bytes(4, "big")
        for number in sorted(entries)
    )
    index = b" ".join(b"%d 1" % number for number in sorted(entries))
    out.write(
        b"%d 0 obj\n<< /Type /XRef /W [1 4 4] /Index [%s] /Size %d /Root %s /Prev %d "
        b"/Length %d >>\nstream\n"
        % (xref_number, index, xref_number + 1, reference(reader.trailer.raw_get("/Root")),
           reader.last_startxref, len(rows))
    )
    out.write(rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def _form(data):
    """The AcroForm's object number and the references in its field list."""
    reader = _reader(data)
    form_ref = reader.root.raw_get("/AcroForm")
    fields = form_ref.get_object().raw_get("/Fields")
    if hasattr(fields, "get_object"):
        fields = fields.get_object()
    return reader, form_ref.idnum, [fields.raw_get(i) for i in range(len(fields))]


def with_fields(data, extra, objects=None):
    """An update that appends `extra` (raw reference bytes) to the form's field list."""
    reader, form_number, fields = _form(data)
    listed = b" ".join(reference(field) for field in fields) + b" " + extra
    objects = dict(objects or {})
    objects[form_number] = b"<< /Fields [%s] /SigFlags 3 >>" % listed
    return objects


def duplicate_fields(data, count=1000):
    """The first signature field listed `count` more times in the form's field list."""
    _, _, fields = _form(data)
    return append_updates(data, [with_fields(data, (reference(fields[0]) + b" ") * count)])


def many_signatures(data, count=300):
    """`count` more signature fields, each with its own copy of the last signature."""
    reader, _, fields = _form(data)
    field = fields[-1].get_object()
    signature = serialise(field["/V"])
    size = int(reader.trailer["/Size"])
    objects, extra = {}, []
    for n in range(count):
        field_number, signature_number = size + 2 * n, size + 2 * n + 1
        objects[signature_number] = signature
        objects[field_number] = (
            b"<< /FT /Sig /T (Kopia %d) /V %d 0 R >>" % (n, signature_number)
        )
        extra.append(b"%d 0 R" % field_number)
    return append_updates(data, [with_fields(data, b" ".join(extra), objects)])


def deep_field_nesting(data, depth=10_000):
    """A chain of `depth` fields, each the only kid of the one before, ending in a copy of
    the last signature field."""
    reader, _, fields = _form(data)
    size = int(reader.trailer["/Size"])
    leaf = fields[-1].get_object()
    objects = {}
    for level in range(depth):
        objects[size + level] = b"<< /T (n%d) /Kids [%d 0 R] >>" % (level, size + level + 1)
    objects[size + depth] = b"<< /FT /Sig /T (leaf) /V %s >>" % reference(leaf.raw_get("/V"))
    return append_updates(data, [with_fields(data, b"%d 0 R" % size, objects)])


def deep_array_nesting(data, depth=100_000):
    """A field whose kids are an array nested `depth` arrays deep."""
    reader, _, _ = _form(data)
    number = int(reader.trailer["/Size"])
    nested = b"[" * depth + b"]" * depth
    objects = {number: b"<< /T (deep) /FT /Sig /Kids %s >>" % nested}
    return append_updates(data, [with_fields(data, b"%d 0 R" % number, objects)])


def deflated_with_padding(content, size, chunk=1 << 20):
    """`content` followed by spaces up to `size` bytes, deflated, without ever holding the
    spaces: after a full flush deflate starts afresh, so every chunk compresses alike."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(content) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = b" " * chunk
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = max(1, (size - len(content)) // chunk)
    checksum = zlib.adler32(content)
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    return (
        b"\x78\xda" + head + repeated * count + compressor.flush()
        + checksum.to_bytes(4, "big")
    )


def object_stream_bomb(data, decoded_size=256 * 1024 * 1024):
    """The form moved into an object stream that inflates to `decoded_size` bytes."""
    return append_object_stream_update(
        data, with_fields(data, b""),
        packed=lambda content: deflated_with_padding(content, decoded_size),
    )


def double_deflate_bomb(data, decoded_size=1024 * 1024 * 1024):
    """The same, deflated twice: a few kilobytes that would inflate to `decoded_size`."""
    return append_object_stream_update(
        data, with_fields(data, b""),
        packed=lambda content: zlib.compress(deflated_with_padding(content, decoded_size), 9),
        filters=(b"/FlateDecode", b"/FlateDecode"),
    )


def crowded_object_stream(data, count=20_000):
    """An object stream of `count` signature fields, all listed in the form: each lookup
    in an object stream reads its index from the start."""
    reader, form_number, fields = _form(data)
    size = int(reader.trailer["/Size"])
    signature = reference(fields[-1].get_object().raw_get("/V"))
    objects = {
        size + 2 + n: b"<< /FT /Sig /T (f%d) /V %s >>" % (n, signature) for n in range(count)
    }
    listed = b" ".join(reference(field) for field in fields) + b" " + b" ".join(
        b"%d 0 R" % number for number in reversed(objects)
    )
    objects[form_number] = b"<< /Fields [%s] /SigFlags 3 >>" % listed
    return append_object_stream_update(data, objects, packed=zlib.compress)


def many_updates(data, count=1000):
    """`count` incremental updates after the signatures, each rewriting the document
    information."""
    reader = _reader(data)
    info = reader.trailer.raw_get("/Info").idnum
    return append_updates(
        data, [{info: b"<< /Producer (update %d) >>" % n} for n in range(count)]
    )


def long_cross_reference_table(data, count=MILLION):
    """One update whose cross-reference table lists `count` objects (all at one place)."""
    reader = _reader(data)
    size = int(reader.trailer["/Size"])
    out = io.BytesIO()
    out.write(data if data.endswith(b"\n") else data + b"\n")
    offset = out.tell()
    out.write(b"%d 0 obj\n<< >>\nendobj\n" % size)
    xref = out.tell()
    out.write(b"xref\n%d %d\n" % (size, count) + b"%010d 00000 n\r\n" % offset * count)
    out.write(
        b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (size + count, reference(reader.trailer.raw_get("/Root")), reader.last_startxref,
           xref)
    )
    return out.getvalue()


def revision(data, number):
    """The file as it was at revision `number` (0 is the first)."""
    reader = _reader(data)
    end = reader.xrefs.get_xref_container_info(number).end_location
    return data[: data.index(b"%%EOF", end) + len(b"%%EOF")] + b"\n"


def self_made_signer(common_name):
    """A signer whose certificate and CA look like the demo ones but were made here."""
    from asn1crypto import keys, x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from promises.management.commands.create_demo_signing_keys import certificate, name

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name("Medborgarlöften DEMO CA")
    ca = certificate(subject=ca_name, issuer=ca_name, public_key=ca_key.public_key(),
                     signing_key=ca_key, is_ca=True, days=30)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(subject=name(common_name), issuer=ca_name, public_key=key.public_key(),
                       signing_key=ca_key, is_ca=False, days=30)

    def der(certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    registry = SimpleCertificateStore()
    registry.register(der(ca))
    return signers.SimpleSigner(
        signing_cert=der(cert),
        signing_key=keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )),
        cert_registry=registry,
    )


def resigned_with_self_made_certificate(data):
    """The unsigned document under the genuine signatures, signed again in both fields by
    look-alike certificates from a self-made CA."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signers_named = {"police": "Lokalpolisområde (DEMO)", "municipality": "Kommunen (DEMO)"}
    reader = _reader(data)
    first = min(signature.signed_revision for signature in reader.embedded_signatures)
    document = revision(data, first - 1)
    names = [name for name, _, _ in fields.enumerate_sig_fields(_reader(document))]
    for field_name, party, certify in zip(
        names, ("police", "municipality"), (True, False), strict=False
    ):
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm="sha256", certify=certify,
            subfilter=fields.SigSeedSubFilter.PADES,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(document), strict=False)
        document = signers.PdfSigner(
            metadata, signer=self_made_signer(signers_named[party])
        ).sign_pdf(writer, existing_fields_only=True).getvalue()
    return document


CORPUS = {
    "duplicate fields ×1 000": duplicate_fields,
    "duplicate fields ×1 000 000": lambda data: duplicate_fields(data, MILLION),
    "300 copies of a signature": many_signatures,
    "fields nested 10 000 deep": deep_field_nesting,
    "arrays nested 100 000 deep": deep_array_nesting,
    "object stream inflating to 256 MB": object_stream_bomb,
    "object stream deflated twice, 1 GB": double_deflate_bomb,
    "object stream of 20 000 fields": crowded_object_stream,
    "1 000 incremental updates": many_updates,
    "cross-reference table of 1 000 000 entries": long_cross_reference_table,
    "re-signed with a self-made certificate": resigned_with_self_made_certificate,
}
