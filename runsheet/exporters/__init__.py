"""Run-sheet downloads, one exporter class per format (see base.py for the contract):

- "md": MarkdownExporter, the document the hosts read from;
- "csv": CsvExporter, one row per entry;
- "zip": AudioBundleExporter, the clips to play with both of the above, streamed;

and, after the show, from what the recording did (RecordingExporter: `recorded` says
whether there is anything to export yet):

- "chapters": ChaptersExporter, Podcasting 2.0 JSON chapters;
- "shownotes": ShowNotesExporter, the aired questions with their times, in Markdown.

The dashboard's download view and `manage.py export_runsheet` look formats up here.
"""

from runsheet.exporters.base import BaseExporter
from runsheet.exporters.bundle import AudioBundleExporter
from runsheet.exporters.chapters import ChaptersExporter, RecordingExporter
from runsheet.exporters.markdown import MarkdownExporter
from runsheet.exporters.shownotes import ShowNotesExporter
from runsheet.exporters.spreadsheet import CsvExporter

EXPORTERS: dict[str, type[BaseExporter]] = {
    exporter.identifier: exporter
    for exporter in (
        MarkdownExporter,
        CsvExporter,
        AudioBundleExporter,
        ChaptersExporter,
        ShowNotesExporter,
    )
}

__all__ = [
    "EXPORTERS",
    "AudioBundleExporter",
    "BaseExporter",
    "ChaptersExporter",
    "CsvExporter",
    "MarkdownExporter",
    "RecordingExporter",
    "ShowNotesExporter",
]
