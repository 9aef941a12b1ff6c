"""The README's screenshots of the host pages, taken from the demo episode the day before
recording (tests/browser/demo.py) in real Chromium: the inbox mid-triage, a question with its
similar ones and its history, the episode's settings, and an essay re-import's preview.

Each checks what it shows before it is taken. MAILBAG_UPDATE_SCREENSHOTS=1 writes them to
docs/screenshots/; otherwise they go to the test's own folder, so the pages still render.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from episodes.services import topic_update
from intake.models import Submission
from intake.services import submission_analyse, submission_notes_update, submission_tag
from runsheet import services as runsheet_services
from tests.browser.conftest import log_in
from tests.browser.demo import demo_recording, demo_runsheet
from tests.conftest import ESSAY
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 1000}


@pytest.fixture
def folder(tmp_path) -> Path:
    if os.environ.get("MAILBAG_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


@pytest.fixture
def demo(host, run_worker):
    """The demo run-sheet, a co-host, and fresh questions still waiting for a decision."""
    episode = demo_runsheet(host)
    episode.hosts.add(UserFactory(username="jordan", email="jordan@example.com"))
    t2024 = episode.topics.get(title__icontains="2024")
    noor = SubmissionFactory(
        episode=episode,
        name="Noor",
        text="If pretraining as we know it ends because there is only one internet, what "
        "replaces it?",
        consent_to_air=True,
    )
    SubmissionFactory(
        episode=episode,
        name="Felix",
        text="Which of the 2014 predictions do you think aged worst, and why?",
    )
    SubmissionFactory(
        episode=episode,
        kind=Submission.Kind.MESSAGE,
        name="Maya",
        text="Just here to say the four-snapshot format works really well.",
    )
    # What a host did with Noor's question so far; the services write the history.
    submission_tag(submission=noor, topics=[t2024], actor=host)
    submission_notes_update(
        submission=noor, notes="Pair with Sam's clip; maybe read it out in full.", actor=host
    )
    # The similar questions, as the worker stores them when each one arrives.
    for pk in Submission.objects.filter(episode=episode).values_list("pk", flat=True):
        submission_analyse(submission_id=pk)
    run_worker()  # the re-ranking the essay import queued
    return episode, noor


def test_screenshots_of_the_host_pages(
    chromium, live_server, browser_settings, host, demo, folder, run_worker
):
    episode, noor = demo
    context = chromium.new_context(viewport=LAPTOP, device_scale_factor=1, base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)

        # The inbox, mid-triage: two new ones selected for a bulk decision.
        page.goto(f"/host/{episode.slug}/?status=new")
        rows = page.locator(".submission-rows > li")
        expect(rows).to_have_count(3)
        for name in ("Felix", "Maya"):
            rows.filter(has_text=name).get_by_role("checkbox").check()
        expect(page.locator(".bulk-count")).to_contain_text("2 selected")
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.screenshot(path=str(folder / "dashboard.png"))

        # One question: its topic, similar questions from the worker, notes and history.
        page.goto(f"/host/{episode.slug}/submissions/{noor.pk}/")
        similar = page.locator("#similar .similar > li")
        expect(similar.first).to_be_visible()
        expect(page.locator("#similar")).to_contain_text("Rachel")
        expect(page.locator("#notes textarea")).to_have_value(
            "Pair with Sam's clip; maybe read it out in full."
        )
        history = page.locator("#history .history > li")
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("host")
        page.screenshot(path=str(folder / "submission.png"), full_page=True)

        # The episode's settings: the public link, open or closed, the hosts.
        page.goto(f"/host/{episode.slug}/edit")
        expect(page.locator("#public-link")).to_have_value(f"{live_server.url}/ask/{episode.slug}/")
        expect(page.locator(".episode-hosts-summary")).to_contain_text("jordan")
        page.screenshot(path=str(folder / "episode.png"), full_page=True)

        # Re-importing the essay with a new section: the preview keeps the summary the
        # host rewrote unless asked.
        topic = episode.topics.order_by("position").first()
        topic_update(topic=topic, title=topic.title, summary="Four bets, stated in 2014.")
        run_worker()  # the re-ranking that edit queued
        essay = ESSAY.read_text(encoding="utf-8") + (
            "\n## What we expect in 2025\n\nA short, speculative coda: agents, synthetic data "
            "and what comes after pre-training.\n"
        )
        page.goto(f"/host/{episode.slug}/topics/import")
        page.get_by_label("Paste the essay (Markdown)").fill(essay)
        page.get_by_role("button", name="Preview the import").click()
        preview = page.locator(".import-preview")
        expect(preview).to_contain_text("Added (1)")
        expect(preview).to_contain_text("What we expect in 2025")
        expect(preview.locator(".summary-diff")).to_contain_text("Kept")
        page.screenshot(path=str(folder / "essay-preview.png"), full_page=True)
        assert episode.topics.count() == 4  # a preview changes nothing
    finally:
        context.close()


def test_screenshot_of_recording_mode(chromium, live_server, browser_settings, host, folder):
    """Recording mode on the demo episode, nine minutes in: the Intro aired, Marcus's voice
    question live with its clip and the essay's passage, in its last half-minute (amber),
    Priya's next. The times are stamped in the past through the services, as the buttons
    would have."""
    episode = demo_runsheet(host)
    now = timezone.now()
    runsheet_services.recording_start(episode=episode, by=host, now=now - dt.timedelta(seconds=550))
    runsheet_services.recording_next(episode=episode, now=now - dt.timedelta(seconds=400))
    context = chromium.new_context(viewport=LAPTOP, device_scale_factor=1, base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/runsheet/live/")
        expect(page.locator("[data-role=phase]")).to_have_text("Recording")
        expect(page.locator(".now-asker")).to_have_text("Marcus")
        expect(page.locator("[data-play-clip]")).to_be_visible()
        expect(page.locator(".now-passage blockquote")).to_be_visible()
        expect(page.locator(".next-title")).to_contain_text("Priya")
        expect(page.locator(".rundown-step.state-aired")).to_contain_text("Intro")
        expect(page.locator("[data-role=item-left]")).to_contain_text("left")
        expect(page.locator("[data-level=item]")).to_have_class(re.compile(r"\blevel-amber\b"))
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.screenshot(path=str(folder / "recording-mode.png"))
    finally:
        context.close()


def test_screenshot_of_the_recording_summary(chromium, live_server, browser_settings, host, folder):
    """After the demo episode's recording (tests/browser/demo.py: Tomás skipped, a break, 42 s
    trimmed): plan against recording, what did not air, the cut, chapters and downloads."""
    episode = demo_runsheet(host)
    demo_recording(episode)
    context = chromium.new_context(viewport=LAPTOP, device_scale_factor=1, base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/runsheet/recording/")
        expect(page.locator("main")).to_contain_text("Tomás")
        expect(page.locator("main")).to_contain_text("Send 1 back to the pool")
        expect(page.get_by_label("Cut from the start")).to_have_value("0:42")
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.screenshot(path=str(folder / "recording-summary.png"), full_page=True)
    finally:
        context.close()
