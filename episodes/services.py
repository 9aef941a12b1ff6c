"""Episode business logic: creating episodes and keeping their topics in order."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone

from episodes.essay import essay_parse
from episodes.models import Episode, Topic

TITLE_MAX_LENGTH = Topic._meta.get_field("title").max_length


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


# --- Topics: the essay's sections, imported or edited by hand ---------------------------------
#
# Every change to what a topic says recomputes the suggested topic of the episode's questions,
# after the change has committed: loading the matcher takes seconds, and SQLite would hold its
# write lock for all of that time.


@dataclass(frozen=True)
class EssayImportResult:
    created: list[Topic]
    updated: list[Topic]
    unchanged: list[Topic]
    # Headings gone from the essay whose topics questions (or a run-sheet) still use: kept,
    # placed after the essay's topics, and reported so a host can tidy up by hand.
    removed_kept: list[Topic]
    # Headings gone from the essay whose topics nothing used: deleted (their titles).
    removed_deleted: list[str]


def essay_import(*, episode: Episode, markdown: str, heading_level: int = 2) -> EssayImportResult:
    """Create or update the episode's topics from the essay's headings, in essay order.

    Topics are matched to headings by title (ignoring case and spacing), so a re-import keeps
    the rows, and with them the questions' tags and the run-sheet. Raises ValidationError when
    the essay has no heading of that level or two headings with the same title.
    """
    if heading_level not in range(1, 7):
        raise ValidationError("The heading level is between 1 and 6.", code="heading_level")
    sections = essay_parse(markdown, heading_level=heading_level)
    if not sections:
        marks = "#" * heading_level
        raise ValidationError(
            f"The essay has no level-{heading_level} headings (lines starting with "
            f"\u201c{marks} \u201d), so there are no topics to import.",
            code="no_headings",
        )
    seen: set[str] = set()
    for section in sections:
        key = _title_key(section.title)
        if key in seen:
            raise ValidationError(
                f"Two sections are called \u201c{section.title}\u201d; give each heading its "
                "own title and import again.",
                code="duplicate_heading",
            )
        seen.add(key)
        if len(section.title) > TITLE_MAX_LENGTH:
            raise ValidationError(
                f"The heading \u201c{section.title[:60]}\u2026\u201d is longer than "
                f"{TITLE_MAX_LENGTH} characters; shorten it and import again.",
                code="long_heading",
            )

    created: list[Topic] = []
    updated: list[Topic] = []
    unchanged: list[Topic] = []
    removed_kept: list[Topic] = []
    removed_deleted: list[str] = []
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        existing: dict[str, Topic] = {}
        leftovers: list[Topic] = []
        for topic in episode.topics.order_by("position", "id"):
            key = _title_key(topic.title)
            if key in existing:  # "Intro" and "intro" made outside the services
                leftovers.append(topic)
            else:
                existing[key] = topic
        for position, section in enumerate(sections):
            topic = existing.pop(_title_key(section.title), None)
            if topic is None:
                created.append(
                    Topic.objects.create(
                        episode=episode,
                        title=section.title,
                        summary=section.summary,
                        body=section.body,
                        position=position,
                    )
                )
                continue
            new = {
                "title": section.title,
                "summary": section.summary,
                "body": section.body,
                "position": position,
            }
            changed = [name for name, value in new.items() if getattr(topic, name) != value]
            if not changed:
                unchanged.append(topic)
                continue
            for name in changed:
                setattr(topic, name, new[name])
            topic.save(update_fields=changed)
            # A new position alone is not news to the host: the text is what they check.
            (updated if set(changed) - {"position"} else unchanged).append(topic)
        leftovers = sorted([*existing.values(), *leftovers], key=lambda t: (t.position, t.pk))
        position = len(sections)
        for topic in leftovers:
            if _topic_in_use(topic):
                if topic.position != position:
                    topic.position = position
                    topic.save(update_fields=["position"])
                removed_kept.append(topic)
                position += 1
            else:
                removed_deleted.append(topic.title)
                _topic_delete_row(topic)
    if created or updated or removed_deleted:
        _suggestions_refresh(episode=episode)
    return EssayImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        removed_kept=removed_kept,
        removed_deleted=removed_deleted,
    )


def topic_create(*, episode: Episode, title: str, summary: str = "", body: str = "") -> Topic:
    """A topic added by hand, placed after the others."""
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        title = _topic_title_clean(episode=episode, title=title)
        last = episode.topics.aggregate(last=Max("position"))["last"]
        topic = Topic.objects.create(
            episode=episode,
            title=title,
            summary=summary.strip(),
            body=body.strip(),
            position=0 if last is None else last + 1,
        )
    _suggestions_refresh(episode=episode)
    return topic


def topic_update(*, topic: Topic, title: str, summary: str) -> Topic:
    """Rename a topic or rewrite its summary; its essay text (body) stays."""
    with transaction.atomic():
        title = _topic_title_clean(episode=topic.episode, title=title, topic=topic)
        summary = summary.strip()
        changed = [
            name
            for name, value in (("title", title), ("summary", summary))
            if getattr(topic, name) != value
        ]
        if not changed:
            return topic
        topic.title, topic.summary = title, summary
        topic.save(update_fields=changed)
    _suggestions_refresh(episode=topic.episode)
    return topic


def topic_reorder(*, episode: Episode, topic_ids: list[int]) -> None:
    """Put the episode's topics in exactly this order (every topic once)."""
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        current = set(episode.topics.values_list("pk", flat=True))
        ids = [int(topic_id) for topic_id in topic_ids]
        if len(ids) != len(set(ids)) or set(ids) != current:
            raise ValidationError(
                "The new order must list each of this episode's topics exactly once; "
                "reload the page and try again.",
                code="not_a_permutation",
            )
        _positions_write(episode=episode, ordered_ids=ids)


def topic_move(*, topic: Topic, direction: Literal["up", "down"]) -> None:
    """Swap a topic with its neighbour; at either end nothing happens."""
    if direction not in ("up", "down"):
        raise ValidationError("A topic moves either up or down.", code="direction")
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=topic.episode_id).first()
        ids = list(
            Topic.objects.filter(episode_id=topic.episode_id)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        index = ids.index(topic.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
        _positions_write(episode=topic.episode, ordered_ids=ids)
    topic.position = ids.index(topic.pk)


def topic_delete(*, topic: Topic) -> None:
    """Delete a topic: questions lose the tag, suggestions are made again without it."""
    episode = topic.episode
    with transaction.atomic():
        _topic_delete_row(topic)
        remaining = list(episode.topics.order_by("position", "id").values_list("pk", flat=True))
        _positions_write(episode=episode, ordered_ids=remaining)
    _suggestions_refresh(episode=episode)


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _topic_title_clean(*, episode: Episode, title: str, topic: Topic | None = None) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError("A topic needs a title.", code="blank_title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            f"Keep the title under {TITLE_MAX_LENGTH} characters.", code="long_title"
        )
    # Compared in Python: title__iexact only folds ASCII on SQLite.
    others = Topic.objects.filter(episode_id=episode.pk)
    if topic is not None:
        others = others.exclude(pk=topic.pk)
    key = _title_key(title)
    if any(_title_key(other) == key for other in others.values_list("title", flat=True)):
        raise ValidationError(
            f"This episode already has a topic called \u201c{title}\u201d.", code="duplicate_title"
        )
    return title


def _topic_in_use(topic: Topic) -> bool:
    """Whether anything a host made points at the topic: tags, a run-sheet, any relation.

    Every relation counts except the machine's suggestion, which is recomputed anyway, so
    tables added later (run-sheet segments) protect their topics without changes here.
    """
    for relation in topic._meta.related_objects:
        if relation.remote_field.name == "suggested_topic":
            continue
        if getattr(topic, relation.get_accessor_name()).exists():
            return True
    return False


def _topic_delete_row(topic: Topic) -> None:
    from intake.models import Submission

    Submission.objects.filter(suggested_topic=topic).update(
        suggested_topic=None, suggested_topic_score=None
    )
    try:
        topic.delete()
    except (ProtectedError, RestrictedError) as protected:
        raise ValidationError(
            f"\u201c{topic.title}\u201d is still used (for example on the run-sheet); "
            "remove it there first.",
            code="topic_in_use",
        ) from protected


def _positions_write(*, episode: Episode, ordered_ids: list[int]) -> None:
    topics = {topic.pk: topic for topic in Topic.objects.filter(episode=episode)}
    moved = []
    for position, topic_id in enumerate(ordered_ids):
        topic = topics[topic_id]
        if topic.position != position:
            topic.position = position
            moved.append(topic)
    Topic.objects.bulk_update(moved, ["position"])


def _suggestions_refresh(*, episode: Episode) -> None:
    # Imported here: intake builds on episodes, not the other way round, at import time.
    from intake.services import episode_suggest_topics

    episode_suggest_topics(episode=episode)
