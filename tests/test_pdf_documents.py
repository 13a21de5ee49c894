"""The printed documents: what the medborgarlöfte document and the tertial report hold, how
they are rendered (PDF/A, tagged, our own font only), stored and served."""

import io

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from followup import documents as report_documents
from followup.models import FollowUp, TertialReport
from promises.documents import rendering as pdf
from promises.documents import services, storage
from promises.models import Document, Promise
from promises.publishing import unpublish


def sign_all(period):
    """Make the document and sign it for every signatory, in order."""
    services.generate_document(period)
    document = None
    for signatory in period.signatories.all():
        document = services.sign_document(period, signatory=signatory)
    return document


def text_of(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text):
    return " ".join(text.split())


@pytest.fixture
def agreement_2022(katrineholm, signing_keys):
    return services.generate_document(katrineholm[2022])


def test_agreement_holds_parties_sections_promises_and_signatories(agreement_2022):
    text = flat(text_of(storage.read(agreement_2022)))
    for expected in [
        "Medborgarlöfte 2022–2023",
        "Katrineholm",
        "Lokalpolisområde Katrineholm",
        "samverkansöverenskommelse om lokalt trygghetskapande",  # introduction
        "Ungdomars \"häng\" i tätorten",  # what citizens experience
        "Våld", "Droger", "Ungdomsbrottslighet",  # focus areas
        "Medborgarlöftet kommer vara en del av det trygghetsskapande arbetet",  # effects
        "Rådet för Trygghet och Säkerhet",  # follow-up
        "sätta in åtgärder, både kortsiktiga och långsiktiga",  # the promise
        "Liselotte Jergard", "Chef lokalpolisområde Katrineholm",
        "Johan Söderberg (S)", "Kommunstyrelsens ordförande",
        "Sida 1 av",
    ]:
        assert expected in text, expected


def test_agreement_lists_activities_and_indicators_with_targets(katrineholm, signing_keys):
    promise = katrineholm[2022].promises.get()
    promise.activities.create(text="Kvällsvandringar i Nävertorp", target_text="minst tio")
    promise.indicators.create(name="Antal trygghetsdialoger", target_comparison="at_least",
                              target_value=12, target_unit="st")
    text = flat(text_of(storage.read(services.generate_document(katrineholm[2022]))))
    assert "Kvällsvandringar i Nävertorp" in text
    assert "minst tio" in text
    assert "Antal trygghetsdialoger" in text
    assert "minst 12 st" in text


def test_agreement_is_tagged_pdfa_with_only_the_shipped_font_embedded(agreement_2022):
    reader = PdfReader(io.BytesIO(storage.read(agreement_2022)))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"3" in xmp
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, "every font must be embedded"
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("Noto-Sans-Portal") for name in fonts), fonts


def test_tertial_report_holds_public_accounts_summary_and_never_internal_notes(
    katrineholm, signing_keys
):
    period = katrineholm[2018]
    followup = FollowUp.objects.get(
        activity__text__startswith="Spangrupp", year=2018, tertial=3
    )
    followup.internal_note = "HEMLIG UPPGIFT OM PÅGÅENDE ÄRENDE"
    followup.save()
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    text = flat(text_of(storage.read(report_documents.generate_tertial_report(report))))
    assert "221 narkotikabrott har rapporterats under 2018" in text  # tertial 3
    assert "158 narkotikabrott har rapporteras" in text  # tertial 2
    assert "Spangrupp & IGV fokus på ungdomar som missbrukar narkotika" in text
    assert "Den anmälda brottsligheten har minskat med 181 brott" in text  # summary
    assert "Kommunen följer upp alla anmälningar" in text  # year-end comment
    assert "HEMLIG" not in text


def test_tertial_report_leaves_out_follow_ups_of_unpublished_tertials(katrineholm, signing_keys):
    period = katrineholm[2018]
    TertialReport.objects.filter(period=period, tertial=2).update(
        status=TertialReport.Status.DRAFT, published_at=None
    )
    report = TertialReport.objects.get(period=period, tertial=3)
    text = flat(text_of(storage.read(report_documents.generate_tertial_report(report))))
    assert "221 narkotikabrott" in text
    assert "158 narkotikabrott" not in text


def test_draft_tertial_report_is_not_made_into_a_pdf(katrineholm, signing_keys):
    report = unpublish(
        TertialReport.objects.get(period=katrineholm[2018], tertial=3), by=None, reason="Fel"
    )
    Document.objects.all().delete()
    with pytest.raises(services.DocumentError):
        report_documents.generate_tertial_report(report)
    assert not Document.objects.exists()


@pytest.mark.parametrize("url", [
    "https://example.org/evil.css",
    "http://127.0.0.1:8000/static/css/print.css",
    "file:///etc/passwd",
    pdf.BASE_URL + "static/../config/settings.py",
    pdf.BASE_URL + "media/documents/x.pdf",
])
def test_pdf_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(ValueError):
        pdf.StaticFilesOnlyFetcher().fetch(url)


def test_pdf_fetcher_serves_our_stylesheet_and_font():
    fetcher = pdf.StaticFilesOnlyFetcher()
    assert isinstance(fetcher, URLFetcher)
    css = fetcher.fetch(pdf.BASE_URL + "static/css/print.css")
    assert b"@font-face" in css.read()
    font = fetcher.fetch(pdf.BASE_URL + "static/fonts/NotoSans-Regular.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00"


def test_stored_document_is_served_byte_for_byte_and_never_rendered_again(
    client, agreement_2022, katrineholm
):
    stored = storage.read(agreement_2022)
    katrineholm[2022].promises.update(text="Ändrad text efter utfärdandet")
    response = client.get(f"/dokument/{agreement_2022.sha256}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert storage.sha256_of(stored) == agreement_2022.sha256
    again = client.get(
        f"/dokument/{agreement_2022.sha256}.pdf", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_changing_a_signed_agreement_makes_a_new_version_and_keeps_the_old(
    client, katrineholm, signing_keys, english
):
    period = katrineholm[2022]
    first = sign_all(period)
    promise = Promise.objects.get(period=period)
    promise.text = "Ett nytt löfte för den nya versionen"
    promise.save()
    period.refresh_from_db()
    assert storage.newest_state(period).superseded
    with pytest.raises(services.DocumentError, match="changed"):
        services.sign_document(period, signatory=period.signatories.first())
    second = services.generate_document(period)
    assert (first.version, second.version) == (1, 2)
    assert second.signature_count == 0
    state = storage.newest_state(period)
    assert state.document == second and not state.superseded
    assert "Ett nytt löfte" in text_of(storage.read(second))
    old = client.get(f"/dokument/{first.sha256}.pdf")
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == storage.read(first)
    assert Document.objects.filter(period=period).count() == 4  # v1 × 3 states, v2 unsigned


def test_documents_of_a_draft_period_are_not_public(client, katrineholm, signing_keys):
    period = katrineholm[2022]
    document = services.generate_document(period)
    unpublish(period, by=None, reason="Fel i texten")
    assert client.get(f"/dokument/{document.sha256}.pdf").status_code == 404


def test_period_page_links_the_signed_agreement_and_published_reports_with_sha256(
    client, katrineholm, signing_keys
):
    period = katrineholm[2018]
    period.signatories.create(party="police", name="Polischef", title="Chef")
    period.signatories.create(party="municipality", name="Ordförande", title="KSO")
    both = sign_all(period)
    reports = report_documents.generate_missing_tertial_reports(period)
    unpublish(TertialReport.objects.get(period=period, tertial=2), by=None, reason="Fel")
    page = client.get(f"/medborgarloften/{period.pk}/").content.decode()
    assert f"/dokument/{both.sha256}.pdf" in page
    assert both.sha256 in page
    shown = {r.tertial for r in reports if r.sha256 in page}
    assert shown == {1, 3}  # tertial 2's report is no longer published


def test_documents_section_costs_the_same_queries_at_any_number_of_versions(
    client, katrineholm, signing_keys
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period = katrineholm[2022]
    services.generate_document(period)
    with CaptureQueriesContext(connection) as one_version:
        client.get(f"/medborgarloften/{period.pk}/?v=1")
    for _ in range(3):
        services.generate_document(period)
    with CaptureQueriesContext(connection) as four_versions:
        response = client.get(f"/medborgarloften/{period.pk}/?v=2")
    assert len(response.context["documents"].earlier_versions) == 3
    assert len(four_versions) == len(one_version)


def test_tertial_report_has_the_indicator_table_with_targets_and_public_values(
    katrineholm, signing_keys
):
    period = katrineholm[2018]
    promise = period.promises.order_by("order").first()
    indicator = promise.indicators.create(
        name="Antal anmälda narkotikabrott", target_unit="brott", target_text="färre än 2017"
    )
    FollowUp.objects.create(promise=promise, indicator=indicator, year=2018, tertial=3,
                            value=221, internal_note="HEMLIGT MÄTVÄRDESNOTAT")
    report = TertialReport.objects.get(period=period, tertial=3)
    text = flat(text_of(storage.read(report_documents.generate_tertial_report(report))))
    assert "Antal anmälda narkotikabrott" in text
    assert "färre än 2017" in text.lower()
    assert "221" in text
    assert "HEMLIGT" not in text


def test_withdrawn_tertial_reports_pdf_is_no_longer_public(
    client, katrineholm, signing_keys, django_user_model
):
    from django.test import Client

    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=2)
    document = report_documents.generate_tertial_report(report)
    url = f"/dokument/{document.sha256}.pdf"
    assert client.get(url).status_code == 200
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "x" * 16)
    unpublish(report, by=editor, reason="Fel siffror")
    # The address was on the period page; the withdrawn report's PDF goes with the report.
    assert Client().get(url).status_code == 404
    assert Client().get(url, HTTP_IF_NONE_MATCH=f'"{document.sha256}"').status_code == 404
    editor_client = Client()
    editor_client.force_login(editor)
    assert editor_client.get(url).status_code == 200
