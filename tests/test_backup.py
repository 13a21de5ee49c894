"""Backups: one archive with data and stored PDFs; restore into an empty database gives
back identical rows and byte-identical files."""

import hashlib
import io
import json
import shutil
import tarfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from municipalities.management.commands.backup import DUMPED
from municipalities.models import AuditEvent, Membership, Municipality, Role
from municipalities.reference import load_reference_data
from promises.documents import services, storage
from promises.models import Document


def dump():
    out = io.StringIO()
    call_command("dumpdata", *DUMPED, natural_foreign=True, stdout=out)
    return sorted(json.loads(out.getvalue()), key=lambda row: (row["model"], str(row["pk"])))


def differences(before, after):
    """The rows that differ, by (model, pk), with the fields that differ: readable output
    when a restore is not identical."""
    old = {(row["model"], str(row["pk"])): row["fields"] for row in before}
    new = {(row["model"], str(row["pk"])): row["fields"] for row in after}
    changed = {
        key: {f: (old[key].get(f), new[key].get(f)) for f in old[key].keys() | new[key].keys()
              if old[key].get(f) != new[key].get(f)}
        for key in old.keys() & new.keys() if old[key] != new[key]
    }
    return {"missing": sorted(old.keys() - new.keys())[:20],
            "extra": sorted(new.keys() - old.keys())[:20],
            "changed": dict(list(changed.items())[:10])}


def media_hashes(root):
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*") if path.is_file()
    }


def empty_database_as_after_migrate():
    # Inside the test's transaction PostgreSQL refuses TRUNCATE while foreign-key checks
    # are pending: run them now, and defer them again afterwards as Django expects.
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    load_reference_data(
        PoliceRegion=apps.get_model("municipalities", "PoliceRegion"),
        County=apps.get_model("municipalities", "County"),
        Municipality=apps.get_model("municipalities", "Municipality"),
    )


@pytest.fixture
def populated(katrineholm, signing_keys, django_user_model):
    user = django_user_model.objects.create_user("cecilia", password="x" * 16, is_staff=True)
    Membership.objects.create(
        user=user, role=Role.COORDINATOR, municipality=Municipality.objects.get(code="0483")
    )
    agreement = services.generate_document(katrineholm[2022])
    return agreement


def test_restore_gives_identical_data_and_identical_pdf_hashes(populated, settings, tmp_path):
    media_root = settings.MEDIA_ROOT
    archive = tmp_path / "backup.tar.gz"
    before_rows, before_files = dump(), media_hashes(media_root)
    assert any(name.endswith(".pdf") for name in before_files)
    assert any(row["model"] == "promises.document" for row in before_rows)
    assert any(row["model"] == "auth.user" for row in before_rows)
    assert any(row["model"].startswith("followup.historical") for row in before_rows)

    call_command("backup", str(archive), stdout=io.StringIO())
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    empty_database_as_after_migrate()
    shutil.rmtree(media_root)
    assert not Document.objects.exists()

    call_command("restore", str(archive), stdout=io.StringIO())

    after_rows = dump()
    assert after_rows == before_rows, differences(before_rows, after_rows)
    assert media_hashes(media_root) == before_files
    document = Document.objects.get(pk=populated.pk)
    assert hashlib.sha256(storage.read(document)).hexdigest() == populated.sha256
    # Restoring replays no role grants into the audit log.
    assert AuditEvent.objects.count() == sum(
        row["model"] == "municipalities.auditevent" for row in before_rows
    )


def test_restore_refuses_a_database_that_is_not_empty(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    rows = dump()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert dump() == rows


def test_backup_refuses_to_overwrite_an_existing_file(db, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"precious")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_bytes() == b"precious"


def test_restore_refuses_an_archive_that_writes_outside_media(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = b"owned"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    empty_database_as_after_migrate()
    with pytest.raises(CommandError, match="unexpected entries"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert not (tmp_path.parent / "etc").exists()


def test_restore_refuses_a_damaged_archive(populated, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "data.json":
                data = data.replace(b"Katrineholm", b"Katrinehulm", 1)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty_database_as_after_migrate()
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), stdout=io.StringIO())
    assert not Document.objects.exists()


def test_restore_keeps_times_to_the_microsecond(populated, settings, tmp_path):
    """Django's JSON keeps milliseconds only: a time just past a whole second would come
    back rounded down, so the restored database would not be identical."""
    from promises.models import PromisePeriod

    period = PromisePeriod.objects.order_by("pk").first()
    exact = period.updated_at.replace(microsecond=456)
    PromisePeriod.objects.filter(pk=period.pk).update(updated_at=exact)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    empty_database_as_after_migrate()
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("restore", str(archive), stdout=io.StringIO())
    assert PromisePeriod.objects.get(pk=period.pk).updated_at == exact
