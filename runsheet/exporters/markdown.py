"""The run-sheet as a Markdown document: what the hosts read from on recording day.

Listener text is data, not markup. Every string a listener or a host typed (names, questions,
notes, titles, passages) goes through `md_text` (or `md_line` for one-line places such as
headings), so that a CommonMark renderer shows it as typed and the document keeps its
structure whatever it says: no heading, list, quote, code, HTML, link, table or rule comes
out of a question. Both rely on CommonMark's rule that a backslash before any ASCII
punctuation character makes it literal, and escape only what can start or delimit
something, so the raw file stays readable (letters, apostrophes, commas, question marks,
full stops and hyphens inside a line are left alone):

- anywhere in a line: \\ ` * _ [ ] < & # | ~ (escapes, code spans, emphasis, links and
  images, HTML and autolinks, entities, headings and their closing #s, tables,
  strikethrough and ~~~ fences);
- at the start of a line: - + = > : and the . or ) after digits (lists, setext underlines,
  thematic breaks, block quotes, table delimiter rows, ordered lists);
- every line is stripped (leading spaces would make an indented code block in a quote) and
  blank lines are dropped, and lines are joined with a hard line break (a backslash at the
  end of the line), so multi-line text stays inside its paragraph or quote.

Deterministic: the same sheet gives the same bytes (no "generated at").
"""

import re

from episodes.formatting import clock, duration_label
from episodes.services import show_name_get
from runsheet.exporters.base import (
    BaseExporter,
    Rendered,
    clip_filename,
    kind_label,
    not_for_air,
    over_phrase,
    recording_phrase,
)
from runsheet.selectors import EntryRow, SegmentRow

_ANYWHERE = re.compile(r"([\\`*_\[\]<&#|~])")
_LINE_START = re.compile(r"^(?:[-+=>:]|\d+[.)])")
HARD_BREAK = "\\\n"


def md_line(text: str) -> str:
    """`text` on one line (whitespace runs become one space), escaped for Markdown."""
    return _escape_line(" ".join((text or "").split()))


def md_text(text: str, *, prefix: str = "") -> str:
    """`text` escaped for Markdown, its lines joined by hard line breaks, each line after the
    first starting with `prefix` (e.g. "> " inside a block quote). Blank lines are dropped."""
    lines = [_escape_line(line.strip()) for line in (text or "").splitlines()]
    return (HARD_BREAK + prefix).join(line for line in lines if line)


def _escape_line(line: str) -> str:
    line = _ANYWHERE.sub(r"\\\1", line)
    match = _LINE_START.match(line)
    if match:
        end = match.end()
        line = f"{line[: end - 1]}\\{line[end - 1 :]}"
    return line


class MarkdownExporter(BaseExporter):
    identifier = "md"
    verbose_name = "Markdown"
    content_type = "text/markdown; charset=utf-8"
    extension = "md"

    def render(self) -> Rendered:
        return self.filename, self.content_type, self.text().encode("utf-8")

    def text(self) -> str:
        blocks = self._header()
        for segment in self.view.segments:
            blocks.extend(self._segment(segment))
        return "\n\n".join(blocks) + "\n"

    def _header(self) -> list[str]:
        view, episode = self.view, self.episode
        return [
            f"# {md_line(episode.title)}",
            HARD_BREAK.join(
                [
                    f"Show: {md_line(show_name_get())}.",
                    f"Run-sheet for the recording on {recording_phrase(episode.recording_at)}.",
                    f"Planned {clock(view.planned)} for a target of {clock(view.target)}: "
                    f"{over_phrase(view.over)}.",
                    f"Segments: {len(view.segments)}. Questions and messages: {view.entry_count}.",
                ]
            ),
        ]

    def _segment(self, segment: SegmentRow) -> list[str]:
        row = segment.segment
        topic = f"Topic: {md_line(row.topic.title)}" if row.topic else "Free segment (no topic)"
        latest = f"Latest start {clock(segment.latest_start)}"
        if segment.latest_start < 0:
            latest += " (too late already: the show runs over even from the top)"
        total = f"Total {clock(segment.total)}"
        if row.extra_seconds:
            total += f", of which {clock(row.extra_seconds)} before the first question"
        blocks = [
            f"## {segment.number}. {md_line(row.title)}",
            HARD_BREAK.join([topic, f"Starts at {clock(segment.starts_at)}", latest, total]),
        ]
        if notes := md_text(row.notes):
            blocks.append(f"**Talking points:**{HARD_BREAK}{notes}")
        if not segment.entries:
            blocks.append("No questions in this segment yet.")
        for entry in segment.entries:
            blocks.extend(self._entry(segment, entry))
        return blocks

    def _entry(self, segment: SegmentRow, row: EntryRow) -> list[str]:
        submission = row.submission
        kind = kind_label(row)
        heading = (
            f"### {segment.number}.{row.number} · {clock(row.starts_at)} · "
            f"{kind} from {md_line(row.asker)}"
        )
        blocks = [heading, f"Duration {clock(row.seconds)}: {self._how(segment, row)}."]
        text = md_text(row.text) or "(no transcript yet)"
        blocks.append(f"**{kind}:** {text}")
        if passage := md_text(row.passage, prefix="> "):
            blocks.append(f"> {passage}")
        if notes := md_text(row.entry.notes):
            blocks.append(f"**Notes:** {notes}")
        blocks.append(f"[Submission #{submission.pk} in Mailbag]({self.submission_url(row)})")
        return blocks

    @staticmethod
    def _how(segment: SegmentRow, row: EntryRow) -> str:
        """'play clip 01-02-sam.webm (0:11), answer 2:00' or 'read aloud (0:09), ...'."""
        clip = duration_label(row.submission.audio_seconds) if row.submission.audio else ""
        if row.plays_clip:
            asked = f"play clip {clip_filename(segment, row)} ({clip or 'length unknown'})"
        elif clip and not_for_air(row):
            asked = f"read aloud ({clock(row.asked_seconds)}; recording {clip}, not for air)"
        elif clip:
            asked = f"read aloud ({clock(row.asked_seconds)}; recording {clip}, not played)"
        else:
            asked = f"read aloud ({clock(row.asked_seconds)})"
        return f"{asked}, answer {clock(row.answer_seconds)}"
