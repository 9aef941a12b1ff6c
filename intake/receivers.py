"""Intake's answers to what the layers below announce (connected in IntakeConfig.ready)."""

from django.dispatch import receiver

from episodes.signals import topics_changed
from intake.services.analysis import episode_rank_later


@receiver(topics_changed, dispatch_uid="intake-rank-suggested-topics-again")
def suggested_topics_rank_again(sender, *, episode, **kwargs) -> None:
    # In the worker, one job per episode at a time; the pages say "re-ranking" until it is done.
    episode_rank_later(episode=episode)
