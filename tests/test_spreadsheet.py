"""The tertial in a spreadsheet: the coordinator downloads the rows they enter as an .xlsx,
fills it in, uploads it, sees every change and every problem with its row number, and saves
all or nothing through the same service and conflict rules as the screen. Files are read
safely and every text the portal writes stays text."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from followup.models import FollowUp, Status, TertialReport
from followup.progress import STATUS_LABELS
from followup.services import FollowUpInput, save_tertial_followups
from followup.tertials import Tertial
from municipalities.formulas import looks_like_formula
from municipalities.models import Municipality
from promises.models import Activity, Indicator, Promise, PromisePeriod
from public.exports import csv_cell
from tests.factories import add_promise, form_fields, make_member, police_area_for

FIRST_ROW = 4
COLUMN = {name: letter for name, letter in zip(
    ["key", "version", "kind", "label", "text", "party", "target", "previous_status",
     "previous_value", "previous_account", "status", "value", "account", "internal_note"],
    "ABCDEFGHIJKLMN", strict=True)}


def urls(period, year=2024, number=2):
    args = [period.pk, year, number]
    return {name: reverse(f"admin:followup_tertial{suffix}", args=args) for name, suffix in [
        ("screen", ""), ("download", "_download"), ("upload", "_upload"),
        ("confirm", "_upload_confirm"),
    ]}


def new_period(municipality, title, year=2024):
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality), title=title,
        valid_from=datetime.date(year, 1, 1), valid_to=datetime.date(year, 12, 31),
        status="published", published_at=timezone.now(),
    )
    period.municipalities.add(municipality)
    return period


@pytest.fixture
def place(db):
    return Municipality.objects.get(code="0428")


@pytest.fixture
def period(place):
    """A 2024 period: a municipality promise with a numeric target, a police activity and
    an activity and an indicator of the promise's party; then a police promise with an
    activity of its own party."""
    period = new_period(place, "Medborgarlöfte Vingåker 2024")
    add_promise(
        period, "municipality", "Fler trygghetsvandringar", order=1, target=("at_least", 4),
        activities=[("Vandring i centrum", "police"), ("Vandring i Marmorbyn", "")],
        indicators=[("Anmälda brott", "")],
    )
    add_promise(period, "police", "Synlig polis", order=2, activities=[("Fotpatrull", "")])
    return period


def by_text(text):
    for model in (Promise, Activity):
        found = model.objects.filter(text=text).first()
        if found:
            return found
    return Indicator.objects.get(name=text)


def in_document_order(period):
    ordered = []
    for promise in period.promises.order_by("order", "pk"):
        ordered += [("promise", promise), *(("activity", a) for a in promise.activities.all()),
                    *(("indicator", i) for i in promise.indicators.all())]
    return ordered


@pytest.fixture
def coordinator(period, client):
    user = make_member("coordinator", municipality=period.municipalities.get())
    client.force_login(user)
    return user


def followup_of(subject, tertial=2, **fields):
    kind = type(subject)._meta.model_name
    promise = subject if kind == "promise" else subject.promise
    return FollowUp.objects.create(
        promise=promise, **({} if kind == "promise" else {kind: subject}),
        year=2024, tertial=tertial, **fields,
    )


def download(client, period, year=2024, number=2, **headers):
    response = client.get(urls(period, year, number)["download"], **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_of(book):
    ws = book.worksheets[0]
    return {ws[f"E{n}"].value: n for n in range(FIRST_ROW, ws.max_row + 1)
            if ws[f"A{n}"].value}


def as_bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, period, data, year=2024, number=2, name="tertial.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(urls(period, year, number)["upload"], {"file": file})


def problems(response):
    """(row, code) of each problem the preview lists, row None for the whole file; each
    with its reason on the page."""
    page = response.content.decode()
    found = response.context["preview"].problems
    for problem in found:
        assert problem.reason and escape(problem.reason) in page
    return [(problem.row, problem.code) for problem in found]


def reasons(response):
    return {problem.row: problem.reason for problem in response.context["preview"].problems}


def saved_state():
    return sorted(FollowUp.objects.values_list("pk", "status", "account", "value", "version"))


# The file ---------------------------------------------------------------------------------

def test_the_file_holds_every_row_in_document_order_with_the_previous_tertial_beside(
    period, coordinator, client
):
    followup_of(by_text("Vandring i Marmorbyn"), tertial=1, status="ongoing",
                account="Två vandringar i våras")
    followup_of(by_text("Anmälda brott"), tertial=1, value=Decimal("12"))
    book = download(client, period)
    ws = book.worksheets[0]
    keys = [ws[f"A{n}"].value for n in range(FIRST_ROW, ws.max_row + 1)]
    assert keys == [f"{period.pk}:2024:2:{kind}:{subject.pk}"
                    for kind, subject in in_document_order(period)]
    assert [ws[f"C{n}"].value for n in range(FIRST_ROW, ws.max_row + 1)] == [
        _("Promise"), _("Activity"), _("Activity"), _("Indicator"), _("Promise"), _("Activity")]
    row = rows_of(book)
    assert ws[f"{COLUMN['previous_status']}3"].value == "Status T1 2024"
    assert ws[f"H{row['Vandring i Marmorbyn']}"].value == Status.ONGOING.label
    assert ws[f"J{row['Vandring i Marmorbyn']}"].value == "Två vandringar i våras"
    assert ws[f"I{row['Anmälda brott']}"].value == 12
    assert ws[f"G{row['Fler trygghetsvandringar']}"].value == (
        by_text("Fler trygghetsvandringar").target.describe())


def test_status_is_a_drop_down_of_swedish_labels_and_only_the_entry_columns_are_open(
    period, coordinator, client
):
    followup_of(by_text("Fotpatrull"), status="completed", account="Klart")
    book = download(client, period)
    ws = book.worksheets[0]
    assert ws.protection.sheet
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    first, last = FIRST_ROW, FIRST_ROW + len(in_document_order(period)) - 1
    assert str(validation.sqref) == f"K{first}:K{last}"
    sheet_name, cells = validation.formula1.split("!")
    choices = book[sheet_name.strip("'")]
    assert choices.sheet_state == "hidden"
    labels = [cell.value for (cell,) in choices[cells.replace("$", "")]]
    assert labels == ["Genomförd", "Utfört och pågående", "Pågående", "Ej påbörjad",
                      "Uppskjuten", str(STATUS_LABELS[""])]
    row = rows_of(book)
    assert ws[f"K{row['Fotpatrull']}"].value == "Genomförd"
    assert ws[f"C{row['Fotpatrull']}"].value == "Aktivitet"
    for n in row.values():
        for letter in "ABCDEFGHIJ":
            assert ws[f"{letter}{n}"].protection.locked, f"{letter}{n}"
        for letter in "KMN":
            assert not ws[f"{letter}{n}"].protection.locked, f"{letter}{n}"
    # A value only where the target is a number, and always for an indicator.
    open_values = {text for text, n in row.items() if not ws[f"L{n}"].protection.locked}
    assert open_values == {"Fler trygghetsvandringar", "Anmälda brott"}


def test_the_file_holds_only_the_rows_the_user_enters(period, client):
    police = make_member("police", police_area=period.police_area)
    client.force_login(police)
    assert set(rows_of(download(client, period))) == {
        "Vandring i centrum", "Synlig polis", "Fotpatrull"}


def test_a_row_the_user_may_not_enter_is_refused_in_the_upload(period, client):
    police = make_member("police", police_area=period.police_area)
    client.force_login(police)
    book = download(client, period)
    ws, row = book.worksheets[0], rows_of(book)
    municipality_row = by_text("Vandring i Marmorbyn")  # the municipality reports it
    ws[f"A{row['Fotpatrull']}"] = f"{period.pk}:2024:2:activity:{municipality_row.pk}"
    ws[f"M{row['Fotpatrull']}"] = "Smugglat in av polisen"
    ws[f"M{row['Synlig polis']}"] = "Polisens redovisning"
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 400
    assert problems(response) == [(row["Fotpatrull"], "unknown_row")]
    assert not FollowUp.objects.exists()


def test_reviewer_may_neither_download_nor_upload(period, client):
    client.force_login(make_member("reviewer", municipality=period.municipalities.get()))
    screen = client.get(urls(period)["screen"]).content.decode()
    assert 'id="upload-form"' not in screen
    assert client.get(urls(period)["download"]).status_code == 403
    assert upload(client, period, b"PK").status_code == 403


def test_another_municipalitys_tertial_cannot_be_downloaded_or_uploaded_to(
    period, coordinator, client
):
    flen = new_period(Municipality.objects.get(code="0482"), "Medborgarlöfte Flen 2024")
    add_promise(flen, "joint", "Flens löfte")
    assert client.get(urls(flen)["download"]).status_code == 404
    assert upload(client, flen, as_bytes(download(client, period))).status_code == 404


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://example.org\",\"klicka\")", "+46 70 123", "-1+2", "@SUM(A1)",
    "＝1+1", "\t=1",
])
def test_formula_looking_text_is_written_as_text(period, coordinator, client, text):
    activity = by_text("Vandring i centrum")
    followup_of(activity, tertial=1, account=text)
    followup_of(activity, account=text, internal_note=text)
    activity.text = text
    activity.save()
    response = client.get(urls(period)["download"])
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    n = next(n for n in range(FIRST_ROW, ws.max_row + 1)
             if ws[f"A{n}"].value.endswith(f":activity:{activity.pk}"))
    for letter in "EJMN":
        cell = ws[f"{letter}{n}"]
        assert (cell.value, cell.data_type) == (text.replace("\t", "\t"), "s"), letter
        assert cell.quotePrefix, letter
    # Uploaded back unchanged, nothing changes.
    preview = upload(client, period, response.content).context["preview"]
    assert (preview.changes, preview.problems) == ([], [])


@pytest.mark.parametrize(("value", "is_formula"), [
    ("=1", True), ("+1", True), ("@a", True), ("－1", True), ("-a", True), ("\rx", True),
    ("-5", False), ("-5.5", False), ("text", False), ("", False),
])
def test_one_rule_for_formula_looking_text_in_every_file(value, is_formula):
    assert looks_like_formula(value) is is_formula
    assert csv_cell(value) == ("'" + value if is_formula else value)


@pytest.mark.parametrize("value", [None, 5, -5, Decimal("-2.5"), datetime.date(2024, 1, 1)])
def test_a_value_that_is_not_text_is_never_a_formula(value):
    assert looks_like_formula(value) is False


# The round trip ---------------------------------------------------------------------------

def test_round_trip_download_edit_upload_preview_and_save(period, coordinator, client):
    marmorbyn = by_text("Vandring i Marmorbyn")
    followup_of(marmorbyn, status="not_started", account="Inte än")
    book = download(client, period)
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"K{row['Fler trygghetsvandringar']}"] = "Pågående"
    ws[f"L{row['Fler trygghetsvandringar']}"] = 3
    ws[f"M{row['Fler trygghetsvandringar']}"] = "Tre vandringar\nmed föräldrar"
    ws[f"K{row['Vandring i Marmorbyn']}"] = "Genomförd"
    ws[f"M{row['Vandring i Marmorbyn']}"] = "Klart i maj"
    ws[f"L{row['Anmälda brott']}"] = "7,5"  # as a Swede types it
    ws[f"N{row['Fotpatrull']}"] = "Namn på en person"
    before = saved_state()

    response = upload(client, period, as_bytes(book))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.problems == []
    assert [(change.row, change.what) for change in preview.changes] == [
        (row["Fler trygghetsvandringar"], f"{_('Promise')}: Fler trygghetsvandringar"),
        (row["Vandring i Marmorbyn"], f"{_('Activity')}: Vandring i Marmorbyn"),
        (row["Anmälda brott"], f"{_('Indicator')}: Anmälda brott"),
        (row["Fotpatrull"], f"{_('Activity')}: Fotpatrull"),
    ]
    assert (_("Status"), Status.NOT_STARTED.label,
            Status.COMPLETED.label) in preview.changes[1].fields
    page = response.content.decode()
    assert "Klart i maj" in page and 'id="confirm-form"' in page
    assert saved_state() == before  # a preview saves nothing

    token = form_fields(page, "confirm-form")["token"][0]
    response = client.post(urls(period)["confirm"], {"token": token})
    assert response.status_code == 302
    assert response["Location"] == urls(period)["screen"]
    saved = {f.subject: f for f in FollowUp.objects.filter(year=2024, tertial=2)}
    promise = by_text("Fler trygghetsvandringar")
    assert (saved[promise].status, saved[promise].value, saved[promise].account) == (
        "ongoing", Decimal("3"), "Tre vandringar\nmed föräldrar")
    assert (saved[marmorbyn].status, saved[marmorbyn].account) == ("completed", "Klart i maj")
    assert saved[marmorbyn].version == 2
    assert saved[by_text("Anmälda brott")].value == Decimal("7.5")
    assert saved[by_text("Fotpatrull")].internal_note == "Namn på en person"
    for followup in saved.values():
        assert followup.updated_by == coordinator
        assert followup.history.first().history_user == coordinator

    screen = client.get(response["Location"])
    data = form_fields(screen.content.decode(), "tertial-form")
    assert data[f"p{promise.pk}-status"] == ["ongoing"]
    assert data[f"p{promise.pk}-value"] == ["3,00"]
    assert data[f"a{marmorbyn.pk}-account"] == ["Klart i maj"]
    (message,) = screen.context["messages"]
    assert "4" in str(message) and message.level_tag == "success"
    # The token is spent: a second confirm saves nothing more.
    assert client.post(urls(period)["confirm"], {"token": token}).status_code == 400


def test_a_row_left_as_downloaded_changes_nothing(period, coordinator, client):
    # A value saved before the target stopped being a number is not in the file (the row
    # asks none), and a file that leaves the row alone keeps it.
    marmorbyn = by_text("Vandring i Marmorbyn")
    followup_of(marmorbyn, status="ongoing", account="Rad ett\r\nrad två  ", value=Decimal("2"))
    followup_of(by_text("Anmälda brott"), value=Decimal("7.50"))
    data = client.get(urls(period)["download"]).content
    response = upload(client, period, data)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.changes, preview.problems, preview.notes) == ([], [], [])
    assert 'id="confirm-form"' not in response.content.decode()


def test_the_screen_offers_download_and_upload(period, coordinator, client):
    page = client.get(urls(period)["screen"]).content.decode()
    assert f'href="{urls(period)["download"]}"' in page
    assert re.search(r'<form[^>]+enctype="multipart/form-data"[^>]+id="upload-form"', page)


# Problems ---------------------------------------------------------------------------------

def test_every_problem_is_listed_with_its_row_and_nothing_is_saved(period, coordinator, client):
    book = download(client, period)
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"M{row['Fler trygghetsvandringar']}"] = "En bra rad"
    ws[f"K{row['Vandring i centrum']}"] = "Nästan klart"
    ws[f"L{row['Anmälda brott']}"] = "sju"
    ws[f"L{row['Vandring i Marmorbyn']}"] = 4  # its target is not a number
    ws[f"A{row['Fotpatrull']}"] = f"{period.pk}:2024:2:activity:999999"
    ws["A20"], ws["M20"] = None, "En rad som lagts till"
    ws["A21"], ws["M21"] = f"{period.pk}:2024:1:promise:{by_text('Synlig polis').pk}", "x"
    before = saved_state()
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 400
    assert dict(problems(response)) == {
        row["Vandring i centrum"]: "invalid_status", row["Anmälda brott"]: "not_a_number",
        row["Vandring i Marmorbyn"]: "takes_no_value", row["Fotpatrull"]: "unknown_row",
        20: "no_key", 21: "other_tertial",
    }
    assert "Nästan klart" in reasons(response)[row["Vandring i centrum"]]
    assert "sju" in reasons(response)[row["Anmälda brott"]]
    assert "T1 2024" in reasons(response)[21]
    page = response.content.decode()
    assert 'id="confirm-form"' not in page and "Nästan klart" in page
    assert len(response.context["preview"].changes) == 1  # shown, but not to be saved
    assert saved_state() == before
    assert not client.session.get("tertial_uploads")


@pytest.mark.parametrize(("data", "code"), [
    ("Hej, det här är ingen arbetsbok".encode(), "not_a_workbook"),
    (b"", "empty"),
    (b"%PDF-1.7\n", "not_a_workbook"),
])
def test_a_file_that_is_not_a_workbook_is_refused(period, coordinator, client, data, code):
    response = upload(client, period, data)
    assert response.status_code == 400
    assert problems(response) == [(None, code)]


def test_a_damaged_workbook_is_refused(period, coordinator, client):
    data = client.get(urls(period)["download"]).content
    damaged = data[:len(data) // 2] + b"\0" * 100 + data[len(data) // 2 + 100:]
    response = upload(client, period, damaged)
    assert response.status_code == 400
    assert problems(response) == [(None, "not_a_workbook")]


def test_a_workbook_not_made_by_the_portal_is_refused(period, coordinator, client):
    book = openpyxl.Workbook()
    book.active["A4"] = f"{period.pk}:2024:2:promise:1"
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 400
    assert problems(response) == [(None, "not_a_tertial_file")]


def rewritten(data, name, content):
    """The workbook with one member replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename,
                            content if member.filename == name else source.read(member))
    return out.getvalue()


@pytest.mark.parametrize("entity", [
    '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    '<!ENTITY lol2 SYSTEM "file:///etc/passwd">',
])
def test_entities_in_the_xml_are_never_expanded(period, coordinator, client, entity):
    data = client.get(urls(period)["download"]).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    declaration, rest = sheet.split("?>", 1) if sheet.startswith("<?xml") else ("", sheet)
    assert "Fler trygghetsvandringar" in rest
    hostile = (f"{declaration}?>" if declaration else "") + (
        f"<!DOCTYPE worksheet [{entity}]>" + rest.replace("Fler trygghetsvandringar", "&lol2;"))
    response = upload(client, period, rewritten(data, "xl/worksheets/sheet1.xml", hostile))
    assert response.status_code == 400
    assert "root:" not in response.content.decode()
    assert problems(response) == [(None, "not_a_workbook")]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(period, coordinator, client, settings):
    settings.TERTIAL_UPLOAD_MAX_BYTES = 100_000  # unpacks to at most 2.5 MB
    data = client.get(urls(period)["download"]).content
    bomb = rewritten(data, "xl/worksheets/sheet1.xml", b" " * 10_000_000)
    assert len(bomb) < 100_000
    response = upload(client, period, bomb)
    assert response.status_code == 400
    assert problems(response) == [(None, "too_large_unpacked")]


def test_a_file_over_the_size_cap_is_refused_with_a_message(
    period, coordinator, client, settings
):
    data = client.get(urls(period)["download"]).content
    settings.TERTIAL_UPLOAD_MAX_BYTES = len(data) - 1
    response = upload(client, period, data)
    assert response.status_code == 413
    assert problems(response) == [(None, "too_large")]
    assert filesizeformat(len(data) - 1) in reasons(response)[None]
    settings.TERTIAL_UPLOAD_MAX_BYTES = 1000  # refused on its declared length, unread
    response = upload(client, period, data)
    assert response.status_code == 413
    assert problems(response) == [(None, "too_large")]
    assert filesizeformat(1000) in reasons(response)[None]


# Someone else, another period -------------------------------------------------------------

def test_a_row_saved_by_someone_else_after_the_download_is_refused(
    period, coordinator, client
):
    activity, indicator = by_text("Vandring i centrum"), by_text("Anmälda brott")
    followup_of(activity, account="Som det var")
    book = download(client, period)
    colleague = make_member("coordinator", municipality=period.municipalities.get(),
                            username="kollega")
    save_tertial_followups(
        period=period, tertial=Tertial(2024, 2), by=colleague,
        subjects={("activity", activity.pk): activity},
        rows=[FollowUpInput("activity", activity.pk, "ongoing", "Kollegans text", None, "", 1)],
    )
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"M{row['Vandring i centrum']}"] = "Min text"
    ws[f"L{row['Anmälda brott']}"] = 5
    before = saved_state()
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 409
    assert problems(response) == [(row["Vandring i centrum"], "stale")]
    assert "kollega" in reasons(response)[row["Vandring i centrum"]]
    assert 'id="confirm-form"' not in response.content.decode()
    assert saved_state() == before
    assert not FollowUp.objects.filter(indicator=indicator).exists()


def test_a_row_someone_else_saved_that_the_file_leaves_alone_keeps_their_version(
    period, coordinator, client
):
    activity = by_text("Vandring i centrum")
    followup_of(activity, account="Som det var")
    book = download(client, period)
    followup = FollowUp.objects.get(activity=activity)
    followup.account = "Kollegans text"
    followup.save()
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"M{row['Fotpatrull']}"] = "Min text"
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [change.row for change in preview.changes] == [row["Fotpatrull"]]
    assert [note.row for note in preview.notes] == [row["Vandring i centrum"]]
    token = form_fields(response.content.decode(), "confirm-form")["token"][0]
    assert client.post(urls(period)["confirm"], {"token": token}).status_code == 302
    assert FollowUp.objects.get(activity=activity).account == "Kollegans text"
    assert FollowUp.objects.get(activity=by_text("Fotpatrull")).account == "Min text"


def test_a_row_saved_by_someone_else_between_preview_and_confirm_saves_nothing(
    period, coordinator, client
):
    first, second = by_text("Vandring i centrum"), by_text("Fotpatrull")
    followup_of(first, account="Som det var")
    book = download(client, period)
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"M{row['Vandring i centrum']}"] = "Min text"
    ws[f"M{row['Fotpatrull']}"] = "Också min text"
    response = upload(client, period, as_bytes(book))
    token = form_fields(response.content.decode(), "confirm-form")["token"][0]
    followup = FollowUp.objects.get(activity=first)
    followup.account = "Hann före"
    followup.save()
    response = client.post(urls(period)["confirm"], {"token": token})
    assert response.status_code == 409
    assert problems(response) == [(row["Vandring i centrum"], "stale")]
    assert FollowUp.objects.get(activity=first).account == "Hann före"
    assert not FollowUp.objects.filter(activity=second).exists()


def test_a_file_of_another_municipality_is_refused_row_by_row(period, client):
    flen = new_period(Municipality.objects.get(code="0482"), "Medborgarlöfte Flen 2024")
    add_promise(flen, "joint", "Flens löfte", activities=[("Flens aktivitet", "")])
    user = make_member("coordinator", municipality=period.municipalities.get(), username="två")
    make_member("coordinator", municipality=flen.municipalities.get(), username="två")
    client.force_login(user)
    book = download(client, flen)
    ws, row = book.worksheets[0], rows_of(book)
    ws[f"M{row['Flens aktivitet']}"] = "Fel fil"
    response = upload(client, period, as_bytes(book))
    assert response.status_code == 400
    assert problems(response) == [(row["Flens löfte"], "other_period"),
                                  (row["Flens aktivitet"], "other_period")]
    assert not FollowUp.objects.exists()


def test_a_preview_token_of_another_tertial_saves_nothing(period, coordinator, client):
    book = download(client, period)
    book.worksheets[0][f"M{rows_of(book)['Fotpatrull']}"] = "Min text"
    response = upload(client, period, as_bytes(book))
    token = form_fields(response.content.decode(), "confirm-form")["token"][0]
    assert client.post(urls(period, 2024, 3)["confirm"], {"token": token}).status_code == 400
    assert client.post(urls(period)["confirm"], {"token": "gissat"}).status_code == 400
    assert not FollowUp.objects.exists()


def test_changes_to_a_published_tertial_are_marked_as_corrections(period, coordinator, client):
    TertialReport.objects.create(period=period, year=2024, tertial=2, status="published",
                                 published_at=timezone.now())
    activity = by_text("Fotpatrull")
    followup_of(activity, status="ongoing", account="Två patruller")
    book = download(client, period)
    book.worksheets[0][f"M{rows_of(book)['Fotpatrull']}"] = "Tre patruller"
    response = upload(client, period, as_bytes(book))
    assert response.context["is_public"]
    token = form_fields(response.content.decode(), "confirm-form")["token"][0]
    client.post(urls(period)["confirm"], {"token": token})
    corrected = FollowUp.objects.get(activity=activity)
    assert corrected.corrected_at is not None and "Tre patruller" in corrected.correction
