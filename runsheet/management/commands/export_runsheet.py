"""manage.py export_runsheet <slug> [--format md|csv|zip|chapters|shownotes] [-o FILE]: a
run-sheet download from the command line, byte for byte what the dashboard's download buttons
give, with links based on settings.SITE_URL (paths only when it is empty).

The formats are runsheet.exporters.EXPORTERS. "chapters" (Podcasting 2.0 JSON chapters) and
"shownotes" (Markdown) describe the episode's newest recording: asked for before the episode
was ever recorded, the command stops with an error saying so."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from episodes.models import Episode
from runsheet.exporters import EXPORTERS, RecordingExporter
from runsheet.selectors import runsheet_view


class Command(BaseCommand):
    help = (
        "Export an episode's run-sheet as Markdown (default), CSV, or a ZIP of the clips to "
        "play with both; after the recording, its chapters (Podcasting 2.0 JSON) or show notes "
        "(Markdown). Everything but the ZIP goes to standard output unless -o names a file; "
        "the ZIP needs -o."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The episode's slug, e.g. 2024-recap.")
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=sorted(EXPORTERS),
            default="md",
            help="md (Markdown, the default), csv, zip (the audio bundle), or, once the "
            "episode is recorded, chapters (JSON chapters) or shownotes (Markdown).",
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="Write to FILE instead of standard output (required for zip).",
        )

    def handle(self, *args, slug, fmt, output, **options):
        if fmt == "zip" and not output:
            raise CommandError(
                "The audio bundle is a binary ZIP file: give a file to write it to with "
                "-o FILE (e.g. -o runsheet.zip)."
            )
        episode = Episode.objects.filter(slug=slug).first()
        if episode is None:
            raise CommandError(f"No episode with the slug “{slug}”.")
        view = runsheet_view(episode=episode)
        if not view.started:
            page = reverse("dashboard:runsheet", kwargs={"slug": slug})
            raise CommandError(
                f"The run-sheet of “{slug}” has not been started yet: start it on its "
                f"page in the dashboard ({settings.SITE_URL}{page})."
            )
        exporter = EXPORTERS[fmt](view=view, base_url=settings.SITE_URL)
        if isinstance(exporter, RecordingExporter) and not exporter.recorded:
            page = reverse("dashboard:recording_live", kwargs={"slug": slug})
            raise CommandError(
                f"“{slug}” has not been recorded yet, so there are no chapters or show notes "
                f"to export: record it on its recording page ({settings.SITE_URL}{page})."
            )
        _filename, _content_type, data = exporter.render()
        chunks = [data] if isinstance(data, bytes) else data
        if output:
            path = Path(output)
            try:
                handle = path.open("wb")
            except OSError as error:
                raise CommandError(f"Could not write {path}: {error}") from error
            try:
                with handle:
                    for chunk in chunks:
                        handle.write(chunk)
            except Exception as error:
                # Half a bundle would look whole to an unzip tool that stops early.
                path.unlink(missing_ok=True)
                raise CommandError(f"Could not write {path}: {error}") from error
            self.stderr.write(f"Wrote {path} ({path.stat().st_size:,} bytes).")
            return
        self._to_stdout(b"".join(chunks))

    def _to_stdout(self, data: bytes) -> None:
        # The exact bytes on a real standard output (what `> file` keeps); text where the
        # stream is text only (call_command with a StringIO).
        stream = getattr(self.stdout, "_out", self.stdout)
        if hasattr(stream, "buffer"):
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
