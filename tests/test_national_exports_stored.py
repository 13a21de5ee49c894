"""The national open-data files as stored files: the worker (or `build_national_exports`)
builds them from published data, the views serve them with their SHA-256 as ETag, and a
change of public data queues one build through the database queue."""

import io
import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models.signals import post_save
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.db.models import F
from django_tasks_db.models import DBTaskResult

from municipalities.models import Municipality
from promises.models import PromisePeriod
from promises.publishing import publish, unpublish
from public import national_files
from public.models import NationalFile, PeriodPage
from tests.factories import make_member, make_period

BUILD = "public.tasks.build_national_files"
NAMES = {"json": "public:national_json", "csv": "public:national_csv",
         "xlsx": "public:national_xlsx"}


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    # The worker has no request: its addresses are on SITE_URL, here the test client's.
    settings.SITE_URL = "http://testserver"
    settings.MEDIA_ROOT = tmp_path / "media"


def download(client, format, **headers):
    response = client.get(reverse(NAMES[format]), headers=headers)
    if response.status_code != 200:
        return response, b""
    if response.streaming:
        return response, b"".join(response.streaming_content)
    return response, response.content


def json_without_build_time(raw):
    data = json.loads(raw)
    assert data.pop("generated_at")
    return data


def sheet_rows(raw):
    return list(openpyxl.load_workbook(io.BytesIO(raw)).active.iter_rows(values_only=True))


def build():
    out = io.StringIO()
    call_command("build_national_exports", stdout=out)
    return out.getvalue()


def stored_bytes(format):
    with NationalFile.objects.get(format=format).file.open("rb") as handle:
        return handle.read()


def build_tasks():
    return DBTaskResult.objects.filter(task_path=BUILD)


def make_builds_due():
    build_tasks().filter(status="READY").update(run_after=timezone.now())


@pytest.mark.django_db
def test_the_built_files_hold_what_the_live_exports_made(client):
    place = Municipality.objects.get(code="0764")
    for year in (2019, 2021, 2023):
        make_period(place, year=year, promises=2, activities=2)
    live = {format: download(client, format)[1] for format in NAMES}
    assert isinstance(download(client, "json")[0], StreamingHttpResponse)  # nothing stored yet

    output = build()

    assert "json: open-data/medborgarloften-" in output
    stored = {format: download(client, format) for format in NAMES}
    for format, (response, raw) in stored.items():
        assert isinstance(response, FileResponse), format
        assert raw == stored_bytes(format)
    assert json_without_build_time(stored["json"][1]) == json_without_build_time(live["json"])
    assert stored["csv"][1] == live["csv"]
    assert sheet_rows(stored["xlsx"][1]) == sheet_rows(live["xlsx"])
    assert len(sheet_rows(live["xlsx"])) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("format", NAMES)
def test_a_stored_file_is_served_with_its_hash_as_etag_and_answers_304(client, format):
    make_period()
    build()
    stored = NationalFile.objects.get(format=format)

    response, raw = download(client, format)

    assert response["ETag"] == f'"{stored.sha256}"'
    assert parsedate_to_datetime(response["Last-Modified"]) == stored.built_at.replace(
        microsecond=0)
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Disposition"] == f'attachment; filename="medborgarloften.{format}"'
    assert int(response["Content-Length"]) == stored.size == len(raw)
    unchanged, _ = download(client, format, if_none_match=response["ETag"])
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == response["ETag"]
    since, _ = download(client, format, if_modified_since=response["Last-Modified"])
    assert since.status_code == 304
    other, _ = download(client, format, if_none_match='"something-else"')
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_json_says_when_it_was_built(client):
    make_period()
    build()
    response, raw = download(client, "json")
    built_at = NationalFile.objects.get(format="json").built_at
    assert json.loads(raw)["generated_at"] == built_at.isoformat()


@pytest.mark.django_db
def test_drafts_and_unpublished_follow_up_never_reach_the_stored_files(client):
    published = make_period(reports=(1,))
    draft = make_period(published=False)
    draft.title = "Utkast som ingen får se"
    draft.save()
    build()
    texts = {
        "json": stored_bytes("json").decode(),
        "csv": stored_bytes("csv").decode("utf-8-sig"),
        "xlsx": repr(sheet_rows(stored_bytes("xlsx"))),
    }
    for format, text in texts.items():
        assert published.title in text, format
        assert draft.title not in text, format
        assert "Löftet T1" in text and "Löftet T2" not in text, format  # report 2 unpublished


@pytest.mark.django_db
def test_unchanged_published_data_keeps_the_files_their_etag_and_date(
    client, django_capture_on_commit_callbacks
):
    make_period()
    build()
    first = {f.format: (f.file.name, f.sha256, f.built_at) for f in NationalFile.objects.all()}
    make_period(published=False)  # a draft changes nothing public
    assert "had not changed" in build()
    assert {f.format: (f.file.name, f.sha256, f.built_at)
            for f in NationalFile.objects.all()} == first
    make_period()
    with django_capture_on_commit_callbacks(execute=True):
        build()
    second = {f.format: f for f in NationalFile.objects.all()}
    assert all(second[format].sha256 != first[format][1] for format in NAMES)
    # Only the current set is kept.
    folder = Path(NationalFile.objects.get(format="json").file.storage.path("open-data"))
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        f.file.name.split("/")[-1] for f in second.values())


@pytest.mark.django_db
def test_a_lost_stored_file_is_made_live_for_no_cache_to_keep(client):
    period = make_period()
    build()
    stored = NationalFile.objects.get(format="csv")
    stored.file.storage.delete(stored.file.name)
    response, raw = download(client, "csv")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert period.title in raw.decode("utf-8-sig")
    assert "no-store" in response["Cache-Control"]

    build()  # the data is unchanged, but the file is made again
    response, raw = download(client, "csv")
    assert isinstance(response, FileResponse) and period.title in raw.decode("utf-8-sig")


# Through the database queue and the worker, as in production: these tests commit.

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publication_queues_one_build_and_the_worker_makes_it_current(client, run_worker):
    place = Municipality.objects.get(code="0483")
    kept = make_period(Municipality.objects.get(code="0484"))  # stays published throughout
    period = make_period(place, published=False, reports=())
    make_builds_due()
    run_worker()
    assert set(build_tasks().values_list("status", flat=True)) == {"SUCCESSFUL"}
    first = NationalFile.objects.get(format="json")
    assert period.title not in stored_bytes("json").decode()

    publishing = timezone.now()
    publish(period, by=make_member("publisher", municipality=place))
    for _number in range(100):  # a hundred saves in a row
        PromisePeriod.objects.get(pk=period.pk).save()

    waiting = build_tasks().filter(status="READY")
    assert waiting.count() == 1
    # It waits to gather what follows (measured from the publication, not from now: a
    # hundred saves on a busy machine may take longer than the wait).
    assert waiting.get().run_after >= publishing + national_files.GATHER
    make_builds_due()
    run_worker()

    assert not build_tasks().filter(status="READY").exists()
    current = NationalFile.objects.get(format="json")
    assert current.sha256 != first.sha256
    response, raw = download(client, "json")
    assert response["ETag"] == f'"{current.sha256}"'
    assert period.title in [p["title"] for p in json.loads(raw)["periods"]]
    # The same task rendered the period's pages ahead of citizens (public/period_pages.py).
    pages = PeriodPage.objects.filter(period=period, built_for=F("wanted"))
    assert sorted(pages.values_list("language", flat=True)) == ["en", "sv"]
    # The replaced file is gone from storage.
    assert not first.file.storage.exists(first.file.name)

    unpublish(period, by=make_member("publisher", municipality=place, username="p2"),
              reason="Fel")
    make_builds_due()
    run_worker()
    titles = [p["title"] for p in json.loads(download(client, "json")[1])["periods"]]
    assert kept.title in titles and period.title not in titles


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_while_a_build_runs_is_followed_by_one_more_build(client, run_worker):
    period = make_period(Municipality.objects.get(code="0483"))

    def change_during_build(sender, **kwargs):
        PromisePeriod.objects.filter(pk=period.pk).update(title="Ändrad under bygget")
        changed = PromisePeriod.objects.get(pk=period.pk)
        changed.save()

    post_save.connect(change_during_build, sender=NationalFile, dispatch_uid="during-build")
    try:
        make_builds_due()
        run_worker()
    finally:
        post_save.disconnect(dispatch_uid="during-build", sender=NationalFile)
    assert "Ändrad under bygget" not in stored_bytes("json").decode()
    assert build_tasks().filter(status="READY").count() == 1  # one more, not three

    make_builds_due()
    run_worker()
    assert "Ändrad under bygget" in stored_bytes("json").decode()
    assert not build_tasks().filter(status="READY").exists()


@pytest.mark.django_db
def test_the_stored_excel_file_keeps_hostile_text_as_text(client):
    from followup.models import FollowUp

    period = make_period(promises=1, activities=1, indicators=0, reports=(1,))
    promise = period.promises.get()
    promise.text = '=HYPERLINK("http://example.com","klicka")'
    promise.save()
    FollowUp.objects.filter(promise=promise, tertial=1).update(
        account="+46 8 123 45 \x01\x0b <b>&amp;</b> ]]>")
    build()
    sheet = openpyxl.load_workbook(io.BytesIO(stored_bytes("xlsx"))).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    texts = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    assert texts[promise.text] == "s"  # shown, never run
    assert texts["+46 8 123 45  <b>&amp;</b> ]]>"] == "s"  # characters XML forbids dropped
    assert any(cell.is_date for cell in cells)
