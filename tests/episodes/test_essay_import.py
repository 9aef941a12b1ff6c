"""Importing an essay into an episode's topics, and re-importing an edited one."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from episodes.models import Episode, Topic
from episodes.services import episode_create, essay_import
from intake.services import submission_suggest_topic
from tests.conftest import ESSAY as ESSAY_PATH
from tests.factories import SubmissionFactory, TopicFactory

ESSAY = ESSAY_PATH.read_text(encoding="utf-8")
TITLES = [
    "What Ilya Saw in 2014",
    "What Ilya Saw in 2016-2017",
    "What Ilya Sees in 2024",
    "Bonus: What Did Ilya See in 2023?",
]

SMALL = """\
## Scaling

Bigger networks trained on more data keep getting better.

## Self-play

Agents that play against each other keep finding harder challenges.

## Data

Pre-training runs out of text; synthetic data may replace it.
"""


def topic_titles(episode: Episode) -> list[str]:
    return list(episode.topics.order_by("position", "id").values_list("title", flat=True))


def test_importing_the_stand_in_essay_makes_four_topics_in_essay_order(episode, rank_in_worker):
    question = SubmissionFactory(
        episode=episode, text="Could synthetic data replace the internet as a training corpus?"
    )
    with rank_in_worker(episode):
        result = essay_import(episode=episode, markdown=ESSAY)
    assert topic_titles(episode) == TITLES
    assert [t.title for t in result.created] == TITLES
    assert result.updated == result.unchanged == result.removed_kept == result.removed_deleted == []
    assert list(episode.topics.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
        3,
    ]
    for topic in episode.topics.all():
        assert topic.summary and "http" not in topic.summary and "![" not in topic.summary
        assert len(topic.body) > len(topic.summary)
    # Topics changed, so suggestions were made for the questions already there.
    question.refresh_from_db()
    assert question.suggested_topic.title == "What Ilya Sees in 2024"
    assert 0 < question.suggested_topic_score <= 1


def test_importing_the_same_essay_again_changes_nothing(episode):
    essay_import(episode=episode, markdown=ESSAY)
    ids = list(episode.topics.order_by("position").values_list("pk", flat=True))
    result = essay_import(episode=episode, markdown=ESSAY)
    assert [t.title for t in result.unchanged] == TITLES
    assert result.created == result.updated == result.removed_kept == []
    assert list(episode.topics.order_by("position").values_list("pk", flat=True)) == ids


def test_reimport_updates_in_place_and_reports_removed_headings(episode):
    essay_import(episode=episode, markdown=SMALL)
    scaling, self_play, data = episode.topics.order_by("position")
    tagged = SubmissionFactory(episode=episode, text="Is self-play magic?")
    tagged.topics.add(self_play)
    data_tagged = SubmissionFactory(episode=episode, text="Will data run out?")
    data_tagged.topics.add(data)

    edited = """\
## Data

Pre-training runs out of text. Synthetic data and agents may come next.

## New: Hardware

Chips got ten times faster each year.

## scaling

Bigger networks trained on more data keep getting better.
"""
    result = essay_import(episode=episode, markdown=edited)

    # Matched by title whatever the case (and then spelled as the essay does now): same rows,
    # so tags survive.
    assert [t.pk for t in result.updated] == [data.pk, scaling.pk]
    assert result.unchanged == []
    assert [t.title for t in result.created] == ["New: Hardware"]
    assert [t.pk for t in result.removed_kept] == [self_play.pk]
    assert result.removed_deleted == []
    # Essay order first, then the kept topic nobody can lose by accident.
    assert topic_titles(episode) == ["Data", "New: Hardware", "scaling", "Self-play"]
    data.refresh_from_db()
    assert data.summary.startswith("Pre-training runs out of text.")
    assert list(tagged.topics.all()) == [self_play]
    assert list(data_tagged.topics.all()) == [data]


def test_reimport_deletes_removed_headings_nothing_uses(episode, rank_in_worker):
    essay_import(episode=episode, markdown=SMALL)
    self_play = episode.topics.get(title="Self-play")
    suggested = SubmissionFactory(
        episode=episode, text="Do agents that play each other find harder challenges?"
    )
    submission_suggest_topic(submission=suggested)
    assert suggested.suggested_topic == self_play

    without_self_play = SMALL.replace(
        SMALL[SMALL.index("## Self-play") : SMALL.index("## Data")], ""
    )
    with rank_in_worker(episode):
        result = essay_import(episode=episode, markdown=without_self_play)
    assert result.removed_deleted == ["Self-play"]
    assert result.removed_kept == []
    assert not Topic.objects.filter(pk=self_play.pk).exists()
    assert topic_titles(episode) == ["Scaling", "Data"]
    # A machine suggestion is not a use; it moved on to what is left (or to nothing).
    suggested.refresh_from_db()
    assert suggested.suggested_topic_id != self_play.pk


def test_topics_made_by_hand_count_as_removed_headings(episode):
    TopicFactory(episode=episode, title="Listener mail", position=0)
    result = essay_import(episode=episode, markdown=SMALL)
    assert result.removed_deleted == ["Listener mail"]


def test_an_essay_without_headings_is_refused_and_changes_nothing(episode):
    TopicFactory(episode=episode, title="Kept")
    with pytest.raises(ValidationError, match="no level-2 headings"):
        essay_import(episode=episode, markdown="Just prose.\n\n### Too deep\n\nText.")
    assert topic_titles(episode) == ["Kept"]


def test_duplicate_headings_are_refused(episode):
    with pytest.raises(ValidationError, match="Two sections are called"):
        essay_import(episode=episode, markdown="## Same\n\nOne.\n\n## same\n\nTwo.\n")
    assert not episode.topics.exists()


def test_heading_level_option(episode):
    result = essay_import(
        episode=episode, markdown="## Part\n\n### One\n\nA.\n\n### Two\n\nB.\n", heading_level=3
    )
    assert [t.title for t in result.created] == ["One", "Two"]
    with pytest.raises(ValidationError):
        essay_import(episode=episode, markdown=SMALL, heading_level=0)


def test_episode_create_defaults_to_open_with_a_monday_recording(db, host):
    episode = episode_create(slug="what-ilya-saw", title="What Ilya Saw", hosts=[host])
    assert episode.accepts_submissions()
    assert episode.submissions_close_at is None
    assert episode.recording_at.weekday() == 0
    assert episode.max_audio_seconds == 90
    assert list(episode.hosts.all()) == [host]
    with pytest.raises(ValidationError):
        episode_create(slug="what-ilya-saw", title="Again")
    with pytest.raises(ValidationError):
        episode_create(slug="not a slug!", title="Bad slug")


def test_import_essay_command_creates_the_episode_and_its_topics(db, host):
    out = StringIO()
    call_command(
        "import_essay",
        "ilya",
        str(ESSAY_PATH),
        "--title",
        "What Ilya Saw",
        "--host",
        "host",
        stdout=out,
    )
    episode = Episode.objects.get(slug="ilya")
    assert episode.title == "What Ilya Saw"
    assert episode.accepts_submissions()
    assert list(episode.hosts.all()) == [host]
    assert topic_titles(episode) == TITLES
    assert "Created episode" in out.getvalue()
    assert "4 created" in out.getvalue()

    out = StringIO()
    call_command("import_essay", "ilya", str(ESSAY_PATH), stdout=out)
    assert "4 unchanged" in out.getvalue()
    assert Episode.objects.count() == 1


def test_import_essay_command_titles_a_new_episode_from_its_slug(db, tmp_path):
    path = tmp_path / "essay.md"
    path.write_text(SMALL, encoding="utf-8")
    call_command("import_essay", "2025-outlook", str(path), stdout=StringIO())
    assert Episode.objects.get(slug="2025-outlook").title == "2025 Outlook"


def test_import_essay_command_reports_problems_clearly(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_essay", "x", str(tmp_path / "missing.md"), stdout=StringIO())
    empty = tmp_path / "empty.md"
    empty.write_text("No headings here.", encoding="utf-8")
    with pytest.raises(CommandError, match="no level-2 headings"):
        call_command("import_essay", "x", str(empty), stdout=StringIO())
    # Nothing half-made: the episode is not left behind without topics.
    assert not Episode.objects.filter(slug="x").exists()
    with pytest.raises(CommandError, match="No user"):
        call_command("import_essay", "y", str(ESSAY_PATH), "--host", "nobody", stdout=StringIO())
    assert not Episode.objects.filter(slug="y").exists()


def test_headings_and_summaries_are_stored_as_text_not_html_entities(episode):
    essay_import(
        episode=episode,
        markdown=(
            "## Q&amp;A: &#8220;Scaling&#8221; &amp;c.\n\n"
            "Ask us &#8220;anything&#8221; &mdash; R&amp;D too.\n\n"
            "### Fish &amp; chips\n\nSmall print.\n"
        ),
    )
    topic = episode.topics.get()
    assert topic.title == "Q&A: \u201cScaling\u201d &c."
    assert topic.summary == "Ask us \u201canything\u201d \u2014 R&D too."
    assert "Fish & chips" in topic.body and "&amp;" not in topic.body
