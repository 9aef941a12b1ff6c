from django.db.models import Q, QuerySet
from django.utils import timezone

from episodes.models import Episode


def episode_list_open(*, now=None) -> QuerySet[Episode]:
    """Episodes whose question page is still open, soonest recording first."""
    now = now or timezone.now()
    return (
        Episode.objects.filter(Q(submissions_close_at__isnull=True) | Q(submissions_close_at__gt=now))
        .order_by("recording_at")
    )
