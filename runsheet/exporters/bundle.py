"""The audio bundle: a ZIP of the clips to play, in the order of the show, with the run-sheet.

Inside: runsheet.md and runsheet.csv (the same bytes as those downloads), then every clip the
hosts will play, named '02-03-sam-berlin.webm' (segment, entry within it, asker) so a file
listing sorts in running order. Only entries that play their clip are in it, which already
means the listener agreed to air it (Entry.plays_clip).

Streamed with zipstream-ng: clips are stored as they are (audio is compressed already), read
in 64 KiB chunks through the storage API (a private folder or an S3 bucket alike) only while
the ZIP is being sent, so no clip is ever held in memory whole. Every size is known before
the first byte, so the response can say its length.

A clip missing from storage does not break the download: it is looked up (its size) before
streaming starts, left out, and named in MISSING.txt inside the ZIP, with the submission's
link, so the hosts know at once which recording to fetch another way. (A file that vanishes
in the moment between that look-up and its turn in the stream aborts the download with an
error in the log rather than sending a corrupt archive that looks whole.)
"""

import logging
from collections.abc import Iterator

from zipstream import ZIP_STORED, ZipStream

from runsheet.exporters.base import BaseExporter, Rendered, clip_filename
from runsheet.exporters.markdown import MarkdownExporter
from runsheet.exporters.spreadsheet import CsvExporter

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
MISSING_NAME = "MISSING.txt"


def read_chunks(storage, name: str) -> Iterator[bytes]:
    """The file's bytes in chunks, opened only when the first chunk is asked for."""
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class AudioBundleExporter(BaseExporter):
    identifier = "zip"
    verbose_name = "Audio bundle (ZIP)"
    content_type = "application/zip"
    extension = "zip"

    def render(self) -> Rendered:
        """The ZipStream is the data: iterate it for the bytes; len() gives its size."""
        return self.filename, self.content_type, self.stream()

    def stream(self) -> ZipStream:
        zip_stream = ZipStream(compress_type=ZIP_STORED, sized=True)
        for exporter in (MarkdownExporter, CsvExporter):
            _, _, data = exporter(view=self.view, base_url=self.base_url).render()
            zip_stream.add(data, f"runsheet.{exporter.extension}")
        missing = []
        clips = []
        for segment, row in self.played():
            arcname = clip_filename(segment, row)
            audio = row.submission.audio
            try:
                size = audio.storage.size(audio.name)
            except Exception as error:  # not found, or storage unreachable: say which
                logger.warning("Clip %s (%s) not in the bundle: %r", arcname, audio.name, error)
                missing.append((arcname, row, error))
                continue
            clips.append((arcname, audio, size))
        if missing:
            zip_stream.add(self.missing_text(missing), MISSING_NAME)
        for arcname, audio, size in clips:
            zip_stream.add(read_chunks(audio.storage, audio.name), arcname, size=size)
        return zip_stream

    def played(self):
        """(segment, entry) of every entry whose clip is played, in running order."""
        for segment in self.view.segments:
            for row in segment.entries:
                if row.plays_clip:
                    yield segment, row

    def missing_text(self, missing) -> str:
        lines = [
            "These clips are on the run-sheet to be played, but their recordings could not be",
            "read from storage, so they are not in this bundle:",
            "",
        ]
        for arcname, row, error in missing:
            reason = "not found" if isinstance(error, FileNotFoundError) else "could not be read"
            lines.append(f"{arcname}: {reason}, {self.submission_url(row)}")
        return "\n".join(lines) + "\n"
