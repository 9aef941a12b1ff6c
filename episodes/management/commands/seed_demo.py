from django.core.management.base import BaseCommand

from episodes.services import episode_seed_demo


class Command(BaseCommand):
    help = "Create the demo episode (2024-recap) with its four topics; safe to run again."

    def handle(self, *args, **options):
        episode, created = episode_seed_demo()
        verb = "Created" if created else "Already present:"
        self.stdout.write(f"{verb} demo episode {episode.slug!r} ({episode.topics.count()} topics)")
