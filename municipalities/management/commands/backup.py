"""Write one archive with everything the portal stores: the data and the media files."""

import hashlib
import io
import json
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

FORMAT_VERSION = 1
# Our apps (history tables included: they live in the same apps), the people and their
# second factors, and the admin's change log. Not sessions, lockouts or content types:
# those are rebuilt or transient. Never the public app (subscribers' addresses: the privacy
# page promises no backup keeps them) nor the task queue.
DUMPED = [
    "auth.group",
    "auth.user",
    "otp_totp",
    "municipalities",
    "promises",
    "followup",
    "admin.logentry",
]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root):
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class Command(BaseCommand):
    help = "Write a .tar.gz backup: data.json (dumpdata), the media files and a manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Where to write the archive, e.g. backup.tar.gz")

    def handle(self, *args, archive, **options):
        started = time.monotonic()
        target = Path(archive)
        if target.exists():
            raise CommandError(f"{target} exists already; choose a new file name.")
        with tempfile.TemporaryDirectory() as workdir:
            data_path = Path(workdir) / "data.json"
            # One repeatable-read snapshot on PostgreSQL, so the tables agree with each other.
            with transaction.atomic():
                call_command(
                    "dumpdata", *DUMPED, natural_foreign=True, indent=None,
                    format="json-exact", output=str(data_path), verbosity=0,
                )
            media_root = Path(settings.MEDIA_ROOT)
            files = {
                str(path.relative_to(media_root)): {
                    "sha256": sha256_of(path), "size": path.stat().st_size,
                }
                for path in media_files(media_root)
            }
            manifest = {
                "format": FORMAT_VERSION,
                "created": timezone.now().isoformat(),
                "data_sha256": sha256_of(data_path),
                "media": files,
            }
            partial = target.with_name(target.name + ".partial")
            with tarfile.open(partial, "w:gz") as tar:
                payload = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(payload)
                info.mtime = int(time.time())
                tar.addfile(info, io.BytesIO(payload))
                tar.add(data_path, arcname="data.json")
                for name in files:
                    tar.add(media_root / name, arcname=f"media/{name}")
            partial.chmod(0o600)  # it holds password hashes and TOTP secrets
            partial.rename(target)
        self.stdout.write(
            f"Wrote {target} ({target.stat().st_size} bytes, {len(files)} media files) "
            f"in {time.monotonic() - started:.1f} s."
        )
