from django.core.management.base import BaseCommand

from hangdoi.services import outbox_deliver


class Command(BaseCommand):
    help = "Publish the queued tasks the broker has not taken yet (it was down when they were queued)."

    def handle(self, *args, **options):
        self.stdout.write(f"{outbox_deliver()} published")
