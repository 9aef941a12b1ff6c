"""Re-importing an essay: the preview (a dry run) says exactly what the import then does, and
summaries a host rewrote are kept unless the host asks to overwrite them."""

import pytest
from django.core.exceptions import ValidationError

from episodes import services
from episodes.models import Topic
from episodes.services import essay_import
from episodes.signals import topics_changed
from tests.factories import SubmissionFactory, TopicFactory

pytestmark = pytest.mark.django_db

ESSAY = """\
## Scaling

Bigger networks trained on more data keep getting better.

## Self-play

Agents that play against each other keep finding harder challenges.

## Data

Pre-training runs out of text; synthetic data may replace it.
"""

# Every kind of change at once: a new heading, a renamed one ("Data" -> "Data walls"), a text
# change, a heading spelled differently, a heading gone while questions use it.
EDITED = """\
## scaling

Bigger networks trained on more data keep getting better, for now.

## Data walls

Pre-training runs out of text; synthetic data may replace it.

## Hardware

Chips got ten times faster each year.
"""


def rows(episode) -> list[tuple]:
    return list(
        Topic.objects.filter(episode=episode)
        .order_by("position", "id")
        .values_list("pk", "title", "summary", "body", "position", "summary_edited")
    )


def outcome(result) -> dict:
    """What a host reads in a result, comparable between a dry run and the real import."""
    return {
        "created": [(t.title, t.summary, t.position) for t in result.created],
        "updated": [(t.pk, t.title) for t in result.updated],
        "updates": [(u.topic.pk, u.fields, u.old_title) for u in result.updates],
        "unchanged": [t.pk for t in result.unchanged],
        "removed_kept": [(t.pk, t.position) for t in result.removed_kept],
        "removed_deleted": result.removed_deleted,
        "summaries": [
            (d.topic.pk, d.current, d.essay, d.edited, d.overwritten)
            for d in result.summaries_differ
        ],
        "moved": result.moved,
        "changes_anything": result.changes_anything,
        "fingerprint": result.fingerprint,
    }


@pytest.fixture
def imported(episode):
    essay_import(episode=episode, markdown=ESSAY)
    return {topic.title: topic for topic in episode.topics.all()}


@pytest.fixture
def signals():
    sent = []

    def receiver(sender, episode, **kwargs):
        sent.append(episode.pk)

    topics_changed.connect(receiver, dispatch_uid="test-essay-preview")
    yield sent
    topics_changed.disconnect(dispatch_uid="test-essay-preview")


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize(
    "essay", [EDITED, ESSAY, ESSAY.replace("## Self-play", "## Self play")], ids=range(3)
)
def test_the_preview_is_what_the_import_then_does(episode, imported, signals, essay, overwrite):
    SubmissionFactory(episode=episode).topics.add(imported["Self-play"])  # in use: kept
    services.topic_update(
        topic=imported["Scaling"], title="Scaling", summary="Our own words on scaling."
    )
    before = rows(episode)
    signals.clear()

    preview = essay_import(
        episode=episode, markdown=essay, dry_run=True, overwrite_edited_summaries=overwrite
    )

    assert preview.dry_run
    assert rows(episode) == before  # nothing written...
    assert signals == []  # ...and nothing announced

    result = essay_import(
        episode=episode,
        markdown=essay,
        overwrite_edited_summaries=overwrite,
        expected_fingerprint=preview.fingerprint,
    )

    assert not result.dry_run
    assert outcome(result) == outcome(preview)
    # And the rows are what the preview's topics said they would be.
    after = {pk: (title, position) for pk, title, _, _, position, _ in rows(episode)}
    for topic in [*preview.updated, *preview.unchanged, *preview.removed_kept]:
        assert after[topic.pk] == (topic.title, topic.position)
    assert sorted(title for title, _ in after.values()) == sorted(
        [t.title for t in preview.created]
        + [t.title for t in [*preview.updated, *preview.unchanged, *preview.removed_kept]]
    )


def test_the_preview_lists_added_renamed_removed_and_summaries(episode, imported):
    SubmissionFactory(episode=episode).topics.add(imported["Self-play"])

    preview = essay_import(episode=episode, markdown=EDITED, dry_run=True)

    assert [t.title for t in preview.created] == ["Data walls", "Hardware"]
    assert all(t.pk is None for t in preview.created)
    # A renamed heading is a removed topic and an added one (matched by title): "Data" goes.
    assert preview.removed_deleted == ["Data"]
    assert [t.title for t in preview.removed_kept] == ["Self-play"]
    ((topic, fields, old_title),) = [(u.topic, u.fields, u.old_title) for u in preview.updates]
    assert (topic.title, old_title) == ("scaling", "Scaling")
    assert fields == ("title", "summary", "body")
    (difference,) = preview.summaries_differ
    assert difference.current == "Bigger networks trained on more data keep getting better."
    assert difference.essay.endswith("for now.")
    assert (difference.edited, difference.overwritten) == (False, True)
    assert preview.changes_anything


def test_an_edited_summary_is_kept_unless_the_host_asks(episode, imported):
    scaling = imported["Scaling"]
    services.topic_update(topic=scaling, title="Scaling", summary="Our own words.")
    scaling.refresh_from_db()
    assert scaling.summary_edited

    kept = essay_import(episode=episode, markdown=EDITED)
    scaling.refresh_from_db()
    assert scaling.summary == "Our own words."
    assert scaling.summary_edited
    assert [(d.edited, d.overwritten) for d in kept.summaries_differ] == [(True, False)]
    assert kept.summaries_kept == kept.summaries_differ
    assert kept.updates[0].fields == ("title", "body")  # the summary is not among the changes

    overwritten = essay_import(episode=episode, markdown=EDITED, overwrite_edited_summaries=True)
    scaling.refresh_from_db()
    assert scaling.summary.endswith("for now.")
    assert not scaling.summary_edited  # the essay's words again
    assert [(d.edited, d.overwritten) for d in overwritten.summaries_differ] == [(True, True)]


def test_only_a_summary_change_marks_it_edited(episode, imported):
    data = imported["Data"]
    services.topic_update(topic=data, title="Data, again", summary=data.summary)
    data.refresh_from_db()
    assert not data.summary_edited

    topic = services.topic_create(episode=episode, title="By hand", summary="Mine.")
    assert topic.summary_edited
    assert not services.topic_create(episode=episode, title="Bare").summary_edited


def test_a_stale_preview_is_refused_and_changes_nothing(episode, imported):
    preview = essay_import(episode=episode, markdown=EDITED, dry_run=True)
    # Meanwhile another host tags a question with the topic the preview would delete.
    SubmissionFactory(episode=episode).topics.add(imported["Data"])
    before = rows(episode)

    with pytest.raises(ValidationError) as refused:
        essay_import(episode=episode, markdown=EDITED, expected_fingerprint=preview.fingerprint)

    assert refused.value.code == "stale_preview"
    assert rows(episode) == before
    again = essay_import(episode=episode, markdown=EDITED, dry_run=True)
    assert again.fingerprint != preview.fingerprint
    assert preview.removed_deleted == ["Self-play", "Data"]
    assert (again.removed_deleted, [t.title for t in again.removed_kept]) == (
        ["Self-play"],
        ["Data"],
    )


def test_the_fingerprint_ignores_the_overwrite_choice(episode, imported):
    services.topic_update(topic=imported["Scaling"], title="Scaling", summary="Ours.")
    one = essay_import(episode=episode, markdown=EDITED, dry_run=True)
    two = essay_import(
        episode=episode, markdown=EDITED, dry_run=True, overwrite_edited_summaries=True
    )
    assert one.fingerprint == two.fingerprint  # ticking the box on the preview page is fine


def test_a_preview_of_the_same_essay_changes_nothing(episode, imported):
    preview = essay_import(episode=episode, markdown=ESSAY, dry_run=True)
    assert not preview.changes_anything
    assert preview.summaries_differ == []
    assert len(preview.unchanged) == 3


def test_a_preview_refuses_what_the_import_refuses(episode):
    TopicFactory(episode=episode, title="Kept")
    with pytest.raises(ValidationError, match="Two sections are called"):
        essay_import(episode=episode, markdown="## A\n\n## a\n", dry_run=True)
