"""manage.py restore: a backup folder back into a database and a media folder, verified."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customs_core.backup import BackupError
from customs_core.backup.services import backup_restore
from customs_core.backup.text import number_text, size_text
from customs_core.management.progress import progress_for


class Command(BaseCommand):
    requires_system_checks = []  # a recovery must not wait for, or be stopped by, a check
    help = ("Restore a backup folder: verify every checksum first, then the database (into an "
            "empty one unless --force) and the media files, then compare the row counts.")

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", type=Path, help="A folder written by manage.py backup.")
        parser.add_argument("--database-url", default=None,
                            help="The database to restore into (default: the configured one). "
                                 "A password is better given in PGPASSWORD or ~/.pgpass.")
        parser.add_argument("--media-root", type=Path, default=None,
                            help="The folder to restore the uploaded files into "
                                 "(default: MEDIA_ROOT).")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database that has tables (PostgreSQL: its public "
                                 "schema is dropped) and write over files in the media folder.")
        parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                            help="Parallel pg_restore workers (default: the cores, at most 4).")

    def handle(self, *args, **options):
        progress = progress_for(self.stderr, options["verbosity"])
        try:
            result = backup_restore(folder=options["backup_dir"],
                                    database_url=options["database_url"],
                                    media_root=options["media_root"], force=options["force"],
                                    jobs=options["jobs"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            width = max((len(row[0]) for row in result.counts), default=8)
            table, backup, restored = _("table"), _("backup"), _("restored")
            self.stdout.write(f"{table:{width}}  {backup:>12}  {restored:>12}")
            for table, expected, found in result.counts:
                mark = "" if expected == found else "  <-- " + _("differs")
                found_text = "-" if found is None else number_text(found)
                self.stdout.write(f"{table:{width}}  {number_text(expected):>12}  "
                                  f"{found_text:>12}{mark}")
        if result.mismatched:
            raise CommandError(_("%(count)d tables do not hold the rows the manifest lists: "
                                 "%(tables)s.") % {
                "count": len(result.mismatched),
                "tables": ", ".join(row[0] for row in result.mismatched)})
        if result.migrations_differ:
            self.stdout.write(self.style.WARNING(_(
                "The latest migrations of the backup and of this code differ for: %(apps)s. "
                "If the code is newer, run manage.py migrate on the restored database.")
                % {"apps": ", ".join(result.migrations_differ)}))
        self.stdout.write(self.style.SUCCESS(_(
            "Restored into %(database)s: %(rows)s rows in %(tables)d tables, all counts as in "
            "the manifest; media %(media)s in %(files)d files into %(folder)s; %(seconds).1f s.")
            % {"database": result.database,
               "rows": number_text(sum(row[1] for row in result.counts)),
               "tables": len(result.counts), "media": size_text(result.media_bytes),
               "files": result.media_files, "folder": result.media_root,
               "seconds": result.seconds}))
