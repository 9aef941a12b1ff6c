"""The episode list's counts in a real Chromium: "Waiting" and "Transcribing" side by side
(issue 12) still fit their boxes on a phone and on a desktop."""

import pytest

from intake.models import Submission
from tests.browser.conftest import log_in
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db(transaction=True)
TS = Submission.TranscriptionState


@pytest.mark.parametrize("width", [360, 390, 768, 1280])
def test_every_count_fits_its_box(page, host, episode, width):
    for state in (TS.PENDING, TS.RUNNING, TS.FAILED):
        SubmissionFactory(episode=episode, transcription_state=state)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, host)
    labels = page.locator(".stat dt").all_inner_texts()
    assert [label.strip().lower() for label in labels] == [
        "new",
        "approved",
        "waiting",
        "transcribing",
        "failed",
    ]
    overflowing = page.eval_on_selector_all(
        ".stat",
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1)"
        ".map(b => b.textContent.trim())",
    )
    assert overflowing == []
