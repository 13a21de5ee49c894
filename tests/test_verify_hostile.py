"""Hostile PDFs on the verification page (made by tests/pdf_corpus.py): each is answered
correctly, and the work it causes is bounded. bench/verify_corpus.py measures the time and
memory each takes."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from pyhanko.keys import load_certs_from_pemder

from promises.documents import isolation, signatures, signing
from promises.documents.rendering import SignatureBox, render
from tests import pdf_corpus

URL = "/verifiera/"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def genuine(demo_signing_keys_dir):
    """A PDF with two signature fields, signed by a police area (certifying) and then a
    municipality, each with its own demo key, as the portal signs its documents."""
    from types import SimpleNamespace

    from promises.documents import keys
    from promises.management.commands.create_demo_signing_keys import demo_ca, issue

    ca_cert, ca_key = demo_ca(demo_signing_keys_dir)
    with override_settings(SIGNING_TSA_URL=""):
        data = signing.add_signature_fields(render("pdf/base.html", {"version": 1}).data, [
            SignatureBox("Underskrift 1", 0, (50, 600, 250, 680)),
            SignatureBox("Underskrift 2", 0, (300, 600, 500, 680)),
        ])
        for field, name, certify in (("Underskrift 1", "Lokalpolisområde Test", True),
                                     ("Underskrift 2", "Testby kommun", False)):
            organisation = SimpleNamespace(name=name, proper_name=name)
            signer = keys.load_pkcs12(issue(organisation, ca_cert, ca_key), "")
            data = signing.sign_pdf(
                data, field=field, signer=signer,
                signatory_name="Namn", signatory_title="Titel", organisation=name,
                applied_by="Test", certify=certify,
            )
    return data


@pytest.fixture
def roots(signing_keys):
    return [root.dump() for root in load_certs_from_pemder([str(signing_keys / "demo-ca.pem")])]


def upload(client, data):
    return client.post(URL, {"file": SimpleUploadedFile("fil.pdf", data, "application/pdf")})


def test_the_genuine_file_passes(genuine, roots):
    check = signatures.read_signatures(genuine, roots)
    assert [signature.ok for signature in check.signatures] == [True, True]
    assert (check.not_checked, check.duplicates) == (0, 0)


def test_a_signature_field_listed_a_thousand_times_is_checked_once(
    db, client, genuine, roots
):
    data = pdf_corpus.duplicate_fields(genuine, 1000)
    check = signatures.read_signatures(data, roots)
    assert check.duplicates == 1000
    assert len(check.signatures) == 2

    response = upload(client, data)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.is_known
    assert len(result.signatures) == 2
    # The signed bytes are untouched, but the form was rewritten after both signatures.
    assert all(s.intact and s.trusted and s.modified_after_signing for s in result.signatures)


def test_signatures_beyond_the_cap_are_not_examined(db, client, genuine, roots):
    data = pdf_corpus.many_signatures(genuine, 10)
    check = signatures.read_signatures(data, roots)
    assert len(check.signatures) == signatures.MAX_SIGNATURES
    assert check.not_checked == 12 - signatures.MAX_SIGNATURES

    response = upload(client, data)
    result = response.context["result"]
    assert len(result.signatures) == signatures.MAX_SIGNATURES
    assert result.not_checked == 12 - signatures.MAX_SIGNATURES
    assert not result.ok
    assert "8 underskrifter till i filen kontrollerades inte" in response.content.decode()


@pytest.mark.parametrize("make, reason", [
    (lambda data: pdf_corpus.duplicate_fields(data, pdf_corpus.MILLION), "an object of"),
    (pdf_corpus.many_signatures, "bytes added after the first signature"),
    (pdf_corpus.deep_field_nesting, "nested over"),
    (pdf_corpus.deep_array_nesting, "nested too deep"),
    (pdf_corpus.object_stream_bomb, "exceeds the limit"),
    (pdf_corpus.double_deflate_bomb, "exceeds the limit"),
    (pdf_corpus.crowded_object_stream, f"over {signatures.MAX_FIELDS} form fields"),
    (pdf_corpus.many_updates, "1004 revisions"),
    (lambda data: pdf_corpus.long_cross_reference_table(data, 60_000),
     "cross-reference entries"),
], ids=[
    "million field references", "300 signature copies", "deep fields", "deep arrays",
    "object stream bomb", "double deflate", "crowded object stream", "many updates",
    "long xref table",
])
def test_a_file_beyond_a_limit_is_refused_as_too_complex(
    db, client, genuine, roots, make, reason
):
    data = make(genuine)
    with pytest.raises(signatures.TooComplex, match=reason):
        signatures.read_signatures(data, roots)

    response = upload(client, data)
    assert response.status_code == 400
    assert response.context.get("result") is None
    [message] = response.context["form"].errors["file"]
    assert "för komplicerad" in message


def test_a_copy_signed_again_with_a_self_made_certificate_is_not_trusted(
    db, client, genuine, signing_keys
):
    forged = pdf_corpus.resigned_with_self_made_certificate(genuine)
    response = upload(client, forged)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.is_known
    assert len(result.signatures) == 2
    assert all(s.intact and s.valid and not s.trusted for s in result.signatures)
    assert [s.signer for s in result.signatures] == [
        "Lokalpolisområde (DEMO) (Medborgarlöften DEMO)",
        "Kommunen (DEMO) (Medborgarlöften DEMO)",
    ]
    assert not result.ok


def test_work_past_the_time_limit_is_stopped():
    start = time.monotonic()
    with pytest.raises(isolation.LimitExceeded):
        isolation.run(time.sleep, 60, seconds=0.5, memory_bytes=0)
    assert time.monotonic() - start < 10


def test_work_past_the_memory_limit_is_stopped():
    with pytest.raises(isolation.LimitExceeded):
        isolation.run(bytes, 200 * MiB, seconds=10, memory_bytes=50 * MiB)
    assert isolation.run(bytes, 10 * MiB, seconds=10, memory_bytes=50 * MiB) == bytes(10 * MiB)


def test_an_error_in_the_child_is_raised_here():
    with pytest.raises(ValueError):
        isolation.run(int, "not a number", seconds=10, memory_bytes=0)


def test_the_page_checks_within_the_configured_memory(
    db, client, genuine, settings, signing_keys
):
    settings.VERIFY_MEMORY_LIMIT_MB = 1
    response = upload(client, genuine)
    assert response.status_code == 400
    assert "för komplicerad" in response.context["form"].errors["file"][0]

