"""Run-sheet downloads, one exporter class per format (see base.py for the contract):

- "md": MarkdownExporter, the document the hosts read from;
- "csv": CsvExporter, one row per entry;
- "zip": AudioBundleExporter, the clips to play with both of the above, streamed.

The dashboard's download view and `manage.py export_runsheet` look formats up here.
"""

from runsheet.exporters.base import BaseExporter
from runsheet.exporters.bundle import AudioBundleExporter
from runsheet.exporters.markdown import MarkdownExporter
from runsheet.exporters.spreadsheet import CsvExporter

EXPORTERS: dict[str, type[BaseExporter]] = {
    exporter.identifier: exporter
    for exporter in (MarkdownExporter, CsvExporter, AudioBundleExporter)
}

__all__ = ["EXPORTERS", "AudioBundleExporter", "BaseExporter", "CsvExporter", "MarkdownExporter"]
