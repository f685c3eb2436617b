"""National-scale synthetic data for benchmarks (PostgreSQL only). See bench/scaledata.py."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from bench.scaledata import generate


class Command(BaseCommand):
    help = (
        "Replace the database's organisations, members and users with N synthetic members (COPY), with "
        "their residence links, letters, meetings and evaluation forms dated from --today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--seed", type=int, default=213)
        parser.add_argument("--password", default="bench-213-password", help="password of every generated user")
        parser.add_argument("--keep", action="store_true", help="add to the existing data instead of replacing it")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the day deadlines, meetings and waiting times count from (YYYY-MM-DD; default: today)",
        )

    def handle(self, *args, members, seed, password, keep, today, **options):
        if members < 1:
            raise CommandError("--members must be positive")
        try:
            result = generate(
                members=members,
                seed=seed,
                password=password,
                do_reset=not keep,
                log=lambda text: self.stderr.write(text),
                today=today,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(
                {
                    "name": "generate_s",
                    "value": round(result.seconds, 1),
                    "unit": "s",
                    "members": members,
                    "seed": seed,
                    **result.counts,
                }
            )
        )
