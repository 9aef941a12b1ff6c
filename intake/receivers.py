"""Intake's answers to what the layers below announce (connected in IntakeConfig.ready)."""

from django.dispatch import receiver

from episodes.signals import topics_changed
from intake.services.suggestions import episode_suggest_topics


@receiver(topics_changed, dispatch_uid="intake-rank-suggested-topics-again")
def suggested_topics_rank_again(sender, *, episode, **kwargs) -> None:
    # Synchronous for now: the host's edit returns once every question has its new suggestion.
    episode_suggest_topics(episode=episode)
