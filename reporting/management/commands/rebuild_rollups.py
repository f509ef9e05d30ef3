from datetime import date

from django.core.management.base import BaseCommand, CommandError

from customs_core.management.progress import progress_for
from reporting.rollups import history_span, rollups_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from error


def day_range(first: str | None, last: str | None) -> tuple[date, date] | None:
    """--from/--to as days, the whole history for a missing end; None when there is nothing
    (no row yet and no range given)."""
    span = history_span()
    if span is None and not (first and last):
        return None
    first_day = _day(first) if first else span[0]
    last_day = _day(last) if last else span[1]
    if last_day < first_day:
        raise CommandError("--to is before --from.")
    return first_day, last_day


class Command(BaseCommand):
    help = ("Recompute the reporting rollups of a range of days from the declaration event log "
            "(the whole history when no range is given).")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD (inclusive).")
        parser.add_argument("--chunk-days", type=int, default=None,
                            help="Days recomputed per transaction (default: the whole range in "
                                 "one transaction, the fastest).")

    def handle(self, *args, first=None, last=None, chunk_days=None, verbosity=1, **options):
        if chunk_days is not None and chunk_days < 1:
            raise CommandError("--chunk-days must be at least 1.")
        days = day_range(first, last)
        if days is None:
            self.stdout.write("Nothing to rebuild: no declaration has been registered.")
            return
        first, last = days
        chunks = rollups_rebuild(first, last, chunk_days=chunk_days,
                                 progress=progress_for(self.stderr, verbosity))
        self.stdout.write(f"Rollups rebuilt from {first} to {last} ({chunks} transactions).")
