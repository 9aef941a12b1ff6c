"""manage.py import_essay <slug> <path> [--title ...]: an essay's headings become the topics."""

import re
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from episodes.essay import essay_parse
from episodes.models import Episode
from episodes.services import episode_create, essay_import


class Command(BaseCommand):
    help = (
        "Import an essay written in Markdown as an episode's topics, one per heading. "
        "Creates the episode, open for questions, when the slug is new; re-importing an "
        "edited essay updates the topics in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The episode's slug, e.g. 2024-recap.")
        parser.add_argument("path", help="The essay's Markdown file, or - for standard input.")
        parser.add_argument(
            "--title",
            help="Title of a new episode (default: the essay's # heading, else the slug).",
        )
        parser.add_argument(
            "--heading-level",
            type=int,
            default=2,
            choices=range(1, 7),
            metavar="N",
            help="Which headings are topics: 2 (default) for ##, 3 for ###, ...",
        )
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            metavar="USERNAME",
            help="Add this user as a host of the episode (repeatable).",
        )

    def handle(self, *args, slug, path, title, heading_level, host, **options):
        markdown = self._read(path)
        users = self._users(host)
        try:
            with transaction.atomic():
                episode = Episode.objects.filter(slug=slug).first()
                created = episode is None
                if created:
                    episode = episode_create(
                        slug=slug, title=title or _default_title(markdown, slug), hosts=users
                    )
                elif users:
                    episode.hosts.add(*users)
                result = essay_import(
                    episode=episode, markdown=markdown, heading_level=heading_level
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        if created:
            self.stdout.write(f"Created episode \u201c{episode.title}\u201d ({episode.slug}).")
        self.stdout.write(
            f"Topics of {episode.slug}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {len(result.unchanged)} unchanged, "
            f"{len(result.removed_kept)} kept although gone from the essay, "
            f"{len(result.removed_deleted)} deleted."
        )
        for topic in result.removed_kept:
            self.stdout.write(
                self.style.WARNING(
                    f"  kept \u201c{topic.title}\u201d: no longer in the essay, but questions "
                    "or the run-sheet use it; rename or delete it in the dashboard."
                )
            )
        for removed in result.removed_deleted:
            self.stdout.write(f"  deleted \u201c{removed}\u201d: no longer in the essay.")

    def _read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error

    def _users(self, usernames: list[str]) -> list:
        users = []
        for username in usernames:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user called {username!r}; create it first (ensure_host).")
            users.append(user)
        return users


def _default_title(markdown: str, slug: str) -> str:
    titled = essay_parse(markdown, heading_level=1)
    if titled:
        return titled[0].title
    return re.sub(r"[-_]+", " ", slug).strip().title() or slug
