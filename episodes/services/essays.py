"""Importing an essay: its headings become the episode's topics, re-imports update in place."""

import hashlib
import json
from dataclasses import dataclass, field

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
class SummaryDifference:
    """A matched topic whose summary is not the essay's."""

    topic: Topic
    current: str  # the summary before the import
    essay: str  # the summary the essay gives
    edited: bool  # a host rewrote the current summary (Topic.summary_edited)
    overwritten: bool  # the import replaces it: not edited, or the host asked to overwrite


@dataclass(frozen=True)
class TopicUpdate:
    """What an import changes on a matched topic (a new position alone is not listed)."""

    topic: Topic
    fields: tuple[str, ...]  # of "title", "summary", "body"
    old_title: str


@dataclass(frozen=True)
class EssayImportResult:
    created: list[Topic]  # unsaved (no pk) in a dry run
    updated: list[Topic]
    unchanged: list[Topic]
    # Headings gone from the essay whose topics questions (or a run-sheet) still use: kept,
    # placed after the essay's topics, and reported so a host can tidy up by hand.
    removed_kept: list[Topic]
    # Headings gone from the essay whose topics nothing used: deleted (their titles).
    removed_deleted: list[str]
    updates: list[TopicUpdate] = field(default_factory=list)
    summaries_differ: list[SummaryDifference] = field(default_factory=list)
    # True: nothing was written; this is what importing would do (the preview).
    dry_run: bool = False
    # Names the episode's topics and the essay as they were read: a preview's fingerprint
    # given back to essay_import(expected_fingerprint=...) refuses to import when anything
    # changed in between, so a confirmed import does exactly what its preview showed.
    fingerprint: str = ""

    # Some topic changes place (essay order, or kept topics going last).
    moved: bool = False

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated or self.removed_deleted or self.moved)

    @property
    def summaries_kept(self) -> list[SummaryDifference]:
        return [difference for difference in self.summaries_differ if not difference.overwritten]


def essay_import(
    *,
    episode: Episode,
    markdown: str,
    heading_level: int = 2,
    dry_run: bool = False,
    overwrite_edited_summaries: bool = False,
    expected_fingerprint: str | None = None,
) -> EssayImportResult:
    """Create or update the episode's topics from the essay's headings, in essay order.

    Topics are matched to headings by title (ignoring case and spacing), so a re-import keeps
    the rows, and with them the questions' tags and the run-sheet; a renamed heading is
    therefore a removed topic and an added one. A summary a host rewrote (Topic.summary_edited)
    is kept unless `overwrite_edited_summaries`. Raises ValidationError when the essay has no
    heading of that level or two headings with the same title, and (code "stale_preview") when
    `expected_fingerprint` no longer matches.

    `dry_run` works out the same result and writes nothing: the preview the dashboard shows
    before a host confirms. Both runs share every step but the writes, so they cannot disagree.
    """
    sections = _sections_checked(markdown=markdown, heading_level=heading_level)
    with transaction.atomic():
        if not dry_run:
            Episode.objects.select_for_update().filter(pk=episode.pk).first()
        result, apply = _plan(
            episode=episode,
            sections=sections,
            overwrite_edited_summaries=overwrite_edited_summaries,
            dry_run=dry_run,
        )
        if expected_fingerprint is not None and expected_fingerprint != result.fingerprint:
            raise ValidationError(
                "The topics or the essay changed since the preview; check the new preview and "
                "confirm again.",
                code="stale_preview",
            )
        if not dry_run:
            apply()
    if not dry_run and (result.created or result.updated or result.removed_deleted):
        topics_changed_notify(episode=episode)
    return result


def _sections_checked(*, markdown: str, heading_level: int) -> list:
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
    return sections


def _plan(*, episode: Episode, sections: list, overwrite_edited_summaries: bool, dry_run: bool):
    """What the import does, worked out from the rows as they are, and the function that does
    it. Topic objects carry their new values either way; only `apply` writes them."""
    created: list[Topic] = []
    updated: list[Topic] = []
    unchanged: list[Topic] = []
    removed_kept: list[Topic] = []
    removed_deleted: list[str] = []
    updates: list[TopicUpdate] = []
    differences: list[SummaryDifference] = []
    saves: list[tuple[Topic, list[str]]] = []
    deletions: list[Topic] = []

    current = list(episode.topics.order_by("position", "id"))
    read = [
        [t.pk, t.title, t.summary, t.body, t.position, t.summary_edited] for t in current
    ]  # before anything below changes the objects: the fingerprint's "as read"
    existing: dict[str, Topic] = {}
    leftovers: list[Topic] = []
    for topic in current:
        key = title_key(topic.title)
        if key in existing:  # "Intro" and "intro" made outside the services
            leftovers.append(topic)
        else:
            existing[key] = topic
    for position, section in enumerate(sections):
        topic = existing.pop(title_key(section.title), None)
        if topic is None:
            created.append(
                Topic(
                    episode=episode,
                    title=section.title,
                    summary=section.summary,
                    body=section.body,
                    position=position,
                )
            )
            continue
        new = {"title": section.title, "body": section.body, "position": position}
        if topic.summary != section.summary:
            overwrite = not topic.summary_edited or overwrite_edited_summaries
            differences.append(
                SummaryDifference(
                    topic=topic,
                    current=topic.summary,
                    essay=section.summary,
                    edited=topic.summary_edited,
                    overwritten=overwrite,
                )
            )
            if overwrite:
                new["summary"] = section.summary
                new["summary_edited"] = False  # the essay's words again
        changed = [name for name, value in new.items() if getattr(topic, name) != value]
        if not changed:
            unchanged.append(topic)
            continue
        old_title = topic.title
        for name in changed:
            setattr(topic, name, new[name])
        saves.append((topic, changed))
        # A new position alone is not news to the host: the text is what they check.
        news = tuple(name for name in ("title", "summary", "body") if name in changed)
        if news:
            updated.append(topic)
            updates.append(TopicUpdate(topic=topic, fields=news, old_title=old_title))
        else:
            unchanged.append(topic)
    leftovers = sorted([*existing.values(), *leftovers], key=lambda t: (t.position, t.pk))
    in_use = []
    position = len(sections)
    for topic in leftovers:
        used = topic_in_use(topic)
        in_use.append([topic.pk, used])
        if used:
            if topic.position != position:
                topic.position = position
                saves.append((topic, ["position"]))
            removed_kept.append(topic)
            position += 1
        else:
            removed_deleted.append(topic.title)
            deletions.append(topic)

    fingerprint = hashlib.sha256(
        json.dumps(
            {
                "sections": [[s.title, s.summary, s.body] for s in sections],
                "topics": read,
                "in_use": in_use,
            },
            separators=(",", ":"),
        ).encode()
    ).hexdigest()[:32]

    def apply() -> None:
        for topic in deletions:  # first, so no title is taken twice on the way
            topic_delete_row(topic)
        for topic, fields in saves:
            topic.save(update_fields=fields)
        for topic in created:
            topic.save(force_insert=True)

    result = EssayImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        removed_kept=removed_kept,
        removed_deleted=removed_deleted,
        updates=updates,
        summaries_differ=differences,
        dry_run=dry_run,
        fingerprint=fingerprint,
        moved=any("position" in fields for _, fields in saves),
    )
    return result, apply
