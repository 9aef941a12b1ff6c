from django.core.management.base import BaseCommand, CommandError

from episodes.models import Episode
from intake.services import episode_suggest_topics
from intake.services.similarity import episode_embed_all


class Command(BaseCommand):
    help = (
        "Store every submission's sentence vector and similar questions, and rank its suggested "
        "topic, for the given episodes (all when none is named). The worker does this for each "
        "submission as it arrives; run this once after upgrading from a version that did not "
        "store vectors. Loads the sentence model in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Episode slugs (default: every episode).")

    def handle(self, *args, slugs: list[str], **options):
        episodes = Episode.objects.order_by("pk")
        if slugs:
            episodes = episodes.filter(slug__in=slugs)
            missing = set(slugs) - set(episodes.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No episode called {', '.join(sorted(missing))}.")
        for episode in episodes:
            embedded = episode_embed_all(episode_id=episode.pk)
            ranked = episode_suggest_topics(episode=episode)
            self.stdout.write(
                f"{episode.slug}: {embedded} vector(s) made, {ranked} suggestion(s) ranked."
            )
