"""After the show: the chapters (runsheet.chapters), the Podcasting 2.0 JSON chapters and the
Markdown show notes made from them (runsheet.exporters), their downloads and
`manage.py export_runsheet --format chapters|shownotes`.

The golden recording is run through the services with fixed times, so every stamp is exact:
an intro with time of its own, a pause, a skipped question, a segment of which nothing aired,
a question past the hour, and 30 seconds cut from the start.
UPDATE_GOLDEN=1 rewrites tests/runsheet/golden/ from the current output; read the diff.
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from markdown_it import MarkdownIt

from episodes.models import Episode
from intake.models import Submission
from runsheet import services
from runsheet.chapters import QUESTION, SEGMENT, chapters_list, questions_by_segment, timestamp
from runsheet.exporters import EXPORTERS, ChaptersExporter, ShowNotesExporter
from runsheet.models import Recording
from runsheet.selectors import recording_view, runsheet_view
from tests.factories import EpisodeFactory, SubmissionFactory
from tests.runsheet.test_exporters import BASE_URL, check_golden

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 12, 7, 17, 0, tzinfo=dt.UTC)  # in the past: the pages read "now"
PUBLIC_URL = "https://example.com/episodes/2026-recap"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def approved(episode: Episode, *, name: str, text: str) -> Submission:
    return SubmissionFactory(
        episode=episode, status=Submission.Status.APPROVED, name=name, text=text
    )


def build_sheet(*, host, slug: str = "golden-show", title: str = "2026 Recap: *all* of it"):
    """Intro (60 s of its own): Sam. Scaling: Zoë, a question to skip, an unnamed listener.
    Self-play (30 s intro): Dash. Data: Ana. Lightning round: one never reached.
    Returns the episode and its entries by name."""
    episode = EpisodeFactory(
        slug=slug, title=title, target_minutes=60, hosts=[host], public_url=PUBLIC_URL
    )
    services.runsheet_start(episode=episode)
    intro = services.segment_create(episode=episode, title="Intro", extra_seconds=60)
    scaling = services.segment_create(episode=episode, title="Scaling")
    selfplay = services.segment_create(episode=episode, title="Self-play", extra_seconds=30)
    data = services.segment_create(episode=episode, title="Data | *the* end")
    lightning = services.segment_create(episode=episode, title="Lightning round")
    questions = [
        ("sam", intro, "Sam from Berlin", "What do you think replaces pre-training?"),
        ("zoe", scaling, "Zoë", "Scaling laws held for ten years. Will they hold for ten more?"),
        ("skipped", scaling, "Skip Me", "Is this one skipped?"),
        ("listener", scaling, "  ", "Is *data* the new <oil>? Asking for a friend."),
        ("dash", selfplay, "- Dash *Star*", "Is self-play | the `next` thing?"),
        ("ana", data, "Ana", "A long one. What comes after 2026?"),
        ("unreached", lightning, "Late", "Never reached?"),
    ]
    entries = {}
    for key, segment, name, text in questions:
        submission = approved(episode, name=name, text=text)
        entries[key] = services.entry_add(segment=segment, submission=submission)
    return episode, entries


def record(episode: Episode, *, trim: int = 30) -> Recording:
    """The golden recording (show clock in brackets: the pause is left out).

    0 intro [0] · 40 Sam [40] · 130 Zoë [130] · 200-260 paused · 300 the question to skip
    [240] · 310 skipped: the unnamed listener [250] · 400 Self-play's intro [340] · 420 Dash
    [360] · 3800 Ana [3740] · 3900 stop [3840]: the lightning round is never reached.
    """
    on = {"episode": episode}
    services.recording_start(**on, now=at(0))
    services.recording_next(**on, now=at(40))
    services.recording_next(**on, now=at(130))
    services.recording_pause(**on, now=at(200))
    services.recording_resume(**on, now=at(260))
    services.recording_next(**on, now=at(300))
    services.recording_skip(**on, now=at(310))
    services.recording_next(**on, now=at(400))
    services.recording_next(**on, now=at(420))
    services.recording_next(**on, now=at(3800))
    recording = services.recording_stop(**on, now=at(3900))
    return services.recording_trim(recording=recording, trim_seconds=trim)


@pytest.fixture
def recorded(host) -> Episode:
    episode, _entries = build_sheet(host=host)
    record(episode)
    return episode


def export(episode: Episode, fmt: str):
    return EXPORTERS[fmt](view=runsheet_view(episode=episode), base_url=BASE_URL).render()


# --- The chapter list -------------------------------------------------------------------------


def test_chapters_of_the_golden_recording(recorded):
    chapters = chapters_list(recording_view(episode=recorded))

    assert [(c.start, c.kind, c.title) for c in chapters] == [
        (0, SEGMENT, "Intro"),  # 0 - 30, never negative
        (10, QUESTION, "Sam from Berlin: What do you think replaces pre-training?"),
        (100, SEGMENT, "Scaling"),  # no intro: it starts with its first aired question
        (100, QUESTION, "Zoë: Will they hold for ten more?"),
        (220, QUESTION, "A listener: Is *data* the new <oil>?"),  # the skip has none
        (310, SEGMENT, "Self-play"),  # its intro
        (330, QUESTION, "- Dash *Star*: Is self-play | the `next` thing?"),
        (3710, SEGMENT, "Data | *the* end"),
        (3710, QUESTION, "Ana: What comes after 2026?"),
        # The lightning round: nothing aired, no chapter.
    ]


def test_the_trim_moves_every_chapter_and_none_goes_below_zero(host):
    episode, _ = build_sheet(host=host)
    record(episode, trim=0)
    untrimmed = [c.start for c in chapters_list(recording_view(episode=episode))]
    services.recording_trim(recording=Recording.objects.get(), trim_seconds=120)
    trimmed = [c.start for c in chapters_list(recording_view(episode=episode))]

    assert untrimmed == [0, 40, 130, 130, 250, 340, 360, 3740, 3740]
    assert trimmed == [max(0, start - 120) for start in untrimmed]
    assert trimmed[:3] == [0, 0, 10]


def test_a_question_taken_after_all_with_back_starts_its_segment_when_it_aired(host):
    """Skip the first question of a segment, air the next, then go Back over the skip: the
    skipped one airs after all, later; the segment starts at the earliest of its steps."""
    episode, entries = build_sheet(host=host)
    on = {"episode": episode}
    services.recording_start(**on, now=at(0))  # the intro
    services.recording_next(**on, now=at(10))  # Sam
    services.recording_next(**on, now=at(20))  # Zoë
    services.recording_skip(**on, now=at(30))  # Zoë skipped; the next one live from 30
    services.recording_back(**on, now=at(50))  # back over the skip: Zoë airs, from 50
    services.recording_stop(**on, now=at(60))

    chapters = chapters_list(recording_view(episode=episode))

    assert [(c.start, c.kind, c.title.split(":")[0]) for c in chapters] == [
        (0, SEGMENT, "Intro"),
        (10, QUESTION, "Sam from Berlin"),
        (50, SEGMENT, "Scaling"),
        (50, QUESTION, "Zoë"),
    ]


def test_a_segment_without_an_intro_and_nothing_aired_has_no_chapter(host):
    episode, _ = build_sheet(host=host)
    services.recording_start(episode=episode, now=at(0))
    services.recording_stop(episode=episode, now=at(5))  # only the intro went out

    chapters = chapters_list(recording_view(episode=episode))

    assert [(c.start, c.title) for c in chapters] == [(0, "Intro")]
    assert questions_by_segment(recording_view(episode=episode)) == []


def test_the_live_step_counts_while_recording(host):
    episode, _ = build_sheet(host=host)
    services.recording_start(episode=episode, now=at(0))
    services.recording_next(episode=episode, now=at(40))  # Sam is live

    chapters = chapters_list(recording_view(episode=episode, now=at(50)))

    assert [(c.start, c.kind) for c in chapters] == [(0, SEGMENT), (40, QUESTION)]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (5, "00:05"), (192, "03:12"), (3599, "59:59"), (3600, "1:00:00"),
     (3723, "1:02:03"), (36000, "10:00:00"), (-4, "00:00")],
)  # fmt: skip
def test_timestamps_are_mm_ss_then_h_mm_ss(seconds, text):
    assert timestamp(seconds) == text


# --- JSON chapters ------------------------------------------------------------------------------


def assert_chapters_shape(document) -> None:
    """The Podcasting 2.0 JSON chapters format (version 1.2): an object with a required
    `version` string and a required `chapters` array of objects, each with a required
    numeric `startTime` (seconds, >= 0) and here always a string `title`, in ascending
    order of startTime."""
    assert isinstance(document, dict)
    assert isinstance(document.get("version"), str) and document["version"]
    assert isinstance(document.get("chapters"), list)
    starts = []
    for chapter in document["chapters"]:
        assert isinstance(chapter, dict)
        start = chapter.get("startTime")
        assert isinstance(start, int | float) and not isinstance(start, bool)
        assert start >= 0
        assert isinstance(chapter.get("title"), str) and chapter["title"]
        assert set(chapter) <= {"startTime", "endTime", "title", "img", "url", "toc", "location"}
        starts.append(start)
    assert starts == sorted(starts)


def test_chapters_json_matches_the_golden_file(recorded):
    filename, content_type, data = export(recorded, "chapters")

    assert (filename, content_type) == ("golden-show-chapters.json", "application/json+chapters")
    check_golden("chapters.json", data)


def test_chapters_json_has_the_podcasting_2_shape(recorded):
    data = export(recorded, "chapters")[2]
    document = json.loads(data.decode("utf-8"))

    assert_chapters_shape(document)
    assert document["version"] == "1.2.0"
    assert document["chapters"][0] == {"startTime": 0, "title": "Intro"}
    assert all(type(c["startTime"]) is int for c in document["chapters"])
    assert "Zoë" in data.decode("utf-8")  # as typed, not \u00eb
    assert data.endswith(b"}\n")


def test_the_shape_check_catches_what_is_not_chapters():
    for bad in (
        {"chapters": []},
        {"version": 1.2, "chapters": []},
        {"version": "1.2.0", "chapters": [{"title": "no start"}]},
        {"version": "1.2.0", "chapters": [{"startTime": -1, "title": "x"}]},
        {"version": "1.2.0", "chapters": [{"startTime": "0", "title": "x"}]},
        {"version": "1.2.0", "chapters": [{"startTime": 5, "title": "b"},
                                          {"startTime": 1, "title": "a"}]},
    ):  # fmt: skip
        with pytest.raises(AssertionError):
            assert_chapters_shape(bad)


def test_a_skipped_intro_leaves_the_segment_to_start_with_its_first_question(host):
    episode, _ = build_sheet(host=host)
    services.recording_start(episode=episode, now=at(0))
    services.recording_skip(episode=episode, now=at(1))  # the intro, skipped
    services.recording_stop(episode=episode, now=at(2))  # Sam was live: he aired, 1 s

    document = json.loads(export(episode, "chapters")[2])
    assert_chapters_shape(document)
    assert [c["title"] for c in document["chapters"]] == [
        "Intro",
        "Sam from Berlin: What do you think replaces pre-training?",
    ]
    assert document["chapters"][0]["startTime"] == 1  # the intro was skipped: Sam starts it


# --- Show notes ---------------------------------------------------------------------------------


def test_show_notes_match_the_golden_file(recorded):
    filename, content_type, data = export(recorded, "shownotes")

    assert (filename, content_type) == ("golden-show-shownotes.md", "text/markdown; charset=utf-8")
    check_golden("shownotes.md", data)


def test_show_notes_read_as_typed_and_keep_their_structure(recorded):
    text = export(recorded, "shownotes")[2].decode("utf-8")
    tokens = MarkdownIt("commonmark").parse(text)

    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2", "h2", "h2"]
    assert len(headings) == 5
    html = MarkdownIt("commonmark").render(text)
    assert "<h1>2026 Recap: *all* of it</h1>" in html
    assert "<h2>Data | *the* end</h2>" in html
    assert "<li>03:40 · A listener: Is *data* the new &lt;oil&gt;?</li>" in html
    assert "<li>05:30 · - Dash *Star*: Is self-play | the `next` thing?</li>" in html
    assert "<li>1:01:50 · Ana: What comes after 2026?</li>" in html
    assert f'Listen: <a href="{PUBLIC_URL}">{PUBLIC_URL}</a>' in html
    assert "Skip Me" not in text and "Late" not in text
    assert "Lightning round" not in text  # nothing of it aired
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 5  # one line per aired question


def test_show_notes_without_a_public_link_or_with_an_odd_one(host):
    episode, _ = build_sheet(host=host)
    record(episode)
    for url, expected in (
        ("", None),
        ("javascript:alert(1)", None),
        ("https://example.com/a b<c>", "Listen: <https://example.com/a%20b%3Cc%3E>"),
    ):
        Episode.objects.filter(pk=episode.pk).update(public_url=url)
        text = export(Episode.objects.get(pk=episode.pk), "shownotes")[2].decode()
        lines = text.splitlines()
        if expected is None:
            assert not any(line.startswith("Listen:") for line in lines)
        else:
            assert expected in lines


def test_show_notes_say_so_when_no_question_aired(host):
    episode, _ = build_sheet(host=host)
    services.recording_start(episode=episode, now=at(0))
    services.recording_stop(episode=episode, now=at(5))

    text = export(episode, "shownotes")[2].decode()

    assert "## " not in text
    assert "No questions from listeners aired in this episode." in text


def test_exports_read_the_recording_in_a_fixed_number_of_queries(
    recorded, django_assert_num_queries
):
    # The sheet (3) and the recording view (the sheet again and the recording: 4).
    for exporter in (ChaptersExporter, ShowNotesExporter):
        with django_assert_num_queries(7):
            exporter(view=runsheet_view(episode=recorded), base_url=BASE_URL).render()


# --- Downloads and the command --------------------------------------------------------------------


def export_url(episode: Episode, fmt: str) -> str:
    return reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": fmt})


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("chapters", "application/json+chapters", "golden-show-chapters.json"),
        ("shownotes", "text/markdown; charset=utf-8", "golden-show-shownotes.md"),
    ],
)
def test_host_downloads_chapters_and_show_notes(recorded, host_client, fmt, content_type, filename):
    response = host_client.get(export_url(recorded, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response.content == export(recorded, fmt)[2]


@pytest.mark.parametrize("fmt", ["chapters", "shownotes"])
def test_before_any_recording_the_host_is_sent_to_the_runsheet(host, host_client, fmt):
    episode, _ = build_sheet(host=host)

    response = host_client.get(export_url(episode, fmt), follow=True)

    assert response.redirect_chain == [
        (reverse("dashboard:runsheet", kwargs={"slug": episode.slug}), 302)
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing has been recorded yet: chapters and show notes are made from the recording."
    ]


def test_other_hosts_cannot_download_the_chapters(recorded, other_host_client):
    assert other_host_client.get(export_url(recorded, "chapters")).status_code == 404


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = BASE_URL


@pytest.mark.parametrize("fmt", ["chapters", "shownotes"])
def test_command_gives_the_exporters_bytes(recorded, site_url, fmt):
    out = io.StringIO()
    call_command("export_runsheet", "golden-show", "--format", fmt, stdout=out)

    assert out.getvalue().encode("utf-8") == export(recorded, fmt)[2]


def test_command_writes_the_chapters_to_a_file(recorded, site_url, tmp_path):
    path = tmp_path / "chapters.json"
    call_command("export_runsheet", "golden-show", "--format", "chapters", "-o", str(path))

    assert path.read_bytes() == export(recorded, "chapters")[2]


@pytest.mark.parametrize("fmt", ["chapters", "shownotes"])
def test_command_refuses_an_episode_never_recorded(host, site_url, fmt):
    build_sheet(host=host)

    with pytest.raises(CommandError, match="has not been recorded yet") as error:
        call_command("export_runsheet", "golden-show", "--format", fmt, stdout=io.StringIO())
    assert f"{BASE_URL}/host/golden-show/runsheet/live/" in str(error.value)


def test_command_offers_the_new_formats():
    from runsheet.management.commands.export_runsheet import Command

    parser = Command().create_parser("manage.py", "export_runsheet")
    action = next(a for a in parser._actions if a.dest == "fmt")
    assert {"chapters", "shownotes"} <= set(action.choices)
    assert "chapters" in action.help and "shownotes" in action.help


def test_a_question_without_words_yet_is_named_by_its_asker(host):
    episode, entries = build_sheet(host=host)
    Submission.objects.filter(pk=entries["sam"].submission_id).update(text="", transcript="")
    record(episode)

    document = json.loads(export(episode, "chapters")[2])
    notes = export(episode, "shownotes")[2].decode().splitlines()

    assert document["chapters"][1] == {"startTime": 10, "title": "Sam from Berlin"}
    assert "- 00:10 · Sam from Berlin" in notes
