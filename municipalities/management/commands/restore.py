"""Load a backup archive (from the backup command) into an empty, migrated database."""

import json
import shutil
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from municipalities.management.commands.backup import FORMAT_VERSION, sha256_of

# Rows a fresh `migrate` creates itself (municipalities/migrations/0002): replaced by the
# archive's copies so primary keys match the data that refers to them.
REFERENCE_MODELS = [
    "municipalities.PoliceArea",
    "municipalities.HistoricalPoliceArea",
    "municipalities.Municipality",
    "municipalities.County",
    "municipalities.PoliceRegion",
]


def occupied_tables():
    """Labels of models, outside the reference data, that already hold rows."""
    reference = {label.lower() for label in REFERENCE_MODELS}
    models = [apps.get_model("auth", "User")]
    for label in ("municipalities", "promises", "followup"):
        models += list(apps.get_app_config(label).get_models())
    return [
        model._meta.label for model in models
        if model._meta.label_lower not in reference and model.objects.exists()
    ]


def safe_member_name(name):
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


class Command(BaseCommand):
    help = "Restore a backup archive into an EMPTY database (after migrate) and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        started = time.monotonic()
        source = Path(archive)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        occupied = occupied_tables()
        if occupied:
            raise CommandError(
                "The database is not empty (" + ", ".join(occupied[:5]) + "). Restore only "
                "into a new database: create it, run `manage.py migrate`, then restore."
            )
        media_root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory() as workdir, tarfile.open(source, "r:gz") as tar:
            workdir = Path(workdir)
            members = tar.getmembers()
            unsafe = [m.name for m in members if not (m.isfile() and safe_member_name(m.name))]
            if unsafe:
                raise CommandError(f"The archive holds unexpected entries: {unsafe[:3]}.")
            tar.extractall(workdir, filter="data")
            manifest = json.loads((workdir / "manifest.json").read_text())
            if manifest.get("format") != FORMAT_VERSION:
                raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
            # The manifest names the media files to write under MEDIA_ROOT: a name that
            # climbs out of it (or is absolute) means the archive was tampered with.
            unsafe = [name for name in manifest.get("media", {}) if not safe_member_name(name)]
            if unsafe:
                raise CommandError(
                    f"The manifest names files outside the media folder ({unsafe[:3]}): "
                    "refusing the archive."
                )
            if sha256_of(workdir / "data.json") != manifest["data_sha256"]:
                raise CommandError("data.json does not match the manifest: damaged archive.")
            for name, meta in manifest["media"].items():
                extracted = workdir / "media" / name
                if sha256_of(extracted) != meta["sha256"]:
                    raise CommandError(f"{name} does not match the manifest: damaged archive.")
                existing = media_root / name
                if existing.exists() and sha256_of(existing) != meta["sha256"]:
                    raise CommandError(
                        f"{existing} exists with other content; move it away first."
                    )

            # The archive holds the history already: loading must not write more of it
            # (simple_history would log every many-to-many set as a change).
            with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
                for label in REFERENCE_MODELS:
                    apps.get_model(label).objects.all().delete()
                call_command("loaddata", str(workdir / "data.json"), verbosity=0)

            for name in manifest["media"]:
                destination = media_root / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                if not destination.exists():
                    shutil.copyfile(workdir / "media" / name, destination)
        self.stdout.write(
            f"Restored {source}: data and {len(manifest['media'])} media files "
            f"in {time.monotonic() - started:.1f} s."
        )
