from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cdi.models import IntegrationClient


class Command(BaseCommand):
    help = "Create an integration client and print its bearer token (shown once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        if IntegrationClient.objects.filter(name=name).exists():
            raise CommandError(
                f"A client named {name!r} exists; revoke it in the admin or pick another name."
            )
        _, token = IntegrationClient.issue(name)
        self.stdout.write(token)
