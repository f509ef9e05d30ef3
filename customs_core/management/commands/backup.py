"""manage.py backup: the database and the uploaded files, with a manifest of checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customs_core.backup import BackupError
from customs_core.backup.services import backup_create
from customs_core.backup.text import number_text, size_text
from customs_core.management.progress import progress_for


class Command(BaseCommand):
    requires_system_checks = []  # a recovery must not wait for, or be stopped by, a check
    help = ("Back up the database (pg_dump, or SQLite's online backup) and every file under "
            "MEDIA_ROOT into a new folder with manifest.json (row counts, migrations, checksums).")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None,
                            help="The backup folder to create (default: a timestamped folder "
                                 "under BACKUP_ROOT). It must not exist yet.")

    def handle(self, *args, **options):
        progress = progress_for(self.stderr, options["verbosity"])
        try:
            result = backup_create(output=options["output"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(_(
            "Backup written to %(folder)s: database %(database)s, %(rows)s rows in %(tables)d "
            "tables; media %(media)s in %(files)d files; %(seconds).1f s.") % {
                "folder": result.folder, "database": size_text(result.database_bytes),
                "rows": number_text(sum(result.tables.values())), "tables": len(result.tables),
                "media": size_text(result.media_bytes), "files": result.media_files,
                "seconds": result.seconds}))
