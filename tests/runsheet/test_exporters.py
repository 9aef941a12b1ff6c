"""Run-sheet exports: the golden Markdown and CSV of a fixture episode, listener text that
must stay data (Markdown structure, spreadsheet formulas), the streamed audio bundle, the
download view and `manage.py export_runsheet`.

UPDATE_GOLDEN=1 rewrites tests/runsheet/golden/ from the current output; read the diff.
Submissions are made with fixed ids, so the links in the goldens are the same on SQLite and
PostgreSQL.
"""

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from markdown_it import MarkdownIt

from episodes.models import Episode
from episodes.services import show_get
from intake.models import Submission
from runsheet import services
from runsheet.exporters import EXPORTERS, AudioBundleExporter, CsvExporter, MarkdownExporter
from runsheet.exporters.base import clip_filename, over_phrase, recording_phrase
from runsheet.exporters.markdown import md_line, md_text
from runsheet.exporters.spreadsheet import COLUMNS, defuse
from runsheet.models import Entry
from runsheet.selectors import runsheet_view
from tests.conftest import AUDIO, attach_audio
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
BASE_URL = "https://mailbag.example.com"
RECORDING = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)
S = Submission.Status

# Every way a question could try to become Markdown structure. Starts with spaces, too.
HOSTILE_QUESTION = "\n".join(
    [
        "   ## Heading",
        "<script>alert('x')</script>",
        "Run `rm -rf /` or ```python```",
        "| a | b |",
        "|---|---|",
        "[x](javascript:alert(1)) ![img](http://evil.example/x.png) <http://evil.example>",
        "- a list?",
        "> a quote?",
        "+ plus",
        "1. one",
        "1) two",
        "***",
        "===",
        "---",
        "&amp; &lt;b&gt; &#60;",
        "    indented code?",
        "~~~",
        "*em* _em_ **strong** ~~strike~~ \\",
        "",
        "[ref]: http://evil.example",
        "Still one question? C# #tag ##",
    ]
)
HOSTILE_PASSAGE = (
    "> not a nested quote\n\n    - indented, not code\n## passage heading\n<b>bold</b>"
)
HOSTILE_NOTES = "1) Mention AlphaGo.\n2) Keep it short & sweet <3\n=== \n* [link](http://x)"


@pytest.fixture(autouse=True)
def utc(settings):
    """Recording times in the goldens read UTC, whatever TIME_ZONE the machine sets."""
    settings.TIME_ZONE = "UTC"


def hostile(text: str) -> str:
    return text


def innocent(text: str) -> str:
    """The same text without any punctuation: what the hostile episode must look like."""
    return re.sub(r"[^\w\s]", "", text)


def approved(episode: Episode, pk: int, **fields) -> Submission:
    return SubmissionFactory(pk=pk, episode=episode, status=S.APPROVED, **fields)


def build_sheet(
    *, host, slug: str, say: Callable[[str], str] = hostile, pk_base: int = 9100
) -> Episode:
    """The fixture episode: two topic segments and a free one; typed and voice questions,
    one voice message without consent (read aloud), one the hosts chose to read, an edited
    transcript, notes and an answer time of its own, passages set on the entries, and
    hostile text from listeners and hosts alike (`say` turns it innocent for comparison)."""
    episode = EpisodeFactory(
        slug=slug,
        title=say("2026 Recap: *all* of it | #1"),
        recording_at=RECORDING,
        target_minutes=20,
        answer_seconds_default=90,
        hosts=[host],
    )
    scaling = TopicFactory(episode=episode, title="Scaling", position=0)
    TopicFactory(episode=episode, title="Self-play", position=1)
    services.runsheet_start(episode=episode)
    first, second = episode.segments.order_by("position")
    services.segment_update(
        segment=first,
        title="Scaling",
        notes=say("Open with the chart.\n- then the bet we lost\n    1. and the numbers"),
        extra_seconds=30,
    )
    services.segment_update(
        segment=second, title=say("Self-play <i>and</i> `games` | bots"), notes="", extra_seconds=0
    )
    lightning = services.segment_create(
        episode=episode,
        title="Lightning round",
        notes=say("Quick ones: 30 seconds each!"),
        extra_seconds=45,
    )

    def add(segment, submission, *, passage="", **update):
        entry = services.entry_add(segment=segment, submission=submission)
        if update:
            services.entry_update(entry=entry, **update)
        if passage:
            Entry.objects.filter(pk=entry.pk).update(passage=passage)
        return entry

    pk = pk_base
    typed = approved(episode, pk + 1, name="Sam Berlin", text=say("What comes after pre-training?"))
    typed.topics.set([scaling])
    add(first, typed, passage=say("Pre-training was the engine of the year."))

    edited = approved(
        episode,
        pk + 2,
        name="Zoë Alvarez",
        text="",
        transcript="what happens when scaling stops",
        transcript_edited=say("What happens when scaling stops working?"),
        consent_to_air=True,
    )
    attach_audio(edited, AUDIO / "q_scaling.webm", seconds=11.4)
    add(first, edited, passage=say("Nobody knows where the curve bends.\nNot even the labs."))

    nasty = approved(
        episode, pk + 3, name=say("<script>alert(1)</script>"), text=say(HOSTILE_QUESTION)
    )
    add(first, nasty, passage=say(HOSTILE_PASSAGE))

    no_consent = approved(
        episode,
        pk + 4,
        kind=Submission.Kind.MESSAGE,
        name="",
        text="",
        transcript=say("Love the show, greetings from Lisbon!"),
        consent_to_air=False,
    )
    attach_audio(no_consent, AUDIO / "q_selfplay.webm", seconds=9.0)
    hidden = add(second, no_consent, passage="A passage the hosts hid.")
    services.entry_passage_hide(entry=hidden, hidden=True)

    timed = approved(
        episode, pk + 5, name=say("- Dash *Star*"), text=say("Is self-play | the `next` thing?")
    )
    add(
        second,
        timed,
        passage=say("Self-play needs a game with a score."),
        answer_seconds=45,
        notes=say(HOSTILE_NOTES),
        play_clip=None,
    )

    read_anyway = approved(
        episode,
        pk + 6,
        name="Ana",
        text="",
        transcript=say("Does pre-training still matter?"),
        consent_to_air=True,
    )
    attach_audio(read_anyway, AUDIO / "q_pretraining.webm", seconds=10.2)
    add(second, read_anyway, answer_seconds=None, notes="", play_clip=False)

    lightning_clip = approved(
        episode,
        pk + 7,
        name="Sam Berlin",
        text="",
        transcript=say("And so, my fellow Americans: ask not."),
        consent_to_air=True,
    )
    attach_audio(lightning_clip, AUDIO / "jfk.webm", seconds=11.0)
    add(lightning, lightning_clip, answer_seconds=20, notes="", play_clip=True)

    formula = approved(
        episode, pk + 8, name=say("@attacker"), text=say('=HYPERLINK("http://evil.example","x")')
    )
    add(lightning, formula, answer_seconds=20, notes=say("-1+1"), play_clip=None)
    return episode


@pytest.fixture
def golden_episode(host, private_media) -> Episode:
    return build_sheet(host=host, slug="golden-recap")


def export(episode: Episode, fmt: str, *, base_url: str = BASE_URL):
    exporter = EXPORTERS[fmt](view=runsheet_view(episode=episode), base_url=base_url)
    return exporter.render()


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing; run with UPDATE_GOLDEN=1 to write it"
    expected = path.read_bytes()
    if data != expected:
        # A readable diff rather than two long byte strings.
        assert data.decode("utf-8").splitlines() == expected.decode("utf-8").splitlines()
        assert data == expected


# --- Golden files -------------------------------------------------------------------------


def test_markdown_matches_the_golden_file(golden_episode):
    filename, content_type, data = export(golden_episode, "md")

    assert (filename, content_type) == ("golden-recap-runsheet.md", "text/markdown; charset=utf-8")
    check_golden("runsheet.md", data)


def test_csv_matches_the_golden_file(golden_episode):
    filename, content_type, data = export(golden_episode, "csv")

    assert (filename, content_type) == ("golden-recap-runsheet.csv", "text/csv; charset=utf-8")
    check_golden("runsheet.csv", data)


def test_the_same_sheet_gives_the_same_bytes(golden_episode):
    for fmt in ("md", "csv"):
        assert export(golden_episode, fmt)[2] == export(golden_episode, fmt)[2]


def test_markdown_says_what_the_hosts_need(golden_episode):
    text = export(golden_episode, "md")[2].decode()

    assert "Run-sheet for the recording on Monday 7 December 2026, 17:00 UTC." in text
    assert "What happens when scaling stops working?" in text  # the host's correction wins
    assert "what happens when scaling stops\n" not in text
    assert "### 2.1 · " in text and "Message from Anonymous" in text
    assert "read aloud (0:03; recording 0:09, not for air)" in text  # no consent to air
    assert "recording 0:10, not played)" in text  # consent, but the hosts chose to read it
    assert "play clip 01-02-zoe-alvarez.webm (0:11)" in text
    assert "A passage the hosts hid." not in text
    assert "answer 0:45" in text  # the entry's own answer time over the default 1:30
    assert f"({BASE_URL}/host/golden-recap/submissions/9101/)" in text
    assert "Free segment (no topic)" in text


def test_recording_time_is_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert recording_phrase(RECORDING) == "Monday 7 December 2026, 18:00 CET"


@pytest.mark.parametrize(
    ("over", "phrase"), [(150, "2:30 over"), (-75, "1:15 under"), (0, "on target")]
)
def test_planned_against_target(over, phrase):
    assert over_phrase(over) == phrase


def test_links_are_paths_without_a_base_url(golden_episode):
    text = export(golden_episode, "md", base_url="")[2].decode()
    assert "](/host/golden-recap/submissions/9101/)" in text


# --- Listener text is data, not Markdown ----------------------------------------------------

commonmark = MarkdownIt("commonmark")
# What GitHub and most editors add to CommonMark: tables and strikethrough.
gfm_ish = MarkdownIt("commonmark").enable(["table", "strikethrough"])
STRUCTURAL = {"text", "softbreak", "hardbreak"}  # inline tokens that carry text only


def shape(parser: MarkdownIt, markdown: str) -> list[tuple]:
    """The document's structure: block tokens, and inline tokens other than text."""
    out = []
    for token in parser.parse(markdown):
        children = [
            (child.type, child.tag)
            for child in token.children or []
            if child.type not in STRUCTURAL
        ]
        out.append((token.type, token.tag, token.level, tuple(children)))
    return out


def inline_text(token) -> str:
    """What a reader sees in an inline token: its text, line breaks as newlines."""
    return "".join(
        "\n" if child.type in ("softbreak", "hardbreak") else child.content
        for child in token.children or []
        if child.type in STRUCTURAL
    )


def kept_lines(text: str) -> str:
    """A multi-line text as the export shows it: lines stripped, blank ones dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("parser", [commonmark, gfm_ish], ids=["commonmark", "gfm"])
def test_hostile_text_leaves_the_structure_as_innocent_text_does(host, private_media, parser):
    nasty = export(build_sheet(host=host, slug="nasty"), "md")[2].decode()
    plain = export(build_sheet(host=host, slug="plain", say=innocent, pk_base=9200), "md")[
        2
    ].decode()

    assert shape(parser, nasty) == shape(parser, plain)
    tokens = parser.parse(nasty)
    types = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not types & {"html_block", "html_inline", "code_block", "fence", "code_inline"}
    assert not types & {"table_open", "hr", "bullet_list_open", "ordered_list_open", "image"}
    assert not types & {"s_open", "em_open"}
    links = [
        child.attrs["href"]
        for t in tokens
        for child in t.children or []
        if child.type == "link_open"
    ]
    assert links == [f"{BASE_URL}/host/nasty/submissions/{pk}/" for pk in range(9101, 9109)]
    headings = [
        inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert len(headings) == 1 + 3 + 8  # the title, three segments, eight entries
    assert headings[0] == "2026 Recap: *all* of it | #1"
    assert headings[4].startswith("1.3 · ")
    assert headings[4].endswith(" · Question from <script>alert(1)</script>")
    assert headings[5] == "2. Self-play <i>and</i> `games` | bots"
    assert headings[7].endswith(" · Question from - Dash *Star*")


def test_hostile_text_reads_exactly_as_typed(host, private_media):
    tokens = commonmark.parse(export(build_sheet(host=host, slug="nasty"), "md")[2].decode())
    paragraphs = [inline_text(t) for t in tokens if t.type == "inline"]

    assert f"Question: {kept_lines(HOSTILE_QUESTION)}" in paragraphs
    assert kept_lines(HOSTILE_PASSAGE) in paragraphs
    assert f"Notes: {kept_lines(HOSTILE_NOTES)}" in paragraphs
    assert (
        "Talking points:\nOpen with the chart.\n- then the bet we lost\n1. and the numbers"
        in paragraphs
    )


HOSTILE_LINES = [line for line in HOSTILE_QUESTION.splitlines() if line.strip()] + [
    "#",
    "#5 is the best",
    "   - three spaces then a dash",
    "\t> tab then a quote",
    "2024. What a year",
    "12345) numbered",
    "<!-- a comment -->",
    "<div>",
    "foo\\",
    "a  ",
    "&copy;",
    "__init__",
    ":---",
]


@pytest.mark.parametrize("line", HOSTILE_LINES)
@pytest.mark.parametrize(
    "template",
    [
        "# Title\n\n**Question:** {text}\n",
        "# Title\n\n> {quoted}\n",
        "## 1. {line}\n\nAfter.\n",
        "{text}\n\nAfter.\n",
    ],
    ids=["paragraph", "quote", "heading", "line-start"],
)
def test_every_hostile_line_in_every_place_is_only_text(line, template):
    for parser in (commonmark, gfm_ish):
        for text in (line, f"{line}\n{line}", f"Before\n{line}\nafter"):
            rendered = template.format(
                text=md_text(text), quoted=md_text(text, prefix="> "), line=md_line(text)
            )
            reference = template.format(text="x", quoted="x", line="x")
            assert shape(parser, rendered) == shape(parser, reference), rendered
            seen = "".join(inline_text(t) for t in parser.parse(rendered) if t.type == "inline")
            if "{line}" in template:
                assert " ".join(text.split()) in seen
            else:
                assert kept_lines(text) in seen


def test_escaping_keeps_the_raw_markdown_readable():
    assert md_text("Isn't it odd, that pre-training works? Yes.") == (
        "Isn't it odd, that pre-training works? Yes."
    )
    assert md_text("- one\n  two  \n\n3. three") == "\\- one\\\ntwo\\\n3\\. three"
    assert md_line("  a\n b  ") == "a b"


# --- CSV --------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_entry_in_running_order(golden_episode):
    rows = read_csv(export(golden_episode, "csv")[2])

    assert list(rows[0]) == list(COLUMNS)
    assert [(r["segment"], r["entry"], r["submission"]) for r in rows] == [
        ("1", "1", "9101"),
        ("1", "2", "9102"),
        ("1", "3", "9103"),
        ("2", "1", "9104"),
        ("2", "2", "9105"),
        ("2", "3", "9106"),
        ("3", "1", "9107"),
        ("3", "2", "9108"),
    ]
    zoe = rows[1]
    assert zoe["question"] == "What happens when scaling stops working?"
    assert (zoe["play_or_read"], zoe["clip_file"], zoe["clip_seconds"]) == (
        "play clip",
        "01-02-zoe-alvarez.webm",
        "11.4",
    )
    assert rows[2]["question"] == HOSTILE_QUESTION  # data as typed, newlines and all
    assert (rows[3]["asker"], rows[3]["kind"], rows[3]["play_or_read"]) == (
        "Anonymous",
        "Message",
        "read aloud (not for air)",  # the listener let the hosts listen, not air it
    )
    assert rows[3]["clip_file"] == ""
    assert rows[3]["passage"] == ""  # hidden by the hosts
    assert rows[4]["answer_seconds"] == "45"
    assert rows[5]["play_or_read"] == "read aloud" and rows[5]["clip_file"] == ""
    assert rows[7]["link"] == f"{BASE_URL}/host/golden-recap/submissions/9108/"


FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "|calc",
    "%0A=1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "＝1+1",
    "＋1",
]


@pytest.mark.parametrize("cell", FORMULAS)
def test_csv_cells_cannot_become_formulas(cell, host, private_media):
    episode = EpisodeFactory(slug="formulas", hosts=[host])
    topic = TopicFactory(episode=episode, title="Scaling")
    services.runsheet_start(episode=episode)
    segment = episode.segments.get()
    services.segment_update(segment=segment, title=cell, notes=cell, extra_seconds=0)
    submission = SubmissionFactory(episode=episode, status=S.APPROVED, name=cell, text=cell)
    submission.topics.set([topic])
    entry = services.entry_add(segment=segment, submission=submission)
    services.entry_update(entry=entry, answer_seconds=None, notes=cell, play_clip=None)
    Entry.objects.filter(pk=entry.pk).update(passage=cell)

    (row,) = read_csv(export(episode, "csv")[2])

    segment.refresh_from_db()
    entry.refresh_from_db()
    stored = {  # the services strip titles and notes; listener text is kept as sent
        "segment_title": segment.title,
        "asker": cell,
        "question": cell,
        "passage": cell,
        "notes": entry.notes,
    }
    for column, text in stored.items():
        value = row[column]
        assert value.startswith("'"), (column, value)
        assert value[1:].replace("\\|", "|") == text  # what follows the ' is the text


@pytest.mark.parametrize("value", ["What now?", "-5", "3.5", "", 42, None])
def test_ordinary_cells_are_left_alone(value):
    assert defuse(value) == value


# --- The audio bundle ---------------------------------------------------------------------


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_bundle_holds_the_played_clips_in_order_with_the_sheet(golden_episode):
    filename, content_type, stream = export(golden_episode, "zip")
    data = b"".join(stream)

    assert (filename, content_type) == ("golden-recap-runsheet.zip", "application/zip")
    assert len(stream) == len(data)  # the size is known before the first byte
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "runsheet.md",
        "runsheet.csv",
        "01-02-zoe-alvarez.webm",  # with consent; Anonymous (no consent) and Ana (read) are not
        "03-01-sam-berlin.webm",
    ]
    assert archive.read("runsheet.md") == export(golden_episode, "md")[2]
    assert archive.read("runsheet.csv") == export(golden_episode, "csv")[2]
    assert archive.read("01-02-zoe-alvarez.webm") == (AUDIO / "q_scaling.webm").read_bytes()
    assert archive.read("03-01-sam-berlin.webm") == (AUDIO / "jfk.webm").read_bytes()


def test_bundle_reads_clips_only_while_streaming(golden_episode, monkeypatch):
    opened = []
    real_open = FileSystemStorage.open

    def spy(storage, name, mode="rb"):
        opened.append(name)
        return real_open(storage, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", spy)
    stream = export(golden_episode, "zip")[2]
    assert opened == []  # nothing read yet: the clips are read as the ZIP is sent
    b"".join(stream)
    assert len(opened) == 2


def test_a_clip_missing_from_storage_is_listed_not_fatal(golden_episode):
    zoe = Submission.objects.get(pk=9102)
    default_storage.delete(zoe.audio.name)

    archive = zipfile.ZipFile(io.BytesIO(b"".join(export(golden_episode, "zip")[2])))

    assert archive.namelist() == [
        "runsheet.md",
        "runsheet.csv",
        "MISSING.txt",
        "03-01-sam-berlin.webm",
    ]
    missing = archive.read("MISSING.txt").decode()
    assert "01-02-zoe-alvarez.webm: not found" in missing
    assert f"{BASE_URL}/host/golden-recap/submissions/9102/" in missing


@pytest.mark.parametrize(
    ("name", "stored", "expected"),
    [
        ("Sam Berlin", "audio/1/abc.webm", "02-03-sam-berlin.webm"),
        ("", "audio/1/abc.OGG", "02-03-anonymous.ogg"),
        ("山田", "audio/1/abc.m4a", "02-03-anonymous.m4a"),
        ("Zoë <b>Ø</b>", "audio/1/abc", "02-03-zoe-bb.audio"),
        ("x" * 80, "audio/1/abc.mp3", f"02-03-{'x' * 40}.mp3"),
    ],
)
def test_clip_names(name, stored, expected):
    class Row:
        number = 3
        submission = Submission(name=name, audio=stored)

    class Segment:
        number = 2

    assert clip_filename(Segment, Row) == expected


# --- The download view --------------------------------------------------------------------


def export_url(episode: Episode, fmt: str) -> str:
    return reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": fmt})


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("md", "text/markdown; charset=utf-8"), ("csv", "text/csv; charset=utf-8")],
)
def test_host_downloads_markdown_and_csv(golden_episode, host_client, fmt, content_type):
    response = host_client.get(export_url(golden_episode, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="golden-recap-runsheet.{fmt}"'
    )
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    # Links are based on the address the host used.
    assert export(golden_episode, fmt, base_url="http://testserver")[2] == response.content


def test_host_downloads_the_bundle_as_a_stream(golden_episode, host_client):
    response = host_client.get(export_url(golden_episode, "zip"))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="golden-recap-runsheet.zip"'
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert zip_names(data)[2:] == ["01-02-zoe-alvarez.webm", "03-01-sam-berlin.webm"]


def test_head_says_the_size_without_reading_clips(golden_episode, host_client, monkeypatch):
    monkeypatch.setattr(
        FileSystemStorage, "open", lambda *a, **k: pytest.fail("a clip was read for HEAD")
    )
    response = host_client.head(export_url(golden_episode, "zip"))

    assert response.status_code == 200
    assert int(response["Content-Length"]) > 0
    assert b"".join(response.streaming_content) == b""


def test_unknown_format_is_404_and_posts_are_refused(golden_episode, host_client):
    assert host_client.get(export_url(golden_episode, "pdf")).status_code == 404
    assert host_client.post(export_url(golden_episode, "md")).status_code == 405


def test_a_sheet_not_started_sends_the_host_to_the_runsheet_page(episode, host_client):
    response = host_client.get(export_url(episode, "md"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:runsheet", kwargs={"slug": episode.slug})


def test_only_the_episodes_hosts_download(golden_episode, client, other_host_client):
    assert other_host_client.get(export_url(golden_episode, "zip")).status_code == 404
    client.logout()
    response = client.get(export_url(golden_episode, "md"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_exports_read_the_sheet_in_a_fixed_number_of_queries(
    golden_episode, django_assert_num_queries
):
    # The run-sheet, its segments, its entries; the Markdown also names the show.
    for exporter, queries in ((MarkdownExporter, 4), (CsvExporter, 3)):
        with django_assert_num_queries(queries):
            exporter(view=runsheet_view(episode=golden_episode), base_url=BASE_URL).render()


def test_the_markdown_names_the_show_escaped_like_any_text(golden_episode):
    show = show_get()
    show.name = "The *Lore* Mailbag <#1>"
    show.save()

    text = export(golden_episode, "md")[2].decode()

    assert text.splitlines()[2] == "Show: The \\*Lore\\* Mailbag \\<\\#1>.\\"
    assert "Show: The *Lore* Mailbag &lt;#1&gt;." in MarkdownIt("commonmark").render(text)


# --- manage.py export_runsheet --------------------------------------------------------------


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = BASE_URL


def test_command_writes_markdown_to_stdout(golden_episode, site_url):
    out = io.StringIO()
    call_command("export_runsheet", "golden-recap", stdout=out)

    assert out.getvalue().encode() == (GOLDEN / "runsheet.md").read_bytes()


def test_command_writes_exact_bytes_to_a_real_stdout(golden_episode, site_url, capsysbinary):
    call_command("export_runsheet", "golden-recap", "--format", "csv")

    assert capsysbinary.readouterr().out == (GOLDEN / "runsheet.csv").read_bytes()


def test_command_writes_csv_to_a_file(golden_episode, site_url, tmp_path):
    target = tmp_path / "sheet.csv"
    call_command("export_runsheet", "golden-recap", "--format", "csv", "-o", str(target))

    assert target.read_bytes() == (GOLDEN / "runsheet.csv").read_bytes()


def test_command_writes_the_bundle_to_a_file(golden_episode, site_url, tmp_path):
    target = tmp_path / "sheet.zip"
    call_command("export_runsheet", "golden-recap", "--format", "zip", "--output", str(target))

    assert zip_names(target.read_bytes()) == [
        "runsheet.md",
        "runsheet.csv",
        "01-02-zoe-alvarez.webm",
        "03-01-sam-berlin.webm",
    ]


def test_command_refuses_a_bundle_without_a_file(golden_episode):
    with pytest.raises(CommandError, match="-o FILE"):
        call_command("export_runsheet", "golden-recap", "--format", "zip")


def test_command_names_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No episode with the slug “nope”"):
        call_command("export_runsheet", "nope")


def test_command_says_when_the_sheet_is_not_started(episode):
    with pytest.raises(CommandError, match="has not been started"):
        call_command("export_runsheet", episode.slug)


def test_every_format_is_registered():
    assert {fmt: exporter.identifier for fmt, exporter in EXPORTERS.items()} == {
        "md": "md",
        "csv": "csv",
        "zip": "zip",
        "chapters": "chapters",
        "shownotes": "shownotes",
    }
    assert EXPORTERS["zip"] is AudioBundleExporter
