"""python manage.py compare_adapters FOLDER_A FOLDER_B — is a retrained adapter the committed one?"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Compare two adapter version folders: data hash, hyper-parameters, weights, held-out metrics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("a", type=Path)
        parser.add_argument("b", type=Path)
        parser.add_argument(
            "--tolerance", type=float, default=1e-6, help="largest weight / relative metric difference"
        )

    def handle(self, *args, **options) -> None:
        from inference.compare import compare_adapters

        try:
            result = compare_adapters(options["a"], options["b"])
        except (OSError, KeyError, ValueError) as exc:
            raise CommandError(f"cannot compare: {exc}") from exc
        self.stdout.write(f"training data SHA-256: {'same' if result.data_sha256_equal else 'DIFFERENT'}")
        for key, (a, b) in result.hyperparameter_differences.items():
            self.stdout.write(f"hyper-parameter {key}: {a!r} vs {b!r}")
        for name, same in result.identical_files.items():
            detail = "byte-identical" if same else f"max |Δ| {result.max_abs_difference[name]:.3g}"
            self.stdout.write(f"{name}: {detail}")
        for key, (a, b) in result.metric_differences.items():
            self.stdout.write(f"{key}: {a!r} vs {b!r}")
        if result.bit_for_bit:
            self.stdout.write("reproduced bit for bit")
        elif result.within(options["tolerance"]):
            self.stdout.write(f"reproduced within {options['tolerance']:g} (not bit for bit)")
        else:
            raise CommandError(f"NOT reproduced: differences above {options['tolerance']:g} (see above)")
