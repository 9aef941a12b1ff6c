"""The demo episode's run-sheet, as a host would build it: for a demo, a screenshot, the README.

Starts the run-sheet of the demo episode (one segment per topic), adds a short intro and a
lightning round, and puts every approved question on it under its topic (untagged ones in the
lightning round). Running it again changes nothing. Run seed_demo_submissions first for
approved questions to place.
"""

from django.core.management.base import BaseCommand

from episodes.services import episode_seed_demo
from runsheet import services
from runsheet.selectors import runsheet_pool


class Command(BaseCommand):
    help = "Build the demo episode's run-sheet from its approved questions; safe to run again."

    def handle(self, *args, **options):
        episode, _ = episode_seed_demo()
        if hasattr(episode, "runsheet"):
            self.stdout.write("The demo run-sheet is already started; nothing to do.")
            return
        services.runsheet_start(episode=episode)
        intro = services.segment_create(
            episode=episode,
            title="Intro",
            notes="Welcome; what the recap covers; thank everyone who sent questions.",
            extra_seconds=90,
        )
        while intro.position != 0:
            services.segment_move(segment=intro, direction="up")
            intro.refresh_from_db()
        lightning = services.segment_create(
            episode=episode, title="Lightning round", extra_seconds=30
        )
        added = 0
        for segment in episode.segments.exclude(topic=None):
            added += len(services.entries_add_all(segment=segment))
        # What no topic segment took (untagged questions) goes in the lightning round.
        leftovers = {s.pk: s for group in runsheet_pool(episode=episode) for s in group.submissions}
        for submission in leftovers.values():
            services.entry_add(segment=lightning, submission=submission)
            added += 1
        self.stdout.write(self.style.SUCCESS(f"Started the demo run-sheet with {added} questions."))
