"""Creating episodes: the demo one `make run` loads, and new ones."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from episodes.demo import DEMO_INTRO, DEMO_SLUG, DEMO_TITLE, DEMO_TOPICS
from episodes.models import Episode, Topic


def next_weekday(*, weekday: int, after: dt.datetime, hour: int = 17) -> dt.datetime:
    """The next given weekday (0 = Monday) strictly after `after`, at `hour`:00 in its zone."""
    days_ahead = (weekday - after.weekday() - 1) % 7 + 1
    day = (after + dt.timedelta(days=days_ahead)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=after.tzinfo)


@transaction.atomic
def episode_seed_demo(*, now: dt.datetime | None = None) -> tuple[Episode, bool]:
    """Create the demo episode once; running it again changes nothing."""
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


def episode_create(
    *,
    slug: str,
    title: str,
    recording_at: dt.datetime | None = None,
    submissions_close_at: dt.datetime | None = None,
    hosts: Iterable = (),
    now: dt.datetime | None = None,
    **fields,
) -> Episode:
    """A new episode, open for questions until a host closes it.

    Recording defaults to next Monday at 17:00, like the demo; other model fields (intro,
    max_audio_seconds, target_minutes) keep their defaults unless given.
    """
    episode = Episode(
        slug=slug.strip(),
        title=title.strip(),
        recording_at=recording_at or next_weekday(weekday=0, after=now or timezone.now()),
        submissions_close_at=submissions_close_at,
        **fields,
    )
    episode.full_clean()
    with transaction.atomic():
        episode.save()
        hosts = list(hosts)
        if hosts:
            episode.hosts.add(*hosts)
    return episode
