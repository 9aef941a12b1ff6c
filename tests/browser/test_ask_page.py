"""The ask page in a real browser: recording with a (fake) microphone, uploads, no JavaScript."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from episodes.services import episode_seed_demo
from intake.audio import audio_probe
from intake.models import Submission
from tests.conftest import AUDIO
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def only_submission() -> Submission:
    return Submission.objects.select_related("episode").get()


def probe_stored(submission: Submission):
    with submission.audio.open("rb") as handle:
        return audio_probe(source=handle, max_seconds=600, timeout_seconds=30)


def test_record_play_back_and_send(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    record = page.get_by_role("button", name="Record", exact=True)
    expect(record).to_be_visible()

    record.click()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_visible()
    expect(stop).to_be_focused()
    status = page.locator("[data-status]")
    expect(status).to_have_text("Recording. It stops by itself after 90 seconds.")
    expect(status).to_have_attribute("aria-live", "polite")
    # The upload makes way for the recording.
    expect(page.get_by_label("Or upload a recording")).to_be_hidden()
    started = time.monotonic()
    page.wait_for_timeout(5_000)
    expect(page.locator("[data-elapsed]")).to_have_text(re.compile(r"0:0[56]"))
    expect(page.locator("[data-remaining]")).to_have_text(re.compile(r"1:2[45] left"))
    stop.click()
    recorded_for = time.monotonic() - started

    preview = page.get_by_label("Your recording")
    expect(preview).to_be_visible()
    expect(status).to_contain_text(re.compile(r"Recorded [56] seconds\."))
    expect(page.get_by_role("button", name="Record again")).to_be_visible()
    expect(page.get_by_role("button", name="Discard")).to_be_visible()
    preview.evaluate("audio => audio.play()")
    page.wait_for_function(
        "() => document.querySelector('[data-preview]').currentTime > 1", timeout=10_000
    )
    preview.evaluate("audio => audio.pause()")

    page.get_by_label("You may play my recording on the show").check()
    page.get_by_label("Your name").fill("Browser Listener")
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you! It reached the hosts.")

    submission = only_submission()
    assert submission.name == "Browser Listener"
    assert submission.consent_to_air is True
    assert submission.audio_format == "webm"
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert 4.5 <= submission.audio_seconds <= 7
    assert submission.audio_seconds == pytest.approx(recorded_for, abs=1.0)
    stored = probe_stored(submission)  # it decodes, and lasts as long as it was recorded
    assert stored.seconds == pytest.approx(submission.audio_seconds, abs=0.01)
    assert Path(submission.audio.path).suffix == ".webm"


def test_recording_stops_at_the_episode_limit_and_works_by_keyboard(page, db):
    short = EpisodeFactory(slug="short-answers", max_audio_seconds=3)
    page.goto(f"/ask/{short.slug}/")
    page.get_by_role("button", name="Record", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_focused()
    status = page.locator("[data-status]")
    expect(status).to_have_text(
        "Stopped at the 3 seconds limit. Play it back, record again, or send it.", timeout=8_000
    )
    expect(page.get_by_label("Your recording")).to_be_focused()

    # Discard, then record again and stop with the keyboard before the limit.
    page.get_by_role("button", name="Discard").click()
    expect(status).to_have_text("Recording discarded.")
    expect(page.get_by_role("button", name="Record", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_timeout(1_500)
    page.keyboard.press("Enter")  # focus is on Stop
    expect(page.get_by_label("Your recording")).to_be_visible()

    # Sent without on-air consent: the hosts may listen, it is just never played on the show.
    expect(page.get_by_label("You may play my recording on the show")).not_to_be_checked()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    submission = only_submission()
    assert submission.consent_to_air is False
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert submission.audio_seconds == pytest.approx(1.5, abs=0.6)
    assert probe_stored(submission).seconds < 3 + 0.5


def test_browsers_that_cannot_fill_a_file_input_send_the_recording_with_fetch(page, episode):
    # Fault injection: no DataTransfer constructor (older Safari), so recorder.js posts the
    # same form itself and follows the redirect.
    page.add_init_script("window.DataTransfer = function () { throw new TypeError('old'); };")
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_timeout(2_000)
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_label("Your recording")).to_be_visible()
    page.get_by_label("Your question or message").fill("Sent by fetch")
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    submission = only_submission()
    assert submission.text == "Sent by fetch"
    assert submission.audio_seconds == pytest.approx(2.0, abs=0.75)


def test_microphone_denied_offers_the_upload(page, episode):
    # Fault injection: this browser's microphone permission is refused.
    page.add_init_script(
        """
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
        """
    )
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    problem = page.locator("[data-mic-problem]")
    expect(problem).to_be_visible()
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_contain_text("Your browser didn't let this page use the microphone")
    expect(problem).to_contain_text("You can upload a recording instead, or type your question.")

    upload = page.get_by_label("Or upload a recording")
    expect(upload).to_be_visible()
    upload.set_input_files(str(AUDIO / "jfk.mp3"))
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    submission = only_submission()
    assert submission.audio_format == "mp3"
    assert submission.audio_seconds == pytest.approx(11.0, abs=0.05)


def test_server_rejection_is_shown_next_to_the_upload(page, episode, tmp_path):
    fake = tmp_path / "question.webm"
    fake.write_text("This is a text file, not a recording.\n" * 20)
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_label("Your question or message").fill("Typed words survive")
    page.get_by_label("Or upload a recording").set_input_files(str(fake))
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    expect(page.locator('[data-errors-for="audio"]')).to_contain_text(
        "We couldn't read this file as audio."
    )
    expect(page.get_by_label("Your question or message")).to_have_value("Typed words survive")
    expect(page.get_by_label("Or upload a recording")).to_have_attribute("aria-invalid", "true")
    assert Submission.objects.count() == 0


def test_typed_question_without_javascript(chromium, live_server, browser_settings, episode):
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"/ask/{episode.slug}/")
        # The recorder needs JavaScript and stays out of the way; the upload is there.
        expect(page.locator("[data-recorder]")).to_be_hidden()
        expect(page.get_by_label("Upload a recording")).to_be_visible()

        page.get_by_role("button", name="Send to the hosts").click()  # empty: refused
        expect(page.locator('[data-errors-for="text"]')).to_have_text(
            "Please type your question or message, or record one."
        )
        page.get_by_label("A message").check()
        page.get_by_label("Your question or message").fill("Typed without JavaScript")
        page.get_by_label("Your email").fill("nojs@example.com")
        page.get_by_role("button", name="Send to the hosts").click()
        page.wait_for_url("**/thanks/")
    finally:
        context.close()
    submission = only_submission()
    assert (submission.kind, submission.text, submission.email) == (
        "message",
        "Typed without JavaScript",
        "nojs@example.com",
    )
    assert submission.transcription_state == Submission.TranscriptionState.NONE


@pytest.mark.parametrize(
    ("name", "width", "height", "scale"),
    [("ask-phone", 360, 780, 2), ("ask-desktop", 1280, 900, 1)],
)
def test_page_fits_phones_and_desktops(
    chromium, live_server, browser_settings, tmp_path, name, width, height, scale
):
    episode_seed_demo()
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto("/ask/2024-recap/")
        record = page.get_by_role("button", name="Record", exact=True)
        expect(record).to_be_visible()
        # Nothing sticks out sideways, and the controls are big enough to tap.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for control in (record, page.get_by_role("button", name="Send to the hosts")):
            box = control.bounding_box()
            assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= width
        update = os.environ.get("MAILBAG_UPDATE_SCREENSHOTS") == "1"
        folder = SCREENSHOTS if update else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        if name == "ask-phone":
            record.click()
            page.wait_for_timeout(2_300)
            page.get_by_role("button", name="Stop", exact=True).click()
            expect(page.get_by_label("Your recording")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.locator("[data-recorder]").scroll_into_view_if_needed()
            page.screenshot(path=str(folder / "ask-phone-recorded.png"))
    finally:
        context.close()
