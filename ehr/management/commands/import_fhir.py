from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehr.bulk import OUTCOMES, import_paths


class Command(BaseCommand):
    help = (
        "Import a FHIR bulk-data export (NDJSON files, one resource type per file, or directories of them). "
        "Resumable and idempotent: a second run creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="NDJSON files or directories")
        parser.add_argument("--batch-size", type=int, default=500, help="lines per database transaction")
        parser.add_argument(
            "--restart",
            action="store_true",
            help="ignore checkpoints and read every line again (still idempotent)",
        )
        parser.add_argument(
            "--stop-after",
            type=int,
            default=None,
            help="stop after N lines, as if killed (for testing resume)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        started = time.monotonic()
        report = import_paths(
            options["paths"],
            batch_size=options["batch_size"],
            resume=not options["restart"],
            stop_after=options["stop_after"],
            progress=not options["no_progress"] and options["verbosity"] > 0,
        )
        elapsed = time.monotonic() - started
        out = self.stdout
        for skipped in report.skipped_files:
            out.write(f"skipped {skipped.path}: {skipped.skip_reason}")
        header = f"{'resource type':<20}" + "".join(f"{name:>11}" for name in (*OUTCOMES, "resumed"))
        out.write(header)
        for resource_type, counts in report.counts.items():
            values = [getattr(counts, name) for name in OUTCOMES] + [counts.resumed_past]
            out.write(f"{resource_type:<20}" + "".join(f"{v:>11,}" for v in values))
        for rejection in report.rejections:
            out.write(f"rejected {rejection}")
        if report.interrupted:
            out.write(self.style.WARNING("stopped early (--stop-after); run again to resume"))
        out.write(f"done in {elapsed:.1f} s")
