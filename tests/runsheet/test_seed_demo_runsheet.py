"""The demo episode's run-sheet, built from its approved questions."""

from io import StringIO

from django.core.management import call_command

from episodes.services import episode_seed_demo
from runsheet.selectors import runsheet_view
from tests.runsheet.conftest import approved


def test_the_demo_run_sheet_places_every_approved_question_once(db):
    episode, _ = episode_seed_demo()
    topics = list(episode.topics.order_by("position"))
    tagged = approved(episode, tags=[topics[2]], text="What replaces pre-training?")
    untagged = approved(episode, text="Thanks for a great year!")

    out = StringIO()
    call_command("seed_demo_runsheet", stdout=out)
    call_command("seed_demo_runsheet", stdout=out)

    view = runsheet_view(episode=episode)
    assert [row.segment.title for row in view.segments] == [
        "Intro",
        *(t.title for t in topics),
        "Lightning round",
    ]
    placed = {row.segment.title: [e.submission for e in row.entries] for row in view.segments}
    assert placed[topics[2].title] == [tagged]
    assert placed["Lightning round"] == [untagged]
    assert view.segments[0].total == 90
    assert "Started the demo run-sheet with 2 questions." in out.getvalue()
    assert "already started; nothing to do" in out.getvalue()
