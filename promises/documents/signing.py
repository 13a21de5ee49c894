"""Sign PDFs with pyHanko: one PAdES signature per signatory, each an incremental update
in the signatory's own signature field; the first one certifies the document."""

import io
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import TextStampStyle

# A Latin subset of the shipped Noto Sans (made with fontTools' pyftsubset, see
# static/fonts/OFL.txt): pyHanko subsets the stamp font on every signature, and the full
# font's layout tables made that take over a second.
FONT_FILE = Path(settings.BASE_DIR) / "static" / "fonts" / "NotoSans-Stamp.ttf"


def field_name(signatory):
    """The signature field of a signatory in the document."""
    return f"Underskrift {signatory.pk}"


def add_signature_fields(data, boxes):
    """Add an empty signature field at each signature box (one incremental update)."""
    if not boxes:
        return data
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for box in boxes:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=box.field_name,
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


def stamp_style():
    return TextStampStyle(
        stamp_text=(
            "Digitalt undertecknad för\n%(organisation)s\nav %(signatory)s, %(title)s\n"
            "Tillämpad av %(applied_by)s\nCertifikat: %(certificate)s\nTid: %(ts)s"
        ),
        timestamp_format="%Y-%m-%d %H:%M %Z",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT_FILE), font_size=6)),
        border_width=1,
    )


def sign_pdf(data, *, field, signer, signatory_name, signatory_title, organisation,
             applied_by, certify):
    """Add one PAdES signature in `field` as an incremental update."""
    if field not in field_names_in(data):
        raise ValueError(f"The document has no signature field {field!r}.")
    metadata = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=f"{signatory_name} ({organisation})",
        location=None,
        reason=_("Signing the citizen promise"),
        certify=certify,
        # The certification signature allows only filling in and signing the other fields.
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
            "organisation": organisation,
            "signatory": signatory_name,
            "title": signatory_title,
            "applied_by": applied_by,
            "certificate": signer.signing_cert.subject.native.get("common_name", ""),
        },
    )
    return output.getvalue()
