"""The run-sheet page and its actions (dashboard/views/runsheet.py): the page before and after
"Start", every form action with its refusals, the JSON reorder (200/400/409, nothing changed
unless 200), 404 for another episode's rows, and a query count that does not grow with the
sheet.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import services as intake_services
from intake.models import Submission
from runsheet import services
from runsheet.models import Entry, RunSheet, Segment
from tests.conftest import AUDIO, attach_audio
from tests.dashboard.pages import messages_of
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def approved(episode, *, tags=(), **fields) -> Submission:
    submission = SubmissionFactory(episode=episode, status=Submission.Status.APPROVED, **fields)
    submission.topics.set(tags)
    return submission


def url(name: str, episode, pk: int | None = None) -> str:
    kwargs = {"slug": episode.slug} if pk is None else {"slug": episode.slug, "pk": pk}
    return reverse(f"dashboard:{name}", kwargs=kwargs)


def order_of(episode) -> list[tuple[int, list[int]]]:
    return [
        (segment.pk, list(segment.entries.order_by("position", "id").values_list("pk", flat=True)))
        for segment in Segment.objects.filter(episode=episode).order_by("position", "id")
    ]


def version_of(episode) -> int:
    return RunSheet.objects.get(episode=episode).version


@pytest.fixture
def topics(episode):
    return [
        TopicFactory(episode=episode, title="Scaling", position=0, body=SCALING_BODY),
        TopicFactory(episode=episode, title="Self-play", position=1),
    ]


# Three paragraphs of about 30 words: three passages to pick from (the matcher packs up to 40).
SCALING_BODY = (
    "In 2014 the bet was simple: big networks trained on big data sets would keep getting "
    "better, and a talk about sequence to sequence learning said so plainly to a room that "
    "mostly disagreed.\n\n"
    "Next-token prediction turned out to be enough to learn a great deal about the world, "
    "which surprised people who expected that understanding would need hand-built structure "
    "and careful rules.\n\n"
    "The scaling hypothesis aged well, although ten years later the limit is data rather than "
    "compute, because there is only one internet to train on and it is mostly used up."
)


@pytest.fixture
def sheet(episode, topics):
    """A started run-sheet: "Scaling" with two questions, "Self-play" with one, one question
    about scaling still in the pool, and one voice question with a clip."""
    services.runsheet_start(episode=episode)
    scaling, selfplay = Segment.objects.filter(episode=episode).order_by("position")
    first = approved(episode, tags=[topics[0]], name="Priya", text="Was the 2014 bet right?")
    second = approved(episode, tags=[topics[0]], name="Sam", text="What limits scaling now?")
    third = approved(episode, tags=[topics[1]], name="", text="Does self-play matter for LLMs?")
    waiting = approved(episode, tags=[topics[0]], name="Kai", text="Bigger or better data?")
    entries = [
        services.entry_add(segment=scaling, submission=first),
        services.entry_add(segment=scaling, submission=second),
        services.entry_add(segment=selfplay, submission=third),
    ]
    return {
        "scaling": scaling,
        "selfplay": selfplay,
        "entries": entries,
        "submissions": [first, second, third],
        "waiting": waiting,
    }


# --- The page ------------------------------------------------------------------------------


def test_the_tab_links_to_the_run_sheet(host_client, episode):
    page = host_client.get(url("submission_list", episode)).content.decode()

    assert f'href="{url("runsheet", episode)}">Run-sheet</a>' in page
    assert "soon" not in page


def test_before_the_start_the_page_offers_to_start_with_the_topics(host_client, episode, topics):
    approved(episode, tags=[topics[0]])

    response = host_client.get(url("runsheet", episode))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Start the run-sheet" in html
    assert f'action="{url("runsheet_start", episode)}"' in html
    assert html.index("<li>Scaling") < html.index("<li>Self-play")
    assert "1 approved question waiting" in html
    assert 'aria-current="page">Run-sheet</a>' in html
    assert "runsheet.js" not in html  # nothing to drag yet
    assert "export.md" not in html


def test_start_makes_one_segment_per_topic_in_essay_order(host_client, episode, topics):
    topics[0].position, topics[1].position = 5, 1
    for topic in topics:
        topic.save()

    response = host_client.post(url("runsheet_start", episode), follow=True)

    assert response.redirect_chain[-1][0] == url("runsheet", episode)
    assert messages_of(response) == [
        (
            "success",
            "Started the run-sheet with 2 segments, one per topic. Add the approved questions "
            "from the pool.",
        )
    ]
    segments = list(Segment.objects.filter(episode=episode).order_by("position"))
    assert [(s.title, s.topic) for s in segments] == [
        ("Self-play", topics[1]),
        ("Scaling", topics[0]),
    ]


def test_starting_again_changes_nothing(host_client, episode, sheet):
    before = (order_of(episode), version_of(episode))

    response = host_client.post(url("runsheet_start", episode), follow=True)

    assert messages_of(response) == [("info", "The run-sheet is already started.")]
    assert (order_of(episode), version_of(episode)) == before


def test_the_page_shows_segments_entries_clock_and_pool(host_client, episode, sheet):
    voice = approved(episode, name="Marcus", text="", consent_to_air=True, audio_format="webm")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)
    voice.transcript = "Ask not what your country can do for you."
    voice.save()
    voice_entry = services.entry_add(segment=sheet["selfplay"], submission=voice)
    Entry.objects.filter(pk=sheet["entries"][0].pk).update(
        passage="In 2014 the bet was simple.", notes="Mention the NeurIPS talk."
    )

    response = host_client.get(url("runsheet", episode))

    assert response.status_code == 200
    html = response.content.decode()
    # Segments in order, with their front and back timing.
    scaling, selfplay = sheet["scaling"].pk, sheet["selfplay"].pk
    assert html.index(f'id="segment-{scaling}"') < html.index(f'id="segment-{selfplay}"')
    view = response.context["sheet"]
    assert [row.segment.title for row in view.segments] == ["Scaling", "Self-play"]
    # Entries at their running clock: typed questions read aloud plus 2:00 of answer.
    first, second = view.segments[0].entries
    assert (first.starts_at, first.seconds) == (0, 2 + 120)
    assert (second.starts_at, second.seconds) == (122, 2 + 120)
    assert f'data-seconds="{first.seconds}"' in html
    assert 'data-role="entry-starts">2:02</span>' in html
    assert 'data-target="3600"' in html
    assert f'data-version="{version_of(episode)}"' in html
    assert "Read aloud" in html
    # The voice question is played, from the protected audio route, loaded only on demand.
    audio_url = url("submission_audio", episode, voice.pk)
    assert f'<audio class="screen-only" controls preload="none" src="{audio_url}"' in html
    assert "Play clip" in html and "clip 0:11" in html
    assert f'id="entry-{voice_entry.pk}"' in html
    # The essay passage, as a quote, with the ways to change it; and the host's notes.
    assert "<blockquote>In 2014 the bet was simple.</blockquote>" in html
    assert url("entry_passage", episode, sheet["entries"][0].pk) in html
    assert "Mention the NeurIPS talk." in html
    # Planned against the target.
    assert f'data-role="planned">{view.planned // 60}:{view.planned % 60:02d}</dd>' in html
    assert "under the target" in html
    # Exports (built elsewhere) are linked; print is a button.
    for fmt in ("md", "csv", "zip"):
        assert (
            reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": fmt}) in html
        )
    assert "data-print" in html
    # The pool: the one approved question left, under its topic, with the way to add it.
    pool = response.context["pool"]
    assert [(item["group"].topic.title, item["group"].count) for item in pool] == [("Scaling", 1)]
    assert pool[0]["segment_id"] == sheet["scaling"].pk
    assert "Bigger or better data?" in html
    assert "Add all 1 approved for this topic" in html
    assert "takes it off the run-sheet automatically" in html
    # Drag and drop is loaded on this page only, after the vendored SortableJS.
    assert html.index("vendor/sortablejs/Sortable.min.js") < html.index("dashboard/runsheet.js")


def test_long_questions_are_folded_with_the_full_text_available(host_client, episode, sheet):
    words = "word " * 100
    Submission.objects.filter(pk=sheet["submissions"][0].pk).update(text=words.strip() + " end.")

    html = host_client.get(url("runsheet", episode)).content.decode()

    assert '<details class="entry-long">' in html
    assert "Show the whole question" in html
    assert words.strip() + " end." in html


def test_over_the_target_is_amber_and_said_in_words(host_client, episode, sheet):
    episode.target_minutes = 5  # three questions of 2:02 and a bit: 6:06
    episode.save()

    html = host_client.get(url("runsheet", episode)).content.decode()

    assert 'class="sheet-timing is-over"' in html
    assert "1:06 over the target" in html
    # Back timing: the last segment should have started 1:06 earlier; it is late.
    assert 'class="segment card is-late"' in html


def test_a_segment_without_questions_says_so(host_client, episode, topics):
    services.runsheet_start(episode=episode)

    html = host_client.get(url("runsheet", episode)).content.decode()

    assert "No questions in this segment yet." in html
    assert "Nothing waiting." in html


# --- Segments ------------------------------------------------------------------------------


def test_add_a_free_segment_with_extra_time(host_client, episode, sheet):
    response = host_client.post(
        url("segment_create", episode),
        {"title": "Intro", "notes": "Welcome back.", "extra_seconds": "1:30"},
        follow=True,
    )

    segment = Segment.objects.get(episode=episode, title="Intro")
    assert (segment.topic, segment.extra_seconds, segment.notes, segment.position) == (
        None,
        90,
        "Welcome back.",
        2,
    )
    assert response.redirect_chain[-1][0] == url("runsheet", episode) + f"#segment-{segment.pk}"
    assert messages_of(response) == [("success", "Added the segment “Intro” at the end.")]
    assert "Welcome back." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        (
            {"title": "Intro", "extra_seconds": "soon"},
            "extra_seconds",
            "not a duration we can read",
        ),
        ({"title": "Intro", "extra_seconds": "1:75"}, "extra_seconds", "seconds run from 00 to 59"),
        ({"title": "", "extra_seconds": ""}, "title", "This field is required."),
    ],
)
def test_a_segment_that_cannot_be_added_is_shown_at_its_field(
    host_client, episode, sheet, data, field, says
):
    before = (order_of(episode), version_of(episode))

    response = host_client.post(url("segment_create", episode), data)

    assert response.status_code == 200
    form = response.context["segment_form"]
    assert any(says in error for error in form.errors[field])
    assert says in response.content.decode()
    assert (order_of(episode), version_of(episode)) == before


def test_adding_a_segment_before_the_start_is_refused(host_client, episode, topics):
    response = host_client.post(url("segment_create", episode), {"title": "Intro"}, follow=True)

    assert messages_of(response) == [("error", "Start the run-sheet first.")]
    assert not Segment.objects.filter(episode=episode).exists()


def test_edit_a_segment(host_client, episode, sheet):
    segment = sheet["scaling"]
    page = host_client.get(url("segment_update", episode, segment.pk))
    assert page.status_code == 200
    assert page.context["form"].initial == {"title": "Scaling", "notes": "", "extra_seconds": ""}

    response = host_client.post(
        url("segment_update", episode, segment.pk),
        {"title": "Scaling, revisited", "notes": "Start with 2014.", "extra_seconds": "45"},
        follow=True,
    )

    segment.refresh_from_db()
    assert (segment.title, segment.notes, segment.extra_seconds) == (
        "Scaling, revisited",
        "Start with 2014.",
        45,
    )
    assert segment.topic is not None  # a topic's segment keeps its topic
    assert response.redirect_chain[-1][0].endswith(f"#segment-{segment.pk}")
    assert messages_of(response) == [("success", "Saved the segment “Scaling, revisited”.")]
    assert (
        host_client.get(url("segment_update", episode, segment.pk))
        .context["form"]
        .initial["extra_seconds"]
        == 45
    )


def test_edit_a_segment_with_an_unreadable_duration(host_client, episode, sheet):
    segment = sheet["scaling"]
    version = version_of(episode)

    response = host_client.post(
        url("segment_update", episode, segment.pk), {"title": "Scaling", "extra_seconds": "4x"}
    )

    assert response.status_code == 200
    assert "type 90 (seconds), 1:30 or 4m" in response.context["form"].errors["extra_seconds"][0]
    assert version_of(episode) == version


@pytest.mark.parametrize("direction", ["down", "up"])
def test_move_a_segment(host_client, episode, sheet, direction):
    scaling, selfplay = sheet["scaling"], sheet["selfplay"]
    moving = scaling if direction == "down" else selfplay

    response = host_client.post(
        url("segment_move", episode, moving.pk), {"direction": direction}, follow=True
    )

    assert [pk for pk, _ in order_of(episode)] == [selfplay.pk, scaling.pk]
    assert response.redirect_chain[-1][0].endswith(f"#segment-{moving.pk}")
    assert messages_of(response) == [("success", f"Moved “{moving.title}” {direction}.")]
    # The sheet's clock follows: the self-play segment now starts the show.
    assert [row.starts_at for row in response.context["sheet"].segments] == [0, 122]


def test_moving_a_segment_needs_a_direction(host_client, episode, sheet):
    before = (order_of(episode), version_of(episode))

    response = host_client.post(
        url("segment_move", episode, sheet["scaling"].pk), {"direction": "sideways"}, follow=True
    )

    assert messages_of(response) == [("error", "Move a segment up or down.")]
    assert (order_of(episode), version_of(episode)) == before


def test_delete_a_segment_after_confirming(host_client, episode, sheet):
    segment = sheet["scaling"]
    page = host_client.get(url("segment_delete", episode, segment.pk))
    assert page.status_code == 200
    assert "Its 2 questions go back to the pool." in page.content.decode()

    response = host_client.post(url("segment_delete", episode, segment.pk), follow=True)

    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert messages_of(response) == [
        ("success", "Deleted the segment “Scaling”; its 2 questions went back to the pool.")
    ]
    assert response.redirect_chain[-1][0].endswith("#pool")
    first, second = sheet["submissions"][:2]
    for submission in (first, second):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.APPROVED
        assert not Entry.objects.filter(submission=submission).exists()
    pool = response.context["pool"]
    assert pool[0]["group"].count == 3  # the two, and the one that was waiting


def test_add_all_approved_for_the_segments_topic(host_client, episode, sheet):
    another = approved(episode, tags=[sheet["scaling"].topic], text="And synthetic data?")
    approved(episode, tags=[sheet["selfplay"].topic], text="Not this one.")
    SubmissionFactory(episode=episode, text="New, not approved.").topics.set(
        [sheet["scaling"].topic]
    )

    response = host_client.post(url("segment_add_all", episode, sheet["scaling"].pk), follow=True)

    added = list(
        Entry.objects.filter(segment=sheet["scaling"])
        .order_by("position")
        .values_list("submission", flat=True)
    )
    assert added[2:] == [sheet["waiting"].pk, another.pk]
    assert messages_of(response) == [("success", "Added 2 approved questions to “Scaling”.")]
    assert response.redirect_chain[-1][0].endswith(f"#segment-{sheet['scaling'].pk}")


def test_add_all_with_nothing_waiting_says_so(host_client, episode, sheet):
    response = host_client.post(url("segment_add_all", episode, sheet["selfplay"].pk), follow=True)

    assert messages_of(response) == [
        ("info", "No approved questions for “Self-play” are in the pool.")
    ]
    assert Entry.objects.filter(segment=sheet["selfplay"]).count() == 1


def test_add_all_to_a_free_segment_is_refused(host_client, episode, sheet):
    free = services.segment_create(episode=episode, title="Lightning round")

    response = host_client.post(url("segment_add_all", episode, free.pk), follow=True)

    assert messages_of(response) == [
        ("error", "This segment has no topic; add questions to it one by one.")
    ]
    assert not free.entries.exists()


# --- Entries -------------------------------------------------------------------------------


def test_add_a_question_from_the_pool_by_hand(host_client, episode, sheet):
    waiting = sheet["waiting"]

    response = host_client.post(
        url("entry_add", episode),
        {"submission": waiting.pk, "segment": sheet["selfplay"].pk},
        follow=True,
    )

    entry = Entry.objects.get(submission=waiting)
    assert (entry.segment, entry.position) == (sheet["selfplay"], 1)
    assert response.redirect_chain[-1][0].endswith(f"#entry-{entry.pk}")
    assert messages_of(response) == [("success", f"Added #{waiting.pk} from Kai to “Self-play”.")]
    assert response.context["pool"] == []


@pytest.mark.parametrize("problem", ["foreign_submission", "foreign_segment", "new", "twice"])
def test_adding_a_question_is_refused_with_a_message(host_client, episode, sheet, problem):
    submission, segment = sheet["waiting"], sheet["selfplay"]
    says = {
        "foreign_submission": "That question is not one of this episode's.",
        "foreign_segment": "Pick a segment of this run-sheet.",
        "twice": f"#{sheet['submissions'][0].pk} is already on the run-sheet.",
    }
    if problem == "foreign_submission":
        submission = approved(EpisodeFactory())
    elif problem == "foreign_segment":
        other = EpisodeFactory()
        services.runsheet_start(episode=other)
        segment = services.segment_create(episode=other, title="Theirs")
    elif problem == "new":
        submission = SubmissionFactory(episode=episode)
        says["new"] = f"Only approved questions go on the run-sheet; #{submission.pk} is new."
    else:
        submission = sheet["submissions"][0]
    before = (order_of(episode), version_of(episode))

    response = host_client.post(
        url("entry_add", episode), {"submission": submission.pk, "segment": segment.pk}, follow=True
    )

    assert messages_of(response) == [("error", says[problem])]
    assert response.redirect_chain[-1][0].endswith("#pool")
    assert (order_of(episode), version_of(episode)) == before


def test_edit_a_question_on_the_sheet(host_client, episode, sheet):
    entry = sheet["entries"][0]
    page = host_client.get(url("entry_update", episode, entry.pk))
    assert page.status_code == 200
    assert page.context["form"].initial == {"answer_seconds": None, "notes": "", "play": "auto"}
    assert "the episode's default, 2:00." in page.content.decode()

    response = host_client.post(
        url("entry_update", episode, entry.pk),
        {"answer_seconds": "4m", "notes": "Keep it short.", "play": "read"},
        follow=True,
    )

    entry.refresh_from_db()
    assert (entry.answer_seconds, entry.notes, entry.play_clip) == (240, "Keep it short.", False)
    assert response.redirect_chain[-1][0].endswith(f"#entry-{entry.pk}")
    assert messages_of(response) == [("success", f"Saved #{entry.submission_id} from Priya.")]
    row = response.context["sheet"].segments[0].entries[0]
    assert row.seconds == 2 + 240

    host_client.post(
        url("entry_update", episode, entry.pk), {"answer_seconds": "", "notes": "", "play": "auto"}
    )
    entry.refresh_from_db()
    assert (entry.answer_seconds, entry.play_clip) == (None, None)


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"answer_seconds": "soon", "play": "auto"}, "answer_seconds", "not a duration"),
        ({"answer_seconds": "90", "play": "play"}, "play", "This clip cannot be played on air"),
        ({"answer_seconds": "90", "play": "loud"}, "play", "Select a valid choice."),
    ],
)
def test_an_edit_that_cannot_be_saved_is_shown_at_its_field(
    host_client, episode, sheet, data, field, says
):
    entry = sheet["entries"][0]
    version = version_of(episode)

    response = host_client.post(url("entry_update", episode, entry.pk), data)

    assert response.status_code == 200
    assert says in response.context["form"].errors[field][0]
    entry.refresh_from_db()
    assert (entry.answer_seconds, entry.play_clip) == (None, None)
    assert version_of(episode) == version


@pytest.mark.parametrize(
    ("which", "direction", "expected"),
    [
        (1, "up", "1,0|2"),
        (0, "down", "1,0|2"),
        (1, "down", "0|1,2"),  # past the bottom of its segment: first of the next one
        (2, "up", "0,1,2|"),  # past the top: last of the one before
        (0, "up", "0,1|2"),  # already at the very top: nothing moves
    ],
)
def test_move_a_question_up_or_down(host_client, episode, sheet, which, direction, expected):
    entries = sheet["entries"]

    response = host_client.post(
        url("entry_move", episode, entries[which].pk), {"direction": direction}, follow=True
    )

    index = {entry.pk: str(i) for i, entry in enumerate(entries)}
    got = "|".join(",".join(index[pk] for pk in ids) for _, ids in order_of(episode))
    assert got == expected
    assert response.redirect_chain[-1][0].endswith(f"#entry-{entries[which].pk}")
    assert messages_of(response)[0][0] == "success"


def test_move_a_question_to_another_segment(host_client, episode, sheet):
    entry = sheet["entries"][0]

    response = host_client.post(
        url("entry_move", episode, entry.pk), {"segment": sheet["selfplay"].pk}, follow=True
    )

    entry.refresh_from_db()
    assert (entry.segment, entry.position) == (sheet["selfplay"], 1)
    assert messages_of(response) == [
        ("success", f"Moved #{entry.submission_id} from Priya to “Self-play”.")
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({}, "Move a question up, down or to another segment."),
        ({"direction": "left"}, "Select a valid choice. left is not one of the available choices."),
        ({"segment": "999999"}, "Pick a segment of this run-sheet."),
    ],
)
def test_moving_a_question_is_refused_with_a_message(host_client, episode, sheet, data, says):
    before = (order_of(episode), version_of(episode))

    response = host_client.post(
        url("entry_move", episode, sheet["entries"][0].pk), data, follow=True
    )

    assert messages_of(response) == [("error", says)]
    assert (order_of(episode), version_of(episode)) == before


def test_moving_a_question_to_another_episodes_segment_is_refused(host_client, episode, sheet):
    other = EpisodeFactory()
    services.runsheet_start(episode=other)
    theirs = services.segment_create(episode=other, title="Theirs")
    before = order_of(episode)

    response = host_client.post(
        url("entry_move", episode, sheet["entries"][0].pk), {"segment": theirs.pk}, follow=True
    )

    assert messages_of(response) == [("error", "Pick a segment of this run-sheet.")]
    assert order_of(episode) == before
    assert not theirs.entries.exists()


def test_remove_a_question_back_to_the_pool(host_client, episode, sheet):
    entry = sheet["entries"][0]

    response = host_client.post(url("entry_remove", episode, entry.pk), follow=True)

    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert messages_of(response) == [
        (
            "success",
            f"Took #{entry.submission_id} from Priya off the run-sheet; it is back in the pool.",
        )
    ]
    assert response.redirect_chain[-1][0].endswith(f"#segment-{sheet['scaling'].pk}")
    pooled = [s.pk for item in response.context["pool"] for s in item["group"].submissions]
    assert entry.submission_id in pooled


def test_declining_in_the_inbox_takes_a_question_off_the_sheet(host_client, episode, sheet):
    submission = sheet["submissions"][0]

    host_client.post(url("submission_decline", episode, submission.pk))

    assert not Entry.objects.filter(submission=submission).exists()
    html = host_client.get(url("runsheet", episode)).content.decode()
    assert f'id="entry-{sheet["entries"][0].pk}"' not in html


# --- The essay passage ----------------------------------------------------------------------


def test_the_passage_page_lists_the_topics_passages(host_client, episode, sheet):
    entry = sheet["entries"][0]
    choices = services.entry_passage_choices(entry)
    assert len(choices) == 3

    response = host_client.get(url("entry_passage", episode, entry.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Let Mailbag choose" in html
    for index, text in enumerate(choices):
        assert f'value="{index}"' in html
        assert text in html
    assert 'value="auto" checked' in html
    assert "Hide the passage on the run-sheet" in html


def test_pick_another_passage_then_let_mailbag_choose(host_client, episode, sheet):
    entry = sheet["entries"][0]
    choices = services.entry_passage_choices(entry)

    response = host_client.post(
        url("entry_passage", episode, entry.pk), {"action": "pick", "passage": "2"}, follow=True
    )

    entry.refresh_from_db()
    assert (entry.passage, entry.passage_pinned) == (choices[2], True)
    assert messages_of(response) == [
        ("success", f"Pinned the passage you picked for #{entry.submission_id} from Priya.")
    ]
    assert response.redirect_chain[-1][0].endswith(f"#entry-{entry.pk}")
    assert f"<blockquote>{choices[2]}</blockquote>" in response.content.decode()
    page = host_client.get(url("entry_passage", episode, entry.pk)).content.decode()
    assert 'value="2" checked' in page

    host_client.post(url("entry_passage", episode, entry.pk), {"action": "pick", "passage": "auto"})
    entry.refresh_from_db()
    assert entry.passage_pinned is False


def test_hide_and_show_the_passage(host_client, episode, sheet):
    entry = sheet["entries"][0]
    Entry.objects.filter(pk=entry.pk).update(passage="In 2014 the bet was simple.")

    response = host_client.post(
        url("entry_passage", episode, entry.pk), {"action": "hide"}, follow=True
    )

    entry.refresh_from_db()
    assert entry.passage_hidden is True
    html = response.content.decode()
    assert "<blockquote>In 2014 the bet was simple.</blockquote>" not in html
    assert "Essay passage hidden." in html

    host_client.post(url("entry_passage", episode, entry.pk), {"action": "show"})
    entry.refresh_from_db()
    assert entry.passage_hidden is False


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"action": "pick"}, "Pick a passage, or let Mailbag choose."),
        ({"action": "pick", "passage": "7"}, "Select a valid choice."),
    ],
)
def test_a_passage_that_cannot_be_picked(host_client, episode, sheet, data, says):
    entry = sheet["entries"][0]

    response = host_client.post(url("entry_passage", episode, entry.pk), data)

    assert response.status_code == 200
    assert says in response.context["form"].errors["passage"][0]
    entry.refresh_from_db()
    assert (entry.passage, entry.passage_pinned) == ("", False)


# --- Reordering (JSON) ----------------------------------------------------------------------


def post_order(client, episode, body, **extra):
    return client.post(
        url("runsheet_reorder", episode),
        data=body if isinstance(body, str | bytes) else json.dumps(body),
        content_type=extra.pop("content_type", "application/json"),
        **extra,
    )


def body_of(episode, order, version=None):
    return {
        "version": version_of(episode) if version is None else version,
        "segments": [{"id": pk, "entries": ids} for pk, ids in order],
    }


def test_reorder_saves_the_whole_order_and_answers_with_the_clock(host_client, episode, sheet):
    a, b, c = (entry.pk for entry in sheet["entries"])
    scaling, selfplay = sheet["scaling"].pk, sheet["selfplay"].pk
    version = version_of(episode)
    new_order = [(selfplay, [b, c]), (scaling, [a])]

    response = post_order(host_client, episode, body_of(episode, new_order))

    assert response.status_code == 200, response.content
    assert order_of(episode) == new_order
    data = response.json()
    assert data["version"] == version + 1 == version_of(episode)
    assert (data["planned"], data["target"], data["over"]) == (366, 3600, 366 - 3600)
    assert data["segments"] == [
        {
            "id": selfplay,
            "starts_at": 0,
            "total": 244,
            "latest_start": 3600 - 366,
            "entries": [
                {"id": b, "starts_at": 0, "seconds": 122},
                {"id": c, "starts_at": 122, "seconds": 122},
            ],
        },
        {
            "id": scaling,
            "starts_at": 244,
            "total": 122,
            "latest_start": 3600 - 122,
            "entries": [{"id": a, "starts_at": 244, "seconds": 122}],
        },
    ]


def _bad_bodies(ids):
    a, b, c, scaling, selfplay = ids
    full = [{"id": scaling, "entries": [a, b]}, {"id": selfplay, "entries": [c]}]
    return {
        "not json": "{version: 1",
        "a list": [1, 2],
        "no version": {"segments": full},
        "version as text": {"version": "1", "segments": full},
        "segments not a list": {"version": 1, "segments": {"id": scaling}},
        "segment without id": {"version": 1, "segments": [{"entries": [a, b, c]}]},
        "entry ids as text": {
            "version": 1,
            "segments": [{"id": scaling, "entries": [str(a), b]}, {"id": selfplay, "entries": [c]}],
        },
        "a missing entry": {
            "version": 1,
            "segments": [{"id": scaling, "entries": [a]}, {"id": selfplay, "entries": [c]}],
        },
        "an entry twice": {
            "version": 1,
            "segments": [{"id": scaling, "entries": [a, b, a]}, {"id": selfplay, "entries": [c]}],
        },
        "a missing segment": {"version": 1, "segments": [{"id": scaling, "entries": [a, b, c]}]},
        "a foreign entry": {
            "version": 1,
            "segments": [
                {"id": scaling, "entries": [a, b, 999999]},
                {"id": selfplay, "entries": [c]},
            ],
        },
        "a foreign segment": {
            "version": 1,
            "segments": [{"id": 999999, "entries": [a, b]}, {"id": selfplay, "entries": [c]}],
        },
    }


BAD_BODIES = list(_bad_bodies((1, 2, 3, 4, 5)))


@pytest.mark.parametrize("problem", BAD_BODIES)
def test_reorder_refuses_a_bad_body_with_400_and_changes_nothing(
    host_client, episode, sheet, problem
):
    ids = (*(e.pk for e in sheet["entries"]), sheet["scaling"].pk, sheet["selfplay"].pk)
    body = _bad_bodies(ids)[problem]
    if isinstance(body, dict) and isinstance(body.get("version"), int):
        body["version"] = version_of(episode)
    before = (order_of(episode), version_of(episode))

    response = post_order(host_client, episode, body)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert (order_of(episode), version_of(episode)) == before


def test_reorder_refuses_ids_of_another_episode(host_client, episode, sheet):
    other = EpisodeFactory(hosts=[])
    services.runsheet_start(episode=other)
    theirs = services.segment_create(episode=other, title="Theirs")
    their_entry = services.entry_add(segment=theirs, submission=approved(other))
    a, b, c = (entry.pk for entry in sheet["entries"])
    before = (order_of(episode), version_of(episode), order_of(other), version_of(other))
    order = [(sheet["scaling"].pk, [a, b, their_entry.pk]), (sheet["selfplay"].pk, [c])]

    response = post_order(host_client, episode, body_of(episode, order))

    assert response.status_code == 400
    assert "each segment and each question of this run-sheet" in response.json()["error"]
    assert (order_of(episode), version_of(episode), order_of(other), version_of(other)) == before


def test_reorder_refuses_a_wrong_content_type(host_client, episode, sheet):
    before = (order_of(episode), version_of(episode))

    response = host_client.post(
        url("runsheet_reorder", episode), {"version": str(version_of(episode))}
    )

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert (order_of(episode), version_of(episode)) == before


def test_reorder_from_a_stale_page_is_409_and_changes_nothing(host_client, episode, sheet):
    a, b, c = (entry.pk for entry in sheet["entries"])
    stale = version_of(episode)
    # Another host moves a question in the meantime.
    services.entry_move(entry=sheet["entries"][1], direction="up")
    before = (order_of(episode), version_of(episode))
    order = [(sheet["selfplay"].pk, [c]), (sheet["scaling"].pk, [a, b])]

    response = post_order(host_client, episode, body_of(episode, order, version=stale))

    assert response.status_code == 409
    assert response.json()["stale"] is True
    assert "Someone changed the run-sheet since you loaded it" in response.json()["error"]
    assert (order_of(episode), version_of(episode)) == before


def test_reorder_before_the_start_is_400(host_client, episode, topics):
    response = post_order(host_client, episode, {"version": 1, "segments": []})

    assert response.status_code == 400
    assert response.json()["error"] == "Start the run-sheet first."


def test_reorder_needs_the_csrf_header(episode, sheet, host):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(host)
    page = strict.get(url("runsheet", episode))
    token = page.context["csrf_token"]
    a, b, c = (entry.pk for entry in sheet["entries"])
    order = [(sheet["scaling"].pk, [b, a]), (sheet["selfplay"].pk, [c])]
    before = order_of(episode)

    refused = post_order(strict, episode, body_of(episode, order))
    assert refused.status_code == 403
    assert order_of(episode) == before

    accepted = post_order(strict, episode, body_of(episode, order), HTTP_X_CSRFTOKEN=str(token))
    assert accepted.status_code == 200
    assert order_of(episode) == order


# --- Another episode's rows -----------------------------------------------------------------

ROW_ROUTES = [
    ("segment_update", "get", "segment"),
    ("segment_update", "post", "segment"),
    ("segment_move", "post", "segment"),
    ("segment_delete", "get", "segment"),
    ("segment_delete", "post", "segment"),
    ("segment_add_all", "post", "segment"),
    ("entry_update", "get", "entry"),
    ("entry_update", "post", "entry"),
    ("entry_move", "post", "entry"),
    ("entry_remove", "post", "entry"),
    ("entry_passage", "get", "entry"),
    ("entry_passage", "post", "entry"),
]


@pytest.mark.parametrize(("name", "method", "kind"), ROW_ROUTES)
def test_another_episodes_segments_and_entries_are_404(
    host_client, episode, sheet, name, method, kind
):
    """The host's own episode in the URL, the row of an episode they do not host: 404."""
    other = EpisodeFactory()
    services.runsheet_start(episode=other)
    theirs = services.segment_create(episode=other, title="Theirs", notes="Secret.")
    their_entry = services.entry_add(segment=theirs, submission=approved(other))
    pk = theirs.pk if kind == "segment" else their_entry.pk
    data = {"title": "Mine now", "direction": "down", "action": "hide", "answer_seconds": "1"}
    before = (order_of(other), version_of(other), Segment.objects.get(pk=theirs.pk).title)

    response = getattr(host_client, method)(url(name, episode, pk), data)

    assert response.status_code == 404
    assert (order_of(other), version_of(other), Segment.objects.get(pk=theirs.pk).title) == before
    assert Entry.objects.get(pk=their_entry.pk).passage_hidden is False


# --- Queries --------------------------------------------------------------------------------


def _episode_with_entries(host, count: int):
    episode = EpisodeFactory(hosts=[host])
    topics = [TopicFactory(episode=episode, position=i) for i in range(3)]
    services.runsheet_start(episode=episode)
    services.segment_create(episode=episode, title="Lightning round")
    for index in range(count + 3):
        approved(episode, tags=[topics[index % 3]], text=f"Question {index}?", name=f"L{index}")
    for segment in Segment.objects.filter(episode=episode, topic__isnull=False):
        services.entries_add_all(segment=segment)
    # Leave three in the pool, and a voice question with notes and a passage on the sheet.
    for entry in Entry.objects.filter(segment__episode=episode).order_by("-id")[:3]:
        services.entry_remove(entry=entry)
    entry = Entry.objects.filter(segment__episode=episode).first()
    Entry.objects.filter(pk=entry.pk).update(
        notes="Notes.", passage="A passage.", answer_seconds=60
    )
    Submission.objects.filter(pk=entry.submission_id).update(
        audio="audio/x.webm", audio_seconds=12.0, consent_to_air=True
    )
    assert Entry.objects.filter(segment__episode=episode).count() == count
    return episode


def test_the_page_takes_the_same_queries_for_5_and_50_questions(host_client, host):
    small, large = _episode_with_entries(host, 5), _episode_with_entries(host, 50)

    counts = []
    for episode in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = host_client.get(url("runsheet", episode))
        assert response.status_code == 200
        assert response.context["sheet"].entry_count in (5, 50)
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert counts[1] <= 15


def test_the_page_stays_within_its_query_budget(host_client, host, django_assert_max_num_queries):
    episode = _episode_with_entries(host, 50)

    with django_assert_max_num_queries(15):
        host_client.get(url("runsheet", episode))


def test_moderation_keeps_working_with_a_sheet(host_client, episode, sheet):
    """Reopening from the inbox (the other way off the sheet) leaves the rest in order."""
    first, second, third = sheet["submissions"]
    intake_services.submission_reopen(submission=second)

    a, _, c = (entry.pk for entry in sheet["entries"])
    assert order_of(episode) == [(sheet["scaling"].pk, [a]), (sheet["selfplay"].pk, [c])]


def test_a_recording_not_for_air_is_read_on_the_sheet_and_says_why(host_client, episode, sheet):
    voice = approved(episode, name="Noor", text="", consent_to_air=False, audio_format="webm")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)
    voice.transcript = "Greetings from Lisbon, keep going."
    voice.save()
    entry = services.entry_add(segment=sheet["selfplay"], submission=voice)
    assert not entry.plays_clip

    html = host_client.get(url("runsheet", episode)).content.decode()
    block = html.split(f'id="entry-{entry.pk}"', 1)[1].split('<li class="entry"', 1)[0]
    assert "Read aloud" in block and "Play clip" not in block
    assert ">Not for air</span>" in block
    assert "didn't agree to air their voice: read their words" in block
    assert "Greetings from Lisbon, keep going." in block

    # Asking to play it anyway is refused, and the sheet still reads it.
    response = host_client.post(
        url("entry_update", episode, entry.pk), {"answer_seconds": "", "notes": "", "play": "play"}
    )
    entry.refresh_from_db()
    assert entry.play_clip is not True
    assert not entry.plays_clip
    assert response.status_code in (200, 302)


def test_the_sheet_shows_what_aired_and_an_aired_question_cannot_be_removed(
    host_client, episode, sheet
):
    first, second, third = sheet["entries"]
    services.recording_start(episode=episode)
    services.recording_skip(episode=episode)  # Priya skipped, Sam live

    page = host_client.get(url("runsheet", episode)).content.decode()
    removed = host_client.post(url("entry_remove", episode, second.pk), follow=True)

    badges = {
        entry.pk: page.split(f'id="entry-{entry.pk}"')[1].split("</p>")[0]
        for entry in (first, second, third)
    }
    assert "Skipped" in badges[first.pk] and "Live" in badges[second.pk]
    assert 'data-role="air-state"' not in badges[third.pk]
    assert Entry.objects.filter(pk=second.pk).exists()
    assert "went out in the recording" in str(messages_of(removed))
