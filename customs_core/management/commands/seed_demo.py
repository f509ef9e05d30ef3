"""Fill an empty database with demo data: each app's demo.py, in dependency order."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from customs_core.management.progress import progress_for
from customs_core.models import TariffLine
from customs_core.reference_data import reference_data_load

# Dependency order (DESIGN.md section 3): nothing seeds data of an app above it.
APP_ORDER = ["customs_core", "declarations", "risk", "inspection", "warehouses", "partnership",
             "reporting"]


class Command(BaseCommand):
    help = "Create demo accounts (one per role), enterprises, exchange rates and app demo data."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when demo accounts already exist.")
        parser.add_argument("--declarations", type=int, default=0,
                            help="How many historical declarations to generate (declarations app).")
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (reproducible).")

    def handle(self, *args, **options):
        from customs_core.models import User

        if options["if_empty"] and User.objects.filter(username="declarant").exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        progress = progress_for(self.stderr, options["verbosity"])
        if not TariffLine.objects.exists():
            reference_data_load(progress)
        # Demo events tell nobody by e-mail (the bell keeps them); a real run's mail is real.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed_apps(options, progress)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _seed_apps(self, options, progress):
        for label in APP_ORDER:
            config = apps.get_app_config(label)
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            counts = module.seed(options=options, progress=progress)
            summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
            self.stdout.write(f"{label}: {summary}")
