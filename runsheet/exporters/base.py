"""What every run-sheet exporter is, after pretix's exporters: a class with an `identifier`
(the format in URLs and on the command line), a `verbose_name` for buttons, and `render()`
returning (file name, content type, data), data being bytes or an iterable of bytes (the
audio bundle, streamed).

Exporters read one `SheetView` (runsheet.selectors.runsheet_view): the same rows, order and
clock the run-sheet page shows, so a download never disagrees with the page. They take the
base of absolute links (`base_url`: the request's origin, or settings.SITE_URL in the
command) and never look at a request themselves.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from episodes.formatting import clock
from runsheet.selectors import EntryRow, SegmentRow, SheetView

Rendered = tuple[str, str, bytes | Iterable[bytes]]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")
ASKER_SLUG_LENGTH = 40


class BaseExporter:
    """One download format of the run-sheet."""

    identifier: str = ""  # short and unique: "md", "csv", "zip"
    verbose_name: str = ""  # what a button says: "Markdown"
    content_type: str = "application/octet-stream"
    extension: str = ""  # of the file name, without the dot

    def __init__(self, *, view: SheetView, base_url: str):
        self.view = view
        self.episode = view.episode
        self.base_url = (base_url or "").rstrip("/")

    def __str__(self) -> str:
        return self.identifier

    @property
    def filename(self) -> str:
        return f"{self.episode.slug}-runsheet.{self.extension}"

    def render(self) -> Rendered:
        """(file name, content type, bytes or an iterable of bytes)."""
        raise NotImplementedError

    # --- What every format says the same way -------------------------------------------

    def submission_url(self, row: EntryRow) -> str:
        """The submission's page in the dashboard, absolute when there is a base URL."""
        path = reverse(
            "dashboard:submission_detail",
            kwargs={"slug": self.episode.slug, "pk": row.submission.pk},
        )
        return f"{self.base_url}{path}"


def recording_phrase(moment: dt.datetime) -> str:
    """'Monday 7 December 2026, 17:00 UTC' in settings.TIME_ZONE, in English whatever language
    is active, so the same data gives the same bytes."""
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    date = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return f"{date}, {local:%H:%M} {local.tzname()}"


def delivery_label(row: EntryRow) -> str:
    if row.plays_clip:
        return "play clip"
    return "read aloud (not for air)" if not_for_air(row) else "read aloud"


def not_for_air(row: EntryRow) -> bool:
    """A recording the listener let the hosts hear but not air: its words are read instead."""
    return bool(row.submission.audio) and not row.submission.consent_to_air


def kind_label(row: EntryRow) -> str:
    return row.submission.get_kind_display()


def clip_filename(segment: SegmentRow, row: EntryRow) -> str:
    """The clip's name in the audio bundle: '02-03-sam-berlin.webm' (segment, entry, asker).

    The asker is slugified to ASCII; a name with nothing left (no name, or only non-Latin
    letters) reads "anonymous". The extension is the stored file's, which intake chose from
    the container it found in the bytes.
    """
    asker = slugify(row.submission.name)[:ASKER_SLUG_LENGTH].strip("-") or "anonymous"
    suffix = PurePosixPath(row.submission.audio.name or "").suffix.lower()
    if not _EXTENSION.fullmatch(suffix):
        suffix = ".audio"
    return f"{segment.number:02d}-{row.number:02d}-{asker}{suffix}"


def over_phrase(over: int) -> str:
    """'2:30 over', '1:15 under' or 'on target', from seconds over the target."""
    if over > 0:
        return f"{clock(over)} over"
    if over < 0:
        return f"{clock(-over)} under"
    return "on target"
