"""python manage.py build_coding_index [--out var/coding/index] [--limit N]

Embeds the billable ICD-10-CM titles with the base runtime (``build_models base`` first).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding import codeset
from coding.embedding import build_index


class Command(BaseCommand):
    help = "Build the embedding index of billable ICD-10-CM titles with the base model runtime."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "coding" / "index"))
        parser.add_argument("--limit", type=int, default=0, help="only the first N codes (a quick check)")
        parser.add_argument("--batch-size", type=int, default=256)

    def handle(self, *args, **options) -> None:
        try:
            from inference import get_encoder, live_version

            encoder = get_encoder("base")
            version = live_version("base")
        except Exception as exc:  # noqa: BLE001 - any missing runtime is reported, not raised
            raise CommandError(
                f"The base runtime is not usable ({exc}); run `manage.py build_models base`"
            ) from None
        codes = list(codeset.billable_codes())
        if options["limit"]:
            codes = codes[: options["limit"]]
        index = build_index(
            encoder.embed,
            codes,
            batch_size=options["batch_size"],
            model_version=version,
            progress=lambda done, total: self.stdout.write(f"\r{done}/{total}", ending=""),
        )
        index.save(options["out"])
        self.stdout.write(f"\nwrote {len(codes)} vectors to {options['out']}")
