"""The episode's show notes in Markdown: the questions that made the show, where each one
starts, grouped by segment, ready to paste into a podcast host's episode description.

    # 2026 Recap

    Listen: <https://example.com/episodes/2026-recap>

    ## Scaling

    - 03:12 · Sam from Berlin: What do you think replaces it?
    - 05:40 · A listener: Is self-play the next thing?

A segment with no aired question has no heading. The times are the chapters' (the trim
applied: runsheet.chapters), written "mm:ss", or "h:mm:ss" from an hour. The asker is named
as they gave their name, else "A listener"; a question is its gist (its first sentence that
asks something), left out for a voice message with no transcript yet. Listener and host text
is escaped as in the run-sheet's Markdown, so it reads as typed and never becomes a heading,
a list or a link. The "Listen:" line appears once the episode's public link is set.
"""

from urllib.parse import quote

from episodes.formatting import question_gist
from runsheet.chapters import questions_by_segment, timestamp
from runsheet.exporters.base import Rendered
from runsheet.exporters.chapters import RecordingExporter
from runsheet.exporters.markdown import md_line

# Characters a URL may keep as they are inside <...>; the rest (spaces, < > ` and the like)
# are percent-encoded, so the autolink cannot end early or turn into HTML.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


class ShowNotesExporter(RecordingExporter):
    identifier = "shownotes"
    verbose_name = "Show notes (Markdown)"
    content_type = "text/markdown; charset=utf-8"
    extension = "md"

    def render(self) -> Rendered:
        return self.filename, self.content_type, self.text().encode("utf-8")

    def text(self) -> str:
        blocks = [f"# {md_line(self.episode.title)}"]
        if link := self.listen_url():
            blocks.append(f"Listen: <{link}>")
        groups = questions_by_segment(self.recording)
        for segment, chapters in groups:
            blocks.append(f"## {md_line(segment.segment.title)}")
            blocks.append("\n".join(self.line(chapter) for chapter in chapters))
        if not groups:
            blocks.append("No questions from listeners aired in this episode.")
        return "\n\n".join(blocks) + "\n"

    @staticmethod
    def line(chapter) -> str:
        row = chapter.row
        line = f"- {timestamp(chapter.start)} · {md_line(row.asker)}"
        gist = question_gist(row.entry.text)
        return f"{line}: {md_line(gist)}" if gist else line

    def listen_url(self) -> str:
        """The episode's public link, when it is a web address."""
        url = (self.episode.public_url or "").strip()
        if not url.lower().startswith(("https://", "http://")):
            return ""
        return quote(url, safe=_URL_SAFE)
