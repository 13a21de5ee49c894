"""Signing a medborgarlöfte: each signatory signs with the key of their own organisation (the
police area or the municipality), in any order, each signature an incremental update with a
visible stamp naming the organisation and the person; every state stored with a known hash,
and every signature written to the audit log."""

import io
import re
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from municipalities.models import AuditEvent, PoliceArea
from promises.documents import keys, services, signing, storage, verification
from promises.models import Document, Promise, SigningKey
from tests.factories import make_member, sign_all

PASSPHRASE = "hemligt-lösenord"


@pytest.fixture
def period(katrineholm, signing_keys):
    """Katrineholm 2022–2023: the police's signatory first, then the municipality's."""
    return katrineholm[2022]


def signatories(period):
    police, municipality = period.signatories.order_by("order")
    assert (police.party, municipality.party) == ("police", "municipality")
    return police, municipality


@pytest.fixture
def signed(period):
    return sign_all(period)


def embedded(data):
    return PdfFileReader(io.BytesIO(data)).embedded_signatures


def demo_ca_context(signing_keys):
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(str(signing_keys / "demo-ca.pem"))],
        allow_fetching=False,
    )


def test_both_signatures_validate_with_pyhanko_against_the_demo_ca(
    period, signed, signing_keys
):
    police, municipality = signatories(period)
    first, second = embedded(storage.read(signed))
    assert first.field_name == signing.field_name(police)
    assert first.docmdp_level == MDPPerm.FILL_FORMS  # the first signature certifies
    assert second.field_name == signing.field_name(municipality)
    assert second.docmdp_level is None
    for signature in (first, second):
        status = validate_pdf_signature(signature, demo_ca_context(signing_keys))
        assert status.intact and status.valid and status.trusted
        assert status.docmdp_ok
        assert "DEMO" in signature.signer_cert.subject.human_friendly


def stamp_lines(data, field):
    """The text of the signature's visible stamp, line by line (from its ActualText)."""
    from pypdf import PdfReader

    for annotation in PdfReader(io.BytesIO(data)).pages[-1]["/Annots"]:
        annotation = annotation.get_object()
        if annotation.get("/T") == field:
            stream = annotation["/AP"]["/N"].get_object().get_data()
            return [pdf_string(text) for text in re.findall(rb"/ActualText \((.*?)\)\n", stream)]
    raise AssertionError(f"No stamp in the field {field!r}")


def pdf_string(raw):
    """A PDF literal string's bytes with its escapes undone, as text (PDFDocEncoding)."""
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")", b"\\": b"\\"}
    decoded = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
        else escapes.get(m.group(1), m.group(1)),
        raw,
    )
    return decoded.decode("latin-1")


def test_each_organisation_signs_with_its_own_certificate_naming_it_and_the_person(
    period, signed
):
    police, municipality = signatories(period)
    data = storage.read(signed)
    first, second = embedded(data)
    assert first.signer_cert.subject.native["common_name"] == (
        "Lokalpolisområde Katrineholm (DEMO)")
    assert second.signer_cert.subject.native["common_name"] == "Katrineholms kommun (DEMO)"
    assert first.signer_cert.public_key.dump() != second.signer_cert.public_key.dump()
    assert first.sig_object["/Name"] == "Liselotte Jergard (Lokalpolisområde Katrineholm)"
    assert second.sig_object["/Name"] == "Johan Söderberg (S) (Katrineholms kommun)"
    police_stamp = stamp_lines(data, signing.field_name(police))
    assert police_stamp[:3] == [
        "Digitalt undertecknad för", "Lokalpolisområde Katrineholm",
        "av Liselotte Jergard, Chef lokalpolisområde Katrineholm",
    ]
    assert "Certifikat: Lokalpolisområde Katrineholm (DEMO)" in police_stamp
    municipality_stamp = stamp_lines(data, signing.field_name(municipality))
    assert municipality_stamp[1:3] == [
        "Katrineholms kommun", "av Johan Söderberg (S), Kommunstyrelsens ordförande",
    ]
    assert signed.signed_for == (
        "Johan Söderberg (S), Kommunstyrelsens ordförande (Katrineholms kommun)")


def test_signatures_are_incremental_updates_over_the_unsigned_file(period, signed):
    states = list(Document.objects.filter(period=period, kind="period").order_by(
        "signature_count"))
    assert [(d.version, d.signature_count) for d in states] == [(1, 0), (1, 1), (1, 2)]
    assert [d.signatory for d in states] == [None, *signatories(period)]
    unsigned, police, both = (storage.read(d) for d in states)
    assert police.startswith(unsigned) and both.startswith(police)
    assert storage.newest_state(period).document == signed == states[-1]


def test_either_party_may_sign_first(period, signing_keys):
    police, municipality = signatories(period)
    services.generate_document(period)
    first = services.sign_document(period, signatory=municipality)
    both = services.sign_document(period, signatory=police)
    assert [s.field_name for s in embedded(storage.read(first))] == [
        signing.field_name(municipality)]
    signatures = embedded(storage.read(both))
    assert signatures[0].docmdp_level == MDPPerm.FILL_FORMS  # whoever signs first certifies
    for signature in signatures:
        status = validate_pdf_signature(signature, demo_ca_context(signing_keys))
        assert status.intact and status.trusted and status.docmdp_ok


def test_every_stored_state_is_recognised(period, signed):
    for document in Document.objects.filter(period=period):
        result = verification.verify(storage.read(document))
        assert result.document == document
        assert result.ok


def test_one_changed_byte_is_reported_as_modified(signed):
    data = bytearray(storage.read(signed))
    # A byte of the document information, inside every signature's signed range.
    data[data.index(b"/Producer") + 2] ^= 0x01
    result = verification.verify(bytes(data))
    assert not result.is_known and not result.ok
    assert len(result.signatures) == 2
    assert not any(signature.intact for signature in result.signatures)


def test_untrusted_signer_is_reported_as_not_trusted(signed, settings, tmp_path):
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "nothing.pem")]
    result = verification.verify(storage.read(signed))
    assert result.is_known
    assert all(s.intact and not s.trusted for s in result.signatures)
    assert not result.ok


def test_pdfsig_reports_both_signatures_valid_and_trusted_against_the_demo_ca(
    signed, signing_keys, tmp_path
):
    """poppler's pdfsig, a second validator that shares no code with pyHanko, with the
    portal's demo CA as its only trusted root (a fresh NSS database)."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(storage.read(signed))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "Medborgarlöften demo CA",
                    "-t", "CT,C,C", "-i", str(signing_keys / "demo-ca.pem")], check=True)
    output = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)],
        capture_output=True, text=True, check=False,
    ).stdout
    assert "Signature #1" in output and "Signature #2" in output
    assert output.count("Signature Validation: Signature is Valid.") == 2
    assert output.count("Certificate Validation: Certificate is Trusted.") == 2
    assert "Lokalpolisområde Katrineholm (DEMO)" in output
    assert "Katrineholms kommun (DEMO)" in output
    assert "Total document signed" in output


def test_signing_twice_is_refused_with_a_clear_message(period, english):
    police, _ = signatories(period)
    services.generate_document(period)
    services.sign_document(period, signatory=police)
    with pytest.raises(services.DocumentError, match="already signed version 1"):
        services.sign_document(period, signatory=police)
    assert Document.objects.filter(period=period, signature_count__gt=0).count() == 1


def test_a_signatory_without_a_name_cannot_be_signed(period, english):
    police, _ = signatories(period)
    police.name = ""
    police.save()
    services.generate_document(period)
    with pytest.raises(services.DocumentError, match="has no name yet"):
        services.sign_document(period, signatory=police)
    signer = make_member("signer", police_area=period.police_area)
    assert not signer.has_perm("promises.sign_signatory", police)
    assert not Document.objects.filter(period=period, signature_count__gt=0).exists()


def test_text_changed_after_a_version_was_made_needs_a_new_version(period, english):
    police, municipality = signatories(period)
    services.generate_document(period)
    services.sign_document(period, signatory=police)
    promise = Promise.objects.get(period=period)
    promise.text = "Ett ändrat löfte"
    promise.save()
    period.refresh_from_db()
    with pytest.raises(services.DocumentError, match="can no longer be signed"):
        services.sign_document(period, signatory=municipality)
    assert Document.objects.filter(period=period).count() == 2  # nothing more stored
    second = services.generate_document(period)
    assert second.version == 2
    signed = services.sign_document(period, signatory=municipality)
    assert (signed.version, signed.signature_count) == (2, 1)


def test_an_organisation_without_a_key_is_a_clear_error_and_nothing_is_signed(
    period, english
):
    police, _ = signatories(period)
    SigningKey.objects.filter(police_area=period.police_area).delete()
    services.generate_document(period)
    with pytest.raises(services.DocumentError, match="has no signing key"):
        services.sign_document(period, signatory=police)
    assert not Document.objects.filter(period=period, signature_count__gt=0).exists()


def with_passphrase(key, passphrase):
    """The organisation's demo key file again, now protected by a passphrase."""
    data = keys.fernet().decrypt(bytes(key.encrypted_pkcs12))
    private_key, certificate, chain = pkcs12.load_key_and_certificates(data, None)
    return pkcs12.serialize_key_and_certificates(
        b"key", private_key, certificate, chain, BestAvailableEncryption(passphrase.encode())
    )


def test_a_key_file_with_a_passphrase_signs_and_a_wrong_passphrase_is_refused(
    period, signing_keys, english
):
    _, municipality = signatories(period)
    key = SigningKey.objects.get(municipality=municipality.organisation())
    data = with_passphrase(key, PASSPHRASE)
    with pytest.raises(keys.SigningKeyError, match="cannot be read"):
        keys.save_pkcs12(key, data, "fel lösenord")
    keys.save_pkcs12(key, data, PASSPHRASE)
    services.generate_document(period)
    document = services.sign_document(period, signatory=municipality)
    [signature] = verification.verify(storage.read(document)).signatures
    assert signature.ok


def test_sign_document_command(period, english):
    police, _ = signatories(period)
    make_member("signer", police_area=period.police_area, username="polis")
    make_member("coordinator", municipality=period.municipalities.get(), username="samordnare")
    services.generate_document(period)
    with pytest.raises(CommandError, match=f"{police.pk}: Liselotte Jergard"):
        call_command("sign_document", str(period.pk), "--signatory", "999999",
                     "--as-user", "polis", stdout=io.StringIO())
    with pytest.raises(CommandError, match="may not sign"):
        call_command("sign_document", str(period.pk), "--signatory", str(police.pk),
                     "--as-user", "samordnare", stdout=io.StringIO())
    out = io.StringIO()
    call_command("sign_document", str(period.pk), "--signatory", str(police.pk),
                 "--as-user", "polis", stdout=out)
    assert "Signed for Liselotte Jergard" in out.getvalue() and "SHA-256" in out.getvalue()
    with pytest.raises(CommandError, match="already signed"):
        call_command("sign_document", str(period.pk), "--signatory", str(police.pk),
                     "--as-user", "polis", stdout=io.StringIO())
    assert Document.objects.get(period=period, signature_count=1).signed_by.username == "polis"


def test_signing_is_written_to_the_audit_log(period):
    police, _ = signatories(period)
    signer = make_member("signer", police_area=period.police_area, username="polis")
    services.generate_document(period)
    document = services.sign_document(period, signatory=police, by=signer)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED)
    assert (event.user, event.username) == (signer, "polis")
    assert event.details["sha256"] == document.sha256
    assert event.details["version"] == 1
    assert event.details["signatory"] == (
        "Liselotte Jergard, Chef lokalpolisområde Katrineholm (Lokalpolisområde Katrineholm)")
    assert event.details["pk"] == period.pk


def sign_url(period, signatory):
    return reverse("admin:promises_promiseperiod_sign", args=[period.pk, signatory.pk])


def sign_buttons(client, period):
    page = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
    assert page.status_code == 200
    return set(re.findall(r'<button type="submit" form="(sign-\d+)"', page.content.decode()))


def test_a_signer_signs_in_the_admin_for_their_own_organisation_only(client, period):
    police, municipality = signatories(period)
    client.force_login(make_member("signer", police_area=period.police_area))
    client.post(reverse("admin:promises_promiseperiod_make_document", args=[period.pk]))
    assert sign_buttons(client, period) == {f"sign-{police.pk}"}
    response = client.post(sign_url(period, police), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert storage.newest_state(period).signed == [police]
    assert AuditEvent.objects.get(action="signed").ip_address == "192.0.2.7"
    # The police area's signer does not sign for the municipality.
    assert client.post(sign_url(period, municipality)).status_code == 403
    # Nothing left to sign: the police's is signed, the municipality's is not theirs.
    assert sign_buttons(client, period) == set()


@pytest.mark.parametrize("membership", ["municipal coordinator", "signer of another area"])
def test_others_cannot_sign_for_the_police(client, period, membership):
    police, _ = signatories(period)
    services.generate_document(period)
    if membership == "municipal coordinator":
        user = make_member("coordinator", municipality=period.municipalities.get())
        expected = 403  # may read the period, not sign
    else:
        other = PoliceArea.objects.create(
            name="Lokalpolisområde Annanstans", police_region=period.police_area.police_region
        )
        user = make_member("signer", police_area=other)
        expected = 404  # may not even read it
    client.force_login(user)
    assert client.post(sign_url(period, police)).status_code == expected
    assert not Document.objects.filter(period=period, signature_count__gt=0).exists()
    assert not AuditEvent.objects.filter(action="signed").exists()


def test_publishing_a_report_makes_its_pdf_and_each_new_version_is_kept(
    superuser_client, katrineholm, signing_keys
):
    from followup.models import TertialReport
    from promises.publishing import publish, unpublish

    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    unpublish(report, by=None, reason="Rättelse")
    assert not Document.objects.filter(kind="tertial_report").exists()
    publish(report, by=None)
    assert list(Document.objects.values_list("kind", "tertial")) == [("tertial_report", 3)]
    make = reverse("admin:promises_promiseperiod_make_document", args=[period.pk])
    assert superuser_client.post(make).status_code == 302
    assert superuser_client.post(make).status_code == 302
    versions = Document.objects.filter(kind="period").values_list("version", flat=True)
    assert sorted(versions) == [1, 2]
    assert Document.objects.filter(kind="tertial_report").count() == 1
