"""The public "Verifiera dokument" page and verify_pdf: a copy of a portal document is
recognised, a changed one is not, and bad uploads get a clear 4xx."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from followup.models import TertialReport
from promises.documents import services, storage
from followup import documents as report_documents
from promises.models import Document
from promises.publishing import unpublish
from tests.factories import sign_all

URL = "/verifiera/"


@pytest.fixture
def signed(katrineholm, signing_keys):
    return sign_all(katrineholm[2022])


def upload(client, data, name="dokument.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "application/pdf")})


def flip_byte_in_signed_range(data):
    """Change one byte of the document information, inside every signature's signed range."""
    position = data.index(b"/Producer")
    tampered = bytearray(data)
    tampered[position + 2] ^= 0x01
    return bytes(tampered)


def add_page_content(data):
    """A later incremental update that draws on page 1: the kind of change DocMDP forbids."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 80 re f"))
    writer.add_stream_to_page(0, stream)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_verify_page_shows_the_upload_form(db, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_signed_agreement_is_recognised_as_unmodified(client, signed):
    response = upload(client, storage.read(signed))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.document == signed
    assert result.ok
    assert [s.field_name for s in result.signatures] == [
        f"Underskrift {signatory.pk}" for signatory in signed.period.signatories.all()
    ]
    assert all(s.intact and s.trusted and not s.modified_after_signing
               for s in result.signatures)
    page = response.content.decode()
    assert "Medborgarlöfte 2022–2023" in page
    assert signed.sha256 in page
    assert "Lokalpolisområde Katrineholm (DEMO)" in page


def test_one_changed_byte_in_the_signed_range_fails_verification(client, signed):
    data = flip_byte_in_signed_range(storage.read(signed))
    response = upload(client, data)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.is_known
    assert not result.ok
    assert not any(s.intact for s in result.signatures)


def test_later_update_changing_page_content_is_reported_as_modified(client, signed):
    response = upload(client, add_page_content(storage.read(signed)))
    result = response.context["result"]
    assert not result.is_known
    police, municipality = result.signatures
    assert police.intact and municipality.intact  # the signed bytes themselves are untouched
    assert police.modified_after_signing and municipality.modified_after_signing
    assert police.docmdp_ok is False
    assert not result.ok


def test_known_unsigned_tertial_report_is_recognised(client, katrineholm, signing_keys):
    report = TertialReport.objects.get(period=katrineholm[2018], tertial=3)
    document = report_documents.generate_tertial_report(report)
    response = upload(client, storage.read(document))
    assert response.status_code == 200
    assert response.context["result"].document == document
    assert response.context["result"].signatures == []


def make_large(settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    return b"%PDF-1.7\n" + b"0" * 5000


@pytest.mark.parametrize("case, status", [
    ("not_pdf", 400),
    ("empty", 400),
    ("too_large", 413),
    ("damaged", 400),
    ("no_signatures", 400),
    ("missing", 400),
])
def test_bad_upload_gets_a_clear_message_and_a_4xx_and_stores_nothing(
    db, client, settings, signing_keys, case, status
):
    from promises.documents.rendering import render

    cases = {
        "not_pdf": lambda: b"GIF89a this is an image, not a PDF",
        "empty": lambda: b"",
        "too_large": lambda: make_large(settings),
        "damaged": lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R",
        "no_signatures": lambda: render("pdf/base.html", {"version": 1}).data,
    }
    if case == "missing":
        response = client.post(URL, {})
    else:
        response = upload(client, cases[case]())
    assert response.status_code == status
    errors = response.context["form"].errors
    assert errors, "a message must say what is wrong"
    assert response.context.get("result") is None
    assert not Document.objects.exists()


def test_upload_declared_larger_than_the_limit_is_refused_before_reading(db, client, settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = client.post(
        URL, data=b"x" * 10, content_type="application/octet-stream",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.context["upload_error"]


def test_verify_pdf_command_exits_0_for_the_signed_agreement(signed, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(storage.read(signed))
    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    printed = out.getvalue()
    assert "Known document" in printed
    assert printed.count("intact: yes") == 2
    assert printed.count("trusted by this portal: yes") == 2


@pytest.mark.parametrize("change", [flip_byte_in_signed_range, add_page_content])
def test_verify_pdf_command_fails_for_a_changed_copy(signed, tmp_path, change):
    path = tmp_path / "changed.pdf"
    path.write_bytes(change(storage.read(signed)))
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_pdf", str(path), stdout=out)
    assert raised.value.returncode == 1
    assert "NOT a published document of this portal" in out.getvalue()


def test_verify_pdf_command_refuses_a_damaged_file(tmp_path, db):
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.7\ngarbage")
    with pytest.raises(CommandError, match="not a readable PDF"):
        call_command("verify_pdf", str(path), stdout=io.StringIO())


def test_malformed_content_length_is_no_server_error(client, db):
    response = client.post(URL, {}, CONTENT_LENGTH="lots")
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert response.status_code < 500


# Drafts and withdrawn periods: the page vouches only for what the portal has published.

def test_signed_document_of_a_never_published_period_is_not_vouched_for(
    client, signing_keys, db
):
    from tests.factories import make_period

    period = make_period(published=False, promises=1, activities=1)
    call_command("create_demo_signing_keys", stdout=io.StringIO())
    document = sign_all(period)
    response = upload(client, storage.read(document))
    assert response.status_code == 200  # its signatures are checked like any file's
    result = response.context["result"]
    assert result.document is None and not result.is_known
    assert (result.title, result.municipality, result.withdrawn_at) == ("", "", None)
    page = response.content.decode()
    # Nothing from the portal's records of the draft (its signatures' own certificates,
    # which anyone can read in the file, are shown like any file's).
    assert period.title not in page
    assert "Inte ett publicerat dokument" in page


def test_unsigned_draft_document_reads_as_any_unknown_file(client, signing_keys, db):
    from tests.factories import make_period

    period = make_period(published=False, promises=1, activities=1)
    document = services.generate_document(period)
    response = upload(client, storage.read(document))
    assert response.status_code == 400
    assert response.context.get("result") is None
    assert period.title not in response.content.decode()


def withdraw(period, *, title):
    """Unpublish the period, then edit the draft, as a coordinator would."""
    withdrawn = unpublish(period, by=None, reason="Fel siffror")
    withdrawn.title = title
    withdrawn.save()
    return withdrawn.unpublished_at


def test_withdrawn_period_document_shows_its_checks_and_the_withdrawal_date(
    client, signed, katrineholm
):
    from django.utils import dateformat, timezone, translation

    withdrawn_at = withdraw(katrineholm[2022], title="Utkast till nytt löfte")
    response = upload(client, storage.read(signed))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.document == signed
    assert result.withdrawn_at == withdrawn_at
    assert result.title == "Medborgarlöfte 2022–2023"
    assert [s.ok for s in result.signatures] == [True, True]
    page = response.content.decode()
    with translation.override("sv"):
        date = dateformat.format(timezone.localtime(withdrawn_at), "j F Y")
    assert f"avpublicerades från portalen den {date}" in page
    assert "Utkast till nytt löfte" not in page  # the draft's edits stay private
    assert f'href="/medborgarloften/{katrineholm[2022].pk}/"' not in page
    assert "Oförändrat: det här är exakt" not in page


def test_document_made_after_the_period_was_withdrawn_is_not_vouched_for(
    client, signed, katrineholm
):
    period = katrineholm[2022]
    withdraw(period, title=period.title)
    period.refresh_from_db()
    signed_newer = sign_all(period)
    newer = Document.objects.get(period=period, version=signed_newer.version,
                                 signature_count=0)
    for document in (newer, signed_newer):
        response = upload(client, storage.read(document))
        assert response.context.get("result") is None or not response.context["result"].is_known
    # The one it had published still reads as withdrawn, not as a forgery.
    assert upload(client, storage.read(signed)).context["result"].withdrawn_at


def test_verify_pdf_command_names_the_withdrawal(signed, katrineholm, tmp_path):
    withdraw(katrineholm[2022], title="Utkast")
    path = tmp_path / "withdrawn.pdf"
    path.write_bytes(storage.read(signed))
    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    assert "Withdrawn: its period left the public site on" in out.getvalue()
    assert "Utkast" not in out.getvalue()


# Rate limiting: uploads per client address and minute.

def test_uploads_past_the_limit_per_address_get_429_with_retry_after(client, db, settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 2
    for _ in range(2):
        assert upload(client, b"GIF89a not a PDF").status_code == 400
    response = upload(client, b"GIF89a not a PDF")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Högst 2 filer i minuten" in page
    # Another address is counted on its own; reading the page is never limited.
    other = client.post(
        URL, {"file": SimpleUploadedFile("a.pdf", b"GIF89a", "application/pdf")},
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 400
    assert client.get(URL).status_code == 200


def test_rate_limit_counts_the_client_behind_the_proxy(client, db, settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 1
    settings.TRUSTED_PROXY_COUNT = 1

    def upload_from(address):
        return client.post(
            URL, {"file": SimpleUploadedFile("a.pdf", b"GIF89a", "application/pdf")},
            HTTP_X_FORWARDED_FOR=address,
        )

    assert upload_from("198.51.100.1").status_code == 400
    assert upload_from("198.51.100.2").status_code == 400
    assert upload_from("198.51.100.1").status_code == 429
