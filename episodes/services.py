"""Episode business logic: creating episodes and keeping their topics in order."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from episodes.models import Episode, Topic


def next_weekday(*, weekday: int, after: dt.datetime, hour: int = 17) -> dt.datetime:
    """The next given weekday (0 = Monday) strictly after `after`, at `hour`:00 in its zone."""
    days_ahead = (weekday - after.weekday() - 1) % 7 + 1
    day = (after + dt.timedelta(days=days_ahead)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=after.tzinfo)


@transaction.atomic
def episode_seed_demo(*, now: dt.datetime | None = None) -> tuple[Episode, bool]:
    """Create the demo episode once; running it again changes nothing."""
    from episodes.demo import DEMO_INTRO, DEMO_SLUG, DEMO_TITLE, DEMO_TOPICS

    existing = Episode.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    recording_at = next_weekday(weekday=0, after=now)
    closes_at = dt.datetime.combine(
        (recording_at - dt.timedelta(days=1)).date(), dt.time(23, 59), tzinfo=recording_at.tzinfo
    )
    episode = Episode.objects.create(
        slug=DEMO_SLUG,
        title=DEMO_TITLE,
        intro=DEMO_INTRO,
        recording_at=recording_at,
        submissions_close_at=closes_at,
        max_audio_seconds=90,
        target_minutes=60,
    )
    Topic.objects.bulk_create(
        Topic(episode=episode, title=title, summary=summary, position=index)
        for index, (title, summary) in enumerate(DEMO_TOPICS)
    )
    return episode, True
