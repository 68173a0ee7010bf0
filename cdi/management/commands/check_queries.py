"""Check physician queries written anywhere against the compliant-query rules, one per JSON line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.queries import Summary, check_lines


class Command(BaseCommand):
    help = (
        "Check queries (JSON Lines: id, format, purpose, indicators, question, options) for compliance and "
        "write one verdict per line: {id, compliant, problems}."
    )
    # Plain-Python checking needs neither the database nor the URL configuration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="JSON Lines file, one query per line")
        parser.add_argument("--predictions-out", required=True, help="where to write one verdict per line")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = Path(options["dataset"])
        out = Path(options["predictions_out"])
        if not dataset.is_file():
            raise CommandError(f"dataset not found: {dataset}")
        if not out.parent.is_dir():
            raise CommandError(f"output folder does not exist: {out.parent}")
        try:
            raw = dataset.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {dataset}: {exc.strerror}") from None
        # Bytes, split by hand: a line that is not UTF-8 gets its own verdict instead of failing the file.
        lines = [line.rstrip(b"\r") for line in raw.split(b"\n")]

        summary = Summary()
        try:
            with out.open("w", encoding="utf-8") as handle:
                for _line_no, verdict in check_lines(lines):
                    summary.add(verdict)
                    handle.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None

        if options["json"]:
            self.stdout.write(json.dumps(summary.to_json()))
            return
        self.stdout.write(
            f"Checked {summary.total} queries: {summary.compliant} compliant, {summary.non_compliant} not compliant."
        )
        if summary.by_code:
            self.stdout.write("Queries per problem:")
            width = max(len(code) for code in summary.by_code)
            for code, count in sorted(summary.by_code.items(), key=lambda kv: (-kv[1], kv[0])):
                self.stdout.write(f"  {code:<{width}}  {count}")
        self.stdout.write(f"Verdicts written to {out}")
