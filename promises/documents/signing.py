"""Sign PDFs with pyHanko: PAdES signatures, one incremental update per party."""

import functools
import io
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.pemder import load_private_key_from_pemder_data
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError, get_pyca_cryptography_hash
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from promises.models import SigningParty

FIELD_NAMES = {
    SigningParty.POLICE: "Underskrift polisen",
    SigningParty.MUNICIPALITY: "Underskrift kommunen",
}
# A Latin subset of the shipped Noto Sans (made with fontTools' pyftsubset, see
# static/fonts/OFL.txt): pyHanko subsets the stamp font on every signature, and the full
# font's layout tables made that take over a second.
FONT_FILE = Path(settings.BASE_DIR) / "static" / "fonts" / "NotoSans-Stamp.ttf"


class SigningKeyError(Exception):
    """The signing key for a party is missing or cannot be read."""


def add_signature_fields(data, boxes):
    """Add an empty signature field at each party's signature box (one incremental update)."""
    if not boxes:
        return data
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for box in boxes:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=FIELD_NAMES[box.party],
                on_page=box.page,
                box=tuple(round(coordinate, 2) for coordinate in box.box),
            ),
        )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def field_names_in(data):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return {name for name, _, _ in fields.enumerate_sig_fields(reader)}


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key on every signature (twice, with the
    size estimate); RSA key parsing checks the key and costs ~50 ms. Parse it once."""

    @functools.cached_property
    def private_key(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data, digest_algorithm):
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return self.private_key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa":
            return self.private_key.sign(data, ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


_signers = {}


def load_signer(party):
    """The signer for a party, from the PKCS#12 or PEM file named in settings; kept while
    the file, its name and the passphrase stay the same."""
    config = settings.SIGNING_KEYS[party]
    path = Path(config["file"])
    try:
        key = (party, str(path), path.stat().st_mtime_ns, config["passphrase"])
    except OSError:
        key = None
    if key not in _signers:
        _signers.clear()
        signer = read_signer(party, config)
        if key is None:
            return signer
        _signers[key] = signer
    return _signers[key]


def read_signer(party, config):
    path = Path(config["file"])
    passphrase = config["passphrase"].encode() or None
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(
            _("No signing key for %(party)s at %(path)s (%(error)s).")
            % {"party": SigningParty(party).label, "path": path, "error": error.strerror}
        ) from error
    try:
        if path.suffix.lower() in {".p12", ".pfx"}:
            loaded = signers.SimpleSigner.load_pkcs12_data(raw, None, passphrase=passphrase)
            return KeptKeySigner(
                signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                cert_registry=loaded.cert_registry,
            )
        certificates = list(load_certs_from_pemder_data(raw))
        registry = SimpleCertificateStore()
        registry.register_multiple(certificates[1:])
        return KeptKeySigner(
            signing_key=load_private_key_from_pemder_data(raw, passphrase=passphrase),
            signing_cert=certificates[0],
            cert_registry=registry,
        )
    except (ValueError, IndexError, TypeError) as error:
        raise SigningKeyError(
            _("The signing key for %(party)s at %(path)s cannot be read: %(error)s")
            % {"party": SigningParty(party).label, "path": path, "error": error}
        ) from error


def stamp_style():
    return TextStampStyle(
        stamp_text=(
            "Digitalt undertecknad av\n%(signatory)s\n%(title)s\n"
            "Certifikat: %(certificate)s\nTid: %(ts)s"
        ),
        timestamp_format="%Y-%m-%d %H:%M %Z",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT_FILE), font_size=7)),
        border_width=1,
    )


def sign_pdf(data, *, party, signatory_name, signatory_title, certify):
    """Add one party's PAdES signature to the PDF as an incremental update."""
    field_name = FIELD_NAMES[party]
    if field_name not in field_names_in(data):
        raise SigningError(f"The document has no signature field {field_name!r}.")
    signer = load_signer(party)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=signatory_name or None,
        location=None,
        reason=_("Signing the citizen promise"),
        certify=certify,
        # The certification signature allows only filling in and signing the other field.
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL)
        if settings.SIGNING_TSA_URL else None
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, timestamper=timestamper, stamp_style=stamp_style()
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    output = pdf_signer.sign_pdf(
        writer,
        existing_fields_only=True,
        appearance_text_params={
            "signatory": signatory_name or "–",
            "title": signatory_title or "",
            "certificate": signer.signing_cert.subject.native.get("common_name", ""),
        },
    )
    return output.getvalue()
