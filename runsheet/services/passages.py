"""The essay passage beside each question: what the hosts glance at to prepare an answer.

The worker picks the passage of the entry's topic that best matches the question, with the
same matching the topic suggestion uses (episodes.matching), and stores it on the entry; it
runs again when the question's words or topic change. A host may pick another passage (then it
is pinned and left alone) or hide it.
"""

from django.core.exceptions import ValidationError

from episodes.matching.topics import topic_passage_ranking, topic_passages
from episodes.models import Topic
from intake import queue
from intake.selectors import submission_match_text
from runsheet.models import Entry
from runsheet.services.sheet import runsheet_change

PASSAGE_TASK = "runsheet.tasks.entry_passages_refresh"


def entry_topic(entry: Entry) -> Topic | None:
    """The part of the essay an entry is about: its segment's topic, else the question's first
    tag, else its suggested topic (free segments like "Lightning round")."""
    if entry.segment.topic_id is not None:
        return entry.segment.topic
    tags = sorted(entry.submission.topics.all(), key=lambda t: (t.position, t.pk))
    return tags[0] if tags else entry.submission.suggested_topic


def entry_passage_choices(entry: Entry) -> list[str]:
    """Every passage of the entry's topic a host may pick, in essay order (no model needed)."""
    topic = entry_topic(entry)
    if topic is None:
        return []
    passages = topic_passages(title=topic.title, summary=topic.summary, body=topic.body)
    # The first "passage" is the topic's own title and summary: hosts wrote it, they know it.
    return passages[1:] or passages


def entry_passage_refresh(*, entry: Entry) -> str:
    """Store the best passage of the entry's topic for its question (in the worker)."""
    if entry.passage_pinned:
        return entry.passage
    topic = entry_topic(entry)
    question = submission_match_text(entry.submission)
    passage = ""
    if topic is not None and question:
        choices = entry_passage_choices(entry)
        topics = list(topic.episode.topics.order_by("position", "id"))
        passages = topic_passages(title=topic.title, summary=topic.summary, body=topic.body)
        skip_head = len(passages) > 1
        for index, _score in topic_passage_ranking(question=question, topics=topics, topic=topic):
            if skip_head and index == 0:
                continue
            passage = passages[index]
            break
        if passage not in choices:
            passage = choices[0] if choices else ""
    Entry.objects.filter(pk=entry.pk, passage_pinned=False).update(passage=passage)
    entry.passage = passage
    return passage


def entry_passage_refresh_later(*, entry_ids: list[int]) -> None:
    """Choose the entries' passages in the worker once the surrounding transaction commits."""
    if entry_ids:
        queue.enqueue_on_commit(
            PASSAGE_TASK,
            list(entry_ids),
            result_ttl=600,
            failure_ttl=24 * 3600,
            description=f"Essay passages for run-sheet entries {list(entry_ids)[:5]}",
        )


def entry_passage_pick(*, entry: Entry, index: int | None) -> Entry:
    """A host's choice among entry_passage_choices; None gives the choice back to the worker."""
    if index is None:
        with runsheet_change(episode_id=entry.segment.episode_id):
            Entry.objects.filter(pk=entry.pk).update(passage_pinned=False)
            entry.passage_pinned = False
            entry_passage_refresh_later(entry_ids=[entry.pk])
        return entry
    choices = entry_passage_choices(entry)
    if not 0 <= index < len(choices):
        raise ValidationError("Pick one of the passages listed.", code="no_such_passage")
    with runsheet_change(episode_id=entry.segment.episode_id):
        entry.passage, entry.passage_pinned = choices[index], True
        entry.save(update_fields=["passage", "passage_pinned"])
    return entry


def entry_passage_hide(*, entry: Entry, hidden: bool) -> Entry:
    with runsheet_change(episode_id=entry.segment.episode_id):
        entry.passage_hidden = hidden
        entry.save(update_fields=["passage_hidden"])
    return entry
