"""An episode's topics, edited by hand: add, rename, move, delete.

Every change to what a topic says is announced with the `topics_changed` signal once it has
committed, so the layers above (intake's suggested topics) can rank questions again without
this app importing them.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError

from episodes.models import Episode, Topic
from episodes.signals import topics_changed

TITLE_MAX_LENGTH = Topic._meta.get_field("title").max_length


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
            # A summary written here is the host's own, like one rewritten in topic_update.
            summary_edited=bool(summary.strip()),
        )
    topics_changed_notify(episode=episode)
    return topic


def topic_update(*, topic: Topic, title: str, summary: str) -> Topic:
    """Rename a topic or rewrite its summary; its essay text (body) stays. A rewritten summary
    is marked as the host's (summary_edited), so re-importing the essay keeps it."""
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
        if "summary" in changed:
            # The host's words now: a re-import of the essay keeps them unless told otherwise.
            topic.summary_edited = True
            changed.append("summary_edited")
        topic.save(update_fields=changed)
    topics_changed_notify(episode=topic.episode)
    return topic


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
        topic_delete_row(topic)
        remaining = list(episode.topics.order_by("position", "id").values_list("pk", flat=True))
        _positions_write(episode=episode, ordered_ids=remaining)
    topics_changed_notify(episode=episode)


def title_key(title: str) -> str:
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
    key = title_key(title)
    if any(title_key(other) == key for other in others.values_list("title", flat=True)):
        raise ValidationError(
            f"This episode already has a topic called \u201c{title}\u201d.", code="duplicate_title"
        )
    return title


def topic_in_use(topic: Topic) -> bool:
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


def topic_delete_row(topic: Topic) -> None:
    """Delete the row; a relation that protects it (the run-sheet) refuses with a reason.

    Suggestions pointing at it are cleared by their foreign key (SET_NULL) and made again by
    the topics_changed receivers.
    """
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


def topics_changed_notify(*, episode: Episode) -> None:
    """Tell the layers above that the episode's topics changed (call after committing)."""
    topics_changed.send(sender=Episode, episode=episode)
