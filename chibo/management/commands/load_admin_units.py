from django.core.management.base import BaseCommand

from chibo.services import admin_units_load


class Command(BaseCommand):
    help = "Load or refresh the official 2025 administrative units (idempotent)."

    def handle(self, *args, **options):
        provinces, communes = admin_units_load()
        self.stdout.write(f"{provinces} provinces, {communes} communes")
