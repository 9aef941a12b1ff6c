"""The episode's chapters as Podcasting 2.0 JSON chapters (version 1.2.0 of the podcast
namespace's format): `{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "..."}]}`,
served as application/json+chapters, the type the format asks for.

What the chapters are (a segment's start, every aired question, times with the trim) is
runsheet.chapters; this module only writes them. Whole seconds (startTime may be a float,
but the show's clock is kept to the second here), UTF-8 as typed (no \\u escapes), indented,
with a final newline: the same recording gives the same bytes.

The after-the-show formats need the recording as well as the sheet: RecordingExporter loads
it on first use and says whether there is one (`recorded`), so the download view and the
command can say "record it first" instead of handing out an empty file.
"""

import functools
import json

from runsheet.chapters import chapters_list
from runsheet.exporters.base import BaseExporter, Rendered
from runsheet.selectors import RecordingView, recording_view

CHAPTERS_VERSION = "1.2.0"


class RecordingExporter(BaseExporter):
    """A format made from what the recording did (see the module's docstring)."""

    @functools.cached_property
    def recording(self) -> RecordingView:
        """The episode's sheet with its newest recording (four queries, the first time)."""
        return recording_view(episode=self.episode)

    @property
    def recorded(self) -> bool:
        return self.recording.recording is not None

    @property
    def filename(self) -> str:
        return f"{self.episode.slug}-{self.identifier}.{self.extension}"


class ChaptersExporter(RecordingExporter):
    identifier = "chapters"
    verbose_name = "Chapters (JSON)"
    content_type = "application/json+chapters"
    extension = "json"

    def render(self) -> Rendered:
        return self.filename, self.content_type, self.text().encode("utf-8")

    def document(self) -> dict:
        return {
            "version": CHAPTERS_VERSION,
            "chapters": [
                {"startTime": chapter.start, "title": chapter.title}
                for chapter in chapters_list(self.recording)
            ],
        }

    def text(self) -> str:
        return json.dumps(self.document(), ensure_ascii=False, indent=2) + "\n"
