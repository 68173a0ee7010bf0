"""python manage.py import_cpt FILE.csv — import the site's own licensed CPT descriptors.

CSV format (UTF-8): ``code,descriptor[,...]``; an optional header row starting ``code``;
further columns are ignored. Existing codes are updated, others added; nothing is deleted
unless ``--replace`` is given.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from coding.cpt import CptFileError, read_cpt_csv
from coding.models import CptDescriptor


class Command(BaseCommand):
    help = "Import a licensed CPT descriptor CSV (code,descriptor[,...]) to enable procedure suggestions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="delete descriptors not in this file")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            rows = read_cpt_csv(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        except CptFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if not rows:
            raise CommandError(f"{path}: no descriptors found")
        now = timezone.now()
        with transaction.atomic():
            if options["replace"]:
                CptDescriptor.objects.exclude(code__in=[r.code for r in rows]).delete()
            for row in rows:
                CptDescriptor.objects.update_or_create(
                    code=row.code,
                    defaults={"descriptor": row.descriptor, "imported_at": now, "source": path.name},
                )
        self.stdout.write(f"imported {len(rows)} CPT descriptors from {path.name}")
