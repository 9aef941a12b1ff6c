"""Importing an essay: its headings become the episode's topics, re-imports update in place."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from episodes.essay import essay_parse
from episodes.models import Episode, Topic
from episodes.services.topics import (
    TITLE_MAX_LENGTH,
    title_key,
    topic_delete_row,
    topic_in_use,
    topics_changed_notify,
)


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
        key = title_key(section.title)
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
            key = title_key(topic.title)
            if key in existing:  # "Intro" and "intro" made outside the services
                leftovers.append(topic)
            else:
                existing[key] = topic
        for position, section in enumerate(sections):
            topic = existing.pop(title_key(section.title), None)
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
            if topic_in_use(topic):
                if topic.position != position:
                    topic.position = position
                    topic.save(update_fields=["position"])
                removed_kept.append(topic)
                position += 1
            else:
                removed_deleted.append(topic.title)
                topic_delete_row(topic)
    if created or updated or removed_deleted:
        topics_changed_notify(episode=episode)
    return EssayImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        removed_kept=removed_kept,
        removed_deleted=removed_deleted,
    )
