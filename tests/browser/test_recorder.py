"""The recorder in real Chromium: true length and seeking, level meter and silent-mic hint,
pause/resume, a message per microphone failure, and the recording kept across a reload."""

import os
import re
import wave
from pathlib import Path

import pytest
from playwright.sync_api import expect

from intake.models import Submission
from tests.browser.conftest import CHROMIUM, FAKE_MEDIA_ARGS, LAUNCH_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def clock_seconds(text: str) -> int:
    minutes, seconds = text.strip().split(":")
    return int(minutes) * 60 + int(seconds)


def record_for(page, milliseconds: int) -> None:
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    page.wait_for_timeout(milliseconds)
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_label("Your recording")).to_be_visible()


def test_preview_knows_its_length_and_can_be_scrubbed(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    record_for(page, 4_000)
    recorded = page.locator("[data-elapsed]").inner_text()

    # The recorder's own clock gives the length, not the WebM (which has none).
    shown = clock_seconds(page.locator("[data-length]").inner_text())
    assert shown == pytest.approx(clock_seconds(recorded), abs=1)
    assert 3 <= shown <= 5
    # The player learns the real duration too, so its slider has an end and starts at 0.
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-preview]');"
        " return isFinite(a.duration) && a.currentTime === 0; }"
    )
    duration = page.locator("[data-preview]").evaluate("audio => audio.duration")
    assert duration == pytest.approx(4.0, abs=0.5)
    assert duration == pytest.approx(shown, abs=0.75)

    # Seeking moves playback there, and it plays on from that point.
    page.locator("[data-preview]").evaluate("audio => { audio.currentTime = 2.5; audio.play(); }")
    page.wait_for_function(
        "() => document.querySelector('[data-preview]').currentTime > 2.8", timeout=5_000
    )
    position = page.locator("[data-preview]").evaluate("audio => audio.currentTime")
    assert 2.8 < position <= duration


def test_level_meter_moves_with_a_voice_and_no_silence_hint(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    level = page.locator("[data-level]")
    expect(level).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-level]').value > 0.2")
    page.wait_for_timeout(4_500)
    expect(page.locator("[data-silent-hint]")).to_be_hidden()
    page.get_by_role("button", name="Stop", exact=True).click()


@pytest.fixture
def silent_page(chromium, live_server, browser_settings, tmp_path):
    """A second Chromium whose fake microphone plays 10 s of digital silence."""
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"\0\0" * 16_000 * 10)
    args = [arg for arg in FAKE_MEDIA_ARGS if not arg.startswith("--use-file-for-fake-audio")]
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=LAUNCH_ARGS + args + [f"--use-file-for-fake-audio-capture={silence}"],
    )
    try:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context.new_page()
    finally:
        browser.close()


def test_silent_microphone_gets_a_hint_after_three_seconds(silent_page, episode):
    page = silent_page
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    hint = page.locator("[data-silent-hint]")
    page.wait_for_timeout(2_000)
    expect(hint).to_be_hidden()  # not before 3 s
    expect(hint).to_be_visible(timeout=4_000)
    expect(hint).to_contain_text("We can't hear you")
    # Screen readers hear it through the recorder's live region.
    expect(page.locator("[data-status]")).to_contain_text("We can't hear you")
    assert page.locator("[data-level]").evaluate("meter => meter.value") < 0.05
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(hint).to_be_hidden()


def test_pause_and_resume_leave_the_pause_out(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_timeout(2_000)
    pause = page.get_by_role("button", name="Pause", exact=True)
    pause.focus()
    page.keyboard.press("Enter")
    resume = page.get_by_role("button", name="Resume", exact=True)
    expect(resume).to_be_focused()
    status = page.locator("[data-status]")
    expect(status).to_contain_text(re.compile(r"Paused at 0:0[12]\. Resume when you are ready\."))
    frozen = page.locator("[data-elapsed]").inner_text()
    page.wait_for_timeout(2_500)
    expect(page.locator("[data-elapsed]")).to_have_text(frozen)  # the clock stood still
    page.keyboard.press("Enter")
    expect(status).to_have_text("Recording again.")
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_focused()
    page.wait_for_timeout(1_500)
    page.get_by_role("button", name="Stop", exact=True).click()

    # 2 s + 1.5 s were recorded; the 2.5 s pause is not in the length or the file.
    expect(page.get_by_label("Your recording")).to_be_visible()
    assert clock_seconds(page.locator("[data-length]").inner_text()) in (3, 4)
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    submission = Submission.objects.get()
    assert submission.audio_seconds == pytest.approx(3.5, abs=0.75)


def test_record_again_replaces_the_recording(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    record_for(page, 1_500)
    page.get_by_role("button", name="Record again").click()
    page.wait_for_timeout(3_000)
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.locator("[data-length]")).to_have_text(re.compile(r"0:0[34]"))


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("NotAllowedError", "Your browser didn't let this page use the microphone"),
        ("NotFoundError", "We couldn't find a microphone on this device."),
        ("NotReadableError", "Your microphone is busy or unavailable"),
    ],
)
def test_each_microphone_failure_has_its_own_message(page, episode, error, message):
    # Fault injection: the browser refuses the microphone for this reason.
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        f" Promise.reject(new DOMException('no', '{error}'));"
    )
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    problem = page.locator("[data-mic-problem]")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(message)
    expect(problem).to_contain_text("You can upload a recording instead")
    expect(page.get_by_role("button", name="Record", exact=True)).to_be_focused()


def test_insecure_origin_explains_why_there_is_no_recorder(page, episode):
    # Fault injection: on plain http (not localhost) browsers give no navigator.mediaDevices.
    page.add_init_script(
        "Object.defineProperty(navigator, 'mediaDevices', {value: undefined, configurable: true});"
    )
    page.goto(f"/ask/{episode.slug}/")
    expect(page.locator("[data-mic-problem]")).to_contain_text(
        "Recording needs a secure (https) connection"
    )
    expect(page.locator("[data-recorder]")).to_be_hidden()
    expect(page.get_by_label("Upload a recording")).to_be_visible()


def test_recording_survives_a_reload_until_it_is_sent(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    record_for(page, 2_500)
    length = page.locator("[data-length]").inner_text()
    page.reload()

    # The hook other code relies on: data-restored once the kept recording is back.
    expect(page.locator("[data-recorder][data-restored]")).to_be_attached()
    expect(page.locator("[data-status]")).to_contain_text("We kept your recording from before")
    expect(page.get_by_label("Your recording")).to_be_visible()
    expect(page.locator("[data-length]")).to_have_text(length)
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    assert Submission.objects.get().audio_seconds == pytest.approx(2.5, abs=0.75)

    # Sent: the kept copy is gone, so the next visit starts afresh.
    page.wait_for_function(
        """() => new Promise(done => {
             const open = indexedDB.open("mailbag-recorder", 1);
             open.onsuccess = () => {
               const get = open.result.transaction("recordings").objectStore("recordings")
                 .get(location.pathname.split("/")[2]);
               get.onsuccess = () => { open.result.close(); done(get.result === undefined); };
             };
           })"""
    )
    page.goto(f"/ask/{episode.slug}/")
    expect(page.get_by_role("button", name="Record", exact=True)).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.get_by_label("Your recording")).to_be_hidden()
    expect(page.locator("[data-recorder][data-restored]")).to_have_count(0)


def test_recording_survives_a_rate_limited_answer(
    page, episode, browser_settings, transcription_queue
):
    browser_settings.SUBMISSION_RATE_LIMIT = "1/10m"
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_label("Your question or message").fill("A first, typed question.")
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")

    page.goto(f"/ask/{episode.slug}/")
    page.get_by_label("Your question or message").fill("And a second one, spoken.")
    record_for(page, 2_500)
    length = page.locator("[data-length]").inner_text()
    page.get_by_role("button", name="Send to the hosts").click()

    # Over the limit: the form comes back with the words typed and the recording kept.
    expect(page.locator("body")).to_contain_text("try again in")
    expect(page.get_by_label("Your question or message")).to_have_value("And a second one, spoken.")
    expect(page.locator("[data-recorder][data-restored]")).to_be_attached()
    expect(page.get_by_label("Your recording")).to_be_visible()
    expect(page.locator("[data-length]")).to_have_text(length)
    assert Submission.objects.count() == 1

    # Once the limit allows it, the same recording goes with a plain send.
    browser_settings.SUBMISSION_RATE_LIMIT = "0"
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    second = Submission.objects.latest("pk")
    assert second.text == "And a second one, spoken."
    assert second.audio_seconds == pytest.approx(2.5, abs=0.75)


def test_a_recording_kept_for_over_a_week_is_dropped(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    record_for(page, 1_500)
    page.wait_for_timeout(300)  # let the save to IndexedDB finish
    # Age the kept copy by eight days, as if the page were opened again on a shared computer.
    page.evaluate(
        """() => new Promise(done => {
             const open = indexedDB.open("mailbag-recorder", 1);
             open.onsuccess = () => {
               const store = open.result.transaction("recordings", "readwrite")
                 .objectStore("recordings");
               const key = location.pathname.split("/")[2];
               store.get(key).onsuccess = (event) => {
                 const kept = event.target.result;
                 kept.savedAt -= 8 * 24 * 3600 * 1000;
                 store.put(kept, key).onsuccess = () => { open.result.close(); done(); };
               };
             };
           })"""
    )
    page.reload()
    expect(page.get_by_role("button", name="Record", exact=True)).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.get_by_label("Your recording")).to_be_hidden()
    expect(page.locator("[data-status]")).not_to_contain_text("We kept your recording")


@pytest.mark.parametrize(
    ("device", "width", "height", "scale"),
    [("phone", 390, 844, 2), ("desktop", 1366, 900, 1)],
)
def test_recorder_states_fit_and_are_pictured(
    chromium, live_server, browser_settings, episode, tmp_path, device, width, height, scale
):
    """Each state fits the screen; MAILBAG_UPDATE_SCREENSHOTS=1 refreshes the README's pictures."""
    folder = SCREENSHOTS if os.environ.get("MAILBAG_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto(f"/ask/{episode.slug}/")
        recorder = page.locator("[data-recorder]")

        def picture(state: str) -> None:
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            recorder.scroll_into_view_if_needed()
            recorder.screenshot(path=str(folder / f"recorder-{state}-{device}.png"))

        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_timeout(2_200)
        page.wait_for_function("() => document.querySelector('[data-level]').value > 0.3")
        picture("recording")
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(page.locator("[data-level]")).to_have_attribute("value", "0")
        picture("paused")
        page.get_by_role("button", name="Resume", exact=True).click()
        page.wait_for_timeout(1_000)
        page.get_by_role("button", name="Stop", exact=True).click()
        expect(page.locator("[data-length]")).not_to_have_text("0:00")
        picture("recorded")
        for name in ("Record again", "Discard"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box["height"] >= 44 and box["x"] + box["width"] <= width
    finally:
        context.close()
