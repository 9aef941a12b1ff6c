"""The README's example chapters and show notes are the demo episode's, exactly as the
exporters make them: the demo run-sheet (tests/browser/demo.py) recorded as DEMO_SHOW says,
trimmed by DEMO_TRIM_SECONDS. MAILBAG_UPDATE_SCREENSHOTS=1 rewrites the README's two blocks
(between their `<!-- example: ... -->` markers) instead of comparing."""

import os
import re
from pathlib import Path

from runsheet.exporters import EXPORTERS
from runsheet.selectors import runsheet_view
from tests.browser.demo import demo_recording, demo_runsheet

README = Path(__file__).resolve().parents[2] / "README.md"
PUBLIC_URL = "https://example.com/episodes/2024-recap"


def _block(name: str, language: str, text: str) -> str:
    return f"<!-- example: {name} -->\n```{language}\n{text}```\n<!-- /example: {name} -->"


def test_the_readme_shows_the_demo_episodes_chapters_and_show_notes(host):
    episode = demo_runsheet(host)
    demo_recording(episode)
    episode.public_url = PUBLIC_URL
    episode.save(update_fields=["public_url"])
    view = runsheet_view(episode=episode)
    rendered = {
        fmt: EXPORTERS[fmt](view=view, base_url="").render()[2].decode("utf-8")
        for fmt in ("chapters", "shownotes")
    }
    blocks = {
        "chapters": _block("chapters", "json", rendered["chapters"]),
        "shownotes": _block("shownotes", "markdown", rendered["shownotes"]),
    }
    # What the demo's recording day did shows in them: a skipped question, a trim.
    assert "Tomás" not in rendered["chapters"] and "Tomás" not in rendered["shownotes"]
    assert '"startTime": 0,\n      "title": "Intro"' in rendered["chapters"]

    readme = README.read_text(encoding="utf-8")
    if os.environ.get("MAILBAG_UPDATE_SCREENSHOTS") == "1":
        for name, block in blocks.items():
            pattern = re.compile(
                rf"<!-- example: {name} -->.*?<!-- /example: {name} -->", re.DOTALL
            )
            readme = pattern.sub(lambda _match, block=block: block, readme)
        README.write_text(readme, encoding="utf-8")
    for block in blocks.values():
        assert block in readme
