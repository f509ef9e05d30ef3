from django.core.management.base import BaseCommand

from reporting.direct import differences

from .rebuild_rollups import day_range


class Command(BaseCommand):
    help = ("Compare the rollups of a range of days with a direct computation over the base "
            "tables; exit with status 1 on any difference.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD (inclusive).")
        parser.add_argument("--show", type=int, default=20, help="Differences printed (20).")

    def handle(self, *args, first=None, last=None, show=20, **options):
        days = day_range(first, last)
        if days is None:
            self.stdout.write("Nothing to check: no declaration has been registered.")
            return
        first, last = days
        problems = differences(first, last)
        for problem in problems[:show]:
            self.stdout.write(problem)
        if problems:
            self.stderr.write(f"{len(problems)} differences between {first} and {last}.")
            raise SystemExit(1)
        self.stdout.write(f"Rollups match the event log from {first} to {last}.")
