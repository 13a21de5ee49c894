"""Build the national open-data files (JSON, CSV, Excel) now, without the worker: after an
installation, an upgrade or a restore, from cron as a safety net (it also frees the
schedule of a build lost with its worker), and in bench/ before the downloads are
measured. The worker builds them after every change of public data anyway.

    python manage.py build_national_exports
"""

from django.core.management.base import BaseCommand

from public import national_files


class Command(BaseCommand):
    help = "Build the national JSON, CSV and Excel files from published data and store them."

    def handle(self, *args, **options):
        current, replaced = national_files.build_and_finish()
        for format, stored in sorted(current.items()):
            self.stdout.write(
                f"{format}: {stored.file.name}, {stored.size} bytes, "
                f"SHA-256 {stored.sha256}, built {stored.built_at.isoformat()}"
            )
        if not replaced:
            self.stdout.write("The published data had not changed: the files were kept.")
