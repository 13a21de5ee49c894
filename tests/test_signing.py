"""Signing the agreement: the police first (certifying), then the municipality, each as an
incremental update with a visible stamp; every state stored with a known hash."""

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder

from promises.documents import services, storage, verification
from promises.models import Document


@pytest.fixture
def signed_2022(katrineholm, signing_keys):
    period = katrineholm[2022]
    police = services.sign_agreement(period, party="police")
    both = services.sign_agreement(period, party="municipality")
    return police, both


def test_both_signatures_validate_with_pyhanko_on_the_stored_file(signed_2022, signing_keys):
    _, both = signed_2022
    reader = PdfFileReader(io.BytesIO(storage.read(both)))
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(signing_keys / "demo-ca.pem"))],
        allow_fetching=False,
    )
    police, municipality = reader.embedded_signatures
    assert police.field_name == "Underskrift polisen"
    assert police.docmdp_level == MDPPerm.FILL_FORMS  # the certification signature
    assert municipality.field_name == "Underskrift kommunen"
    assert municipality.docmdp_level is None
    for signature in (police, municipality):
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted
        assert status.docmdp_ok
        assert "DEMO" in signature.signer_cert.subject.human_friendly
    assert police.signer_cert.subject.native["common_name"].startswith("Polisen")
    assert municipality.signer_cert.subject.native["common_name"].startswith("Kommunen")


def test_signatures_are_incremental_updates_over_the_unsigned_file(katrineholm, signed_2022):
    police, both = signed_2022
    unsigned = Document.objects.get(version=1, state=Document.State.UNSIGNED)
    assert storage.read(police).startswith(storage.read(unsigned))
    assert storage.read(both).startswith(storage.read(police))
    assert [d.state for d in Document.objects.order_by("created_at")] == [
        "unsigned", "signed_by_police", "signed_by_both",
    ]
    assert storage.signature_state(katrineholm[2022]) == Document.State.SIGNED_BY_BOTH


def test_every_stored_state_is_recognised(signed_2022):
    for document in Document.objects.all():
        result = verification.verify(storage.read(document))
        assert result.document == document
        assert result.ok


def test_stamps_carry_the_signatories_in_swedish(signed_2022):
    from pypdf import PdfReader

    _, both = signed_2022
    reader = PdfReader(io.BytesIO(storage.read(both)))
    stamps = []
    for annotation in reader.pages[-1]["/Annots"]:
        annotation = annotation.get_object()
        if annotation.get("/FT") == "/Sig" or "/Parent" in annotation or "/T" in annotation:
            appearance = annotation["/AP"]["/N"].get_object()
            stamps.append((annotation["/Rect"], appearance))
    assert len(stamps) == 2
    # Both stamps sit side by side in the signature blocks on the last page.
    (left, _), (right, _) = sorted(stamps, key=lambda stamp: float(stamp[0][0]))
    assert float(left[2]) <= float(right[0])


def test_municipality_cannot_sign_before_the_police(katrineholm, signing_keys, english):
    with pytest.raises(CommandError, match="after the police"):
        call_command(
            "sign_agreement", str(katrineholm[2022].pk), "--party", "municipality",
            stdout=io.StringIO(),
        )
    assert not Document.objects.filter(state__startswith="signed").exists()


def test_signing_twice_is_refused_with_a_clear_message(katrineholm, signing_keys, english):
    out = io.StringIO()
    call_command("sign_agreement", str(katrineholm[2022].pk), "--party", "police", stdout=out)
    assert "SHA-256" in out.getvalue()
    with pytest.raises(CommandError, match="already signed version 1"):
        call_command(
            "sign_agreement", str(katrineholm[2022].pk), "--party", "police",
            stdout=io.StringIO(),
        )
    assert Document.objects.filter(state=Document.State.SIGNED_BY_POLICE).count() == 1


def test_period_without_signatories_cannot_be_signed(katrineholm, signing_keys, english):
    with pytest.raises(services.DocumentError, match="no signatory"):
        services.sign_agreement(katrineholm[2018], party="police")
    assert not Document.objects.exists()


def test_missing_signing_key_is_a_clear_error_and_stores_nothing_signed(
    katrineholm, signing_keys, settings, tmp_path, english
):
    settings.SIGNING_KEYS = {
        **settings.SIGNING_KEYS,
        "police": {"file": str(tmp_path / "missing.p12"), "passphrase": ""},
    }
    with pytest.raises(services.DocumentError, match="No signing key"):
        services.sign_agreement(katrineholm[2022], party="police")
    assert not Document.objects.filter(state=Document.State.SIGNED_BY_POLICE).exists()


def test_pem_key_files_sign_too(katrineholm, signing_keys, settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path
    settings.SIGNING_KEYS = {
        party: {"file": str(tmp_path / f"{party}.pem"), "passphrase": "hemligt"}
        for party in ("police", "municipality")
    }
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "demo-ca.pem")]
    call_command("create_demo_signing_keys", stdout=io.StringIO())
    document = services.sign_agreement(katrineholm[2022], party="police")
    [signature] = verification.verify(storage.read(document)).signatures
    assert signature.ok


def test_untrusted_signer_is_reported_as_not_trusted(signed_2022, settings, tmp_path):
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "nothing.pem")]
    _, both = signed_2022
    result = verification.verify(storage.read(both))
    assert result.is_known
    assert all(s.intact and not s.trusted for s in result.signatures)
    assert not result.ok


def test_pdfsig_reports_both_signatures_valid_and_trusted_against_our_ca(
    signed_2022, signing_keys, tmp_path
):
    """poppler's pdfsig, a second validator that shares no code with pyHanko, with the
    portal's demo CA as its only trusted root (a fresh NSS database)."""
    _, both = signed_2022
    path = tmp_path / "signed.pdf"
    path.write_bytes(storage.read(both))
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
    assert "Total document signed" in output


def staff_client(client, django_user_model, **membership):
    from municipalities.models import Membership

    user = django_user_model.objects.create_user("signer", "s@example.org", "x" * 16,
                                                 is_staff=True)
    Membership.objects.create(user=user, **membership)
    client.force_login(user)
    return client


def run_action(client, action, period):
    return client.post(
        "/admin/promises/promiseperiod/",
        {"action": action, "_selected_action": [period.pk], "index": 0},
        follow=True,
    )


def test_admin_signs_as_police_then_municipality_and_shows_the_state(
    superuser_client, katrineholm, signing_keys
):
    period = katrineholm[2022]
    run_action(superuser_client, "sign_as_police", period)
    assert storage.signature_state(period) == Document.State.SIGNED_BY_POLICE
    run_action(superuser_client, "sign_as_municipality", period)
    assert storage.signature_state(period) == Document.State.SIGNED_BY_BOTH
    changelist = superuser_client.get("/admin/promises/promiseperiod/")
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_list.get(pk=period.pk).agreement_state == (
        Document.State.SIGNED_BY_BOTH
    )


def test_publishing_a_report_makes_its_pdf_and_generate_pdf_makes_the_period_document(
    superuser_client, katrineholm, signing_keys
):
    from followup.models import TertialReport
    from followup.services import publish_tertial_report, unpublish_tertial_report

    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    unpublish_tertial_report(report, by=None, reason="Rättelse")
    assert not Document.objects.filter(kind="tertial_report").exists()
    publish_tertial_report(report, by=None)
    assert list(Document.objects.values_list("kind", "tertial")) == [("tertial_report", 3)]
    run_action(superuser_client, "generate_pdf", period)
    run_action(superuser_client, "generate_pdf", period)
    versions = Document.objects.filter(kind="agreement").values_list("version", flat=True)
    assert sorted(versions) == [1, 2]
    assert Document.objects.filter(kind="tertial_report").count() == 1


def test_municipal_coordinator_cannot_sign_for_the_police(
    client, django_user_model, katrineholm, signing_keys
):
    period = katrineholm[2022]
    client = staff_client(
        client, django_user_model, role="coordinator", municipality=period.municipality
    )
    response = client.get("/admin/promises/promiseperiod/")
    actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "sign_as_municipality" in actions
    assert "sign_as_police" not in actions
    run_action(client, "sign_as_police", period)
    assert not Document.objects.filter(state__startswith="signed").exists()


def test_police_coordinator_of_another_area_cannot_sign(
    client, django_user_model, katrineholm, signing_keys
):
    from municipalities.models import PoliceArea, PoliceRegion

    other = PoliceArea.objects.create(
        name="Lokalpolisområde Annanstans", police_region=PoliceRegion.objects.first()
    )
    client = staff_client(client, django_user_model, role="police", police_area=other)
    run_action(client, "sign_as_police", katrineholm[2022])
    assert not Document.objects.exists()
