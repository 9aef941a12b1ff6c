import json
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from episodes.models import Episode


class Command(BaseCommand):
    help = (
        "Make sure a host account exists. If there is none, create one with a random "
        "password, print the login once, and make it host of every episode without a host."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="host")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help='Print {"username": ..., "password": ... or null} for a program to show '
            "(make run prints it in its banner once everything is ready).",
        )

    def handle(self, *args, username: str, as_json: bool, **options):
        User = get_user_model()
        host = User.objects.filter(is_active=True, is_staff=True).order_by("id").first()
        password = None
        if host is None:
            password = secrets.token_urlsafe(12)
            host = User.objects.create_superuser(username=username, email="", password=password)
        for episode in Episode.objects.filter(hosts__isnull=True):
            episode.hosts.add(host)
        if as_json:
            self.stdout.write(json.dumps({"username": host.get_username(), "password": password}))
        elif password:
            self.stdout.write(
                self.style.SUCCESS(
                    "Created host account (shown only this once):\n"
                    f"  username: {username}\n  password: {password}"
                )
            )
        else:
            self.stdout.write(f"Host account present: {host.get_username()}")
