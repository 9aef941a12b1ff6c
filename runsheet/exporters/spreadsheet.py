"""The run-sheet as CSV: one row per entry, for a spreadsheet or a script.

(Named spreadsheet.py so that `csv` stays the standard library's module.)

A listener's text must never run as a spreadsheet formula. The rows go through `defusedcsv`,
which puts a ' before a cell starting with = + - @ | or % (numbers like -5 aside); on top of
that `defuse` covers what it lets through: a cell starting with a tab, a carriage return or a
line feed, or with spaces before a formula character, and the full-width ＝ ＋ － ＠ some
spreadsheets take for formulas too. The ' shows in the cell; the text after it is intact.

UTF-8 with a byte order mark: Excel opens a double-clicked .csv as UTF-8 only with the mark
(without it, "Zoë" comes out as "ZoÃ«"); LibreOffice, Numbers, Google Sheets and Python's
"utf-8-sig" all read the mark and drop it. Lines end with CRLF, as RFC 4180 says.
"""

import io
import re

from defusedcsv import csv

from episodes.formatting import clock
from runsheet.exporters.base import (
    BaseExporter,
    Rendered,
    clip_filename,
    delivery_label,
    kind_label,
)

BOM = "\ufeff"
COLUMNS = (
    "segment",
    "segment_title",
    "topic",
    "entry",
    "starts_at",
    "duration_seconds",
    "duration",
    "kind",
    "asker",
    "question",
    "play_or_read",
    "clip_file",
    "clip_seconds",
    "answer_seconds",
    "passage",
    "notes",
    "submission",
    "link",
)
# What defusedcsv handles itself: a cell starting with one of these.
_DEFUSEDCSV_HANDLES = frozenset("=+-@|%")
_ALSO_RISKY = re.compile(r"[\t\r\n]|\s*[=+\-@|%\uff1d\uff0b\uff0d\uff20]")


def defuse(value):
    """A ' before the text cells defusedcsv would let through but a spreadsheet might run."""
    if (
        isinstance(value, str)
        and value
        and value[0] not in _DEFUSEDCSV_HANDLES
        and _ALSO_RISKY.match(value)
    ):
        return "'" + value
    return value


class CsvExporter(BaseExporter):
    identifier = "csv"
    verbose_name = "CSV"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def render(self) -> Rendered:
        return self.filename, self.content_type, self.text().encode("utf-8")

    def text(self) -> str:
        out = io.StringIO(newline="")
        out.write(BOM)
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([defuse(value) for value in row] for row in self.rows())
        return out.getvalue()

    def rows(self):
        for segment in self.view.segments:
            topic = segment.segment.topic
            for row in segment.entries:
                submission = row.submission
                has_audio = bool(submission.audio)
                seconds = submission.audio_seconds
                yield (
                    segment.number,
                    segment.segment.title,
                    topic.title if topic else "",
                    row.number,
                    clock(row.starts_at),
                    row.seconds,
                    clock(row.seconds),
                    kind_label(row),
                    row.asker,
                    row.text,
                    delivery_label(row),
                    clip_filename(segment, row) if row.plays_clip else "",
                    round(seconds, 1) if has_audio and seconds is not None else "",
                    row.answer_seconds,
                    row.passage,
                    row.entry.notes,
                    submission.pk,
                    self.submission_url(row),
                )
