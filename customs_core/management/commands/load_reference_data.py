from django.core.management.base import BaseCommand

from customs_core.management.progress import progress_for
from customs_core.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Load countries, currencies, the HS 2022 nomenclature, the tariff, regimes and places."

    def handle(self, *args, **options):
        counts = reference_data_load(progress_for(self.stderr, options["verbosity"]))
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
