"""The live dashboard in real headless Chromium, with a real transcription worker process: a
voice message recorded (fake microphone) while the host has the inbox and a detail page open
appears in the inbox and gets its transcript on the detail page without a reload; the host
approves it with the keyboard and the next undecided question opens. And the inbox's triage:
clips played inline, a selection acted on at once."""

import re
import signal

import pytest
from playwright.sync_api import expect

from intake.models import Submission, SubmissionEvent
from tests.browser.conftest import log_in
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory
from tests.processes import Output, start_worker

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 900}
# The worker loads Whisper and the sentence model first (10-20 s on the 2-core machine).
WORKER_TIMEOUT_MS = 120_000
# Pages ask every 4 s while visible; give a slow machine a few rounds.
LIVE_TIMEOUT_MS = 20_000


def record_and_send(page, slug: str, *, name: str, seconds: float) -> None:
    page.goto(f"/ask/{slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_visible()
    page.wait_for_timeout(seconds * 1000)
    stop.click()
    expect(page.get_by_label("Your recording")).to_be_visible()
    page.get_by_label("You may play my recording on the show").check()
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")


@pytest.mark.whisper
def test_a_voice_message_arrives_live_and_is_approved_by_keyboard(
    chromium,
    live_server,
    browser_settings,
    private_media,
    process_env,
    transcription_queue,
    host,
    episode,
):
    # Already waiting in the inbox: the question the host moves on to after deciding.
    older = SubmissionFactory(episode=episode, name="Sam", text="What comes after pre-training?")
    slug = episode.slug

    host_side = chromium.new_context(viewport=LAPTOP, base_url=live_server.url)
    host_side.set_default_timeout(15_000)
    listener = chromium.new_context(base_url=live_server.url)
    listener.set_default_timeout(15_000)
    worker = None
    try:
        inbox = host_side.new_page()
        log_in(inbox, host)
        inbox.goto(f"/host/{slug}/")
        rows = inbox.locator(".submission-row")
        expect(rows).to_have_count(1)
        expect(inbox).to_have_title(re.compile(r"^Submissions · "))
        inbox.evaluate("window.loadedOnce = true")  # gone if the page were reloaded

        # A listener records a question on the public page, in another browser.
        record_and_send(listener.new_page(), slug, name="Browser Listener", seconds=7)
        arrived = Submission.objects.get(name="Browser Listener")
        assert arrived.transcription_state == Submission.TranscriptionState.PENDING

        # It appears on top of the open inbox, with the count in the tab's title.
        inbox.bring_to_front()
        expect(rows).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
        new_row = inbox.locator(f"#submission-{arrived.pk}")
        expect(rows.first).to_have_id(f"submission-{arrived.pk}")
        expect(new_row).to_contain_text("Browser Listener")
        expect(new_row).to_contain_text("Queued for transcription")
        expect(new_row.locator("[data-play-clip]")).to_have_attribute("role", "button")
        expect(inbox).to_have_title(re.compile(r"^\(1\) Submissions · "))
        expect(inbox.locator(".status-tabs [data-count='new']")).to_have_text("2")

        # The host opens it before any worker is running.
        detail = host_side.new_page()
        detail.goto(f"/host/{slug}/submissions/{arrived.pk}/")
        transcript = detail.locator("#transcript")
        expect(transcript).to_contain_text("Not transcribed yet")
        detail.evaluate("window.loadedOnce = true")

        # A real worker process starts, loads its models and transcribes it.
        process_env["MEDIA_ROOT"] = str(private_media)
        process_env["HOST_NOTIFY_EMAILS"] = ""
        process_env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        worker = start_worker(process_env)
        output = Output(worker)

        # The transcript replaces "Not transcribed yet" on the open page, without a reload.
        spoken = re.compile(r"fellow americans|ask not", re.IGNORECASE)
        try:
            expect(transcript).to_contain_text(spoken, timeout=WORKER_TIMEOUT_MS)
        except AssertionError as error:
            raise AssertionError(
                "No transcript on the page; the worker said:\n" + output.text()
            ) from error
        expect(detail.locator("[data-live-badges]")).not_to_contain_text("Queued")
        assert detail.evaluate("window.loadedOnce") is True
        # Its lines play the recording from their start (bound after the swap too).
        expect(transcript.locator("li[role=button]").first).to_be_visible()

        # The inbox row changed too: the words instead of "not transcribed yet".
        inbox.bring_to_front()
        expect(new_row.locator(".row-excerpt")).to_contain_text(spoken, timeout=LIVE_TIMEOUT_MS)
        expect(new_row).not_to_contain_text("Queued for transcription")
        assert inbox.evaluate("window.loadedOnce") is True

        # Approve with the keyboard: the next undecided question opens.
        detail.bring_to_front()
        detail.keyboard.press("a")
        expect(detail).to_have_url(re.compile(rf"/host/{slug}/submissions/{older.pk}/$"))
        expect(detail.locator(".messages")).to_contain_text(
            "Approved the question from Browser Listener."
        )
        expect(detail.get_by_role("heading", name="Sam")).to_be_visible()
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        listener.close()
        host_side.close()

    arrived.refresh_from_db()
    assert arrived.status == Submission.Status.APPROVED
    assert arrived.transcription_state == Submission.TranscriptionState.DONE
    actions = list(
        SubmissionEvent.objects.filter(submission=arrived)
        .order_by("created_at", "id")
        .values_list("action", "actor")
    )
    A = SubmissionEvent.Action
    assert actions == [(A.RECEIVED, None), (A.TRANSCRIBED, None), (A.APPROVED, host.pk)]


def test_clips_play_inline_and_a_selection_is_declined_at_once(page, host, episode):
    voice = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)
    SubmissionFactory(episode=episode, name="Sam")
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/")

    # The clip's length is a play/pause button for one shared player.
    clip = page.get_by_role("button", name="Play the recording from Priya")
    expect(clip).to_have_attribute("href", f"/host/{episode.slug}/submissions/{voice.pk}/audio")
    clip.click()
    expect(clip).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "() => (player => !player.paused && player.currentTime > 0.5)"
        "(document.querySelector('[data-clip-player]'))"
    )
    clip.click()
    expect(clip).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.querySelector('[data-clip-player]').paused")

    # Tick everything on the page and decline it in one go.
    page.get_by_label("Select all on this page").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected:")
    page.get_by_role("button", name="Decline selected").click()
    expect(page.locator(".messages")).to_contain_text("Declined 2 submissions.")
    assert set(Submission.objects.values_list("status", flat=True)) == {"declined"}


def test_the_selection_works_without_javascript(
    chromium, live_server, browser_settings, host, episode
):
    voice = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)
    sam = SubmissionFactory(episode=episode, name="Sam")
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/?status=new")

        # Without JavaScript the clip's length is a plain link to the recording.
        clip = page.locator("[data-play-clip]")
        expect(clip).to_have_attribute("href", f"/host/{episode.slug}/submissions/{voice.pk}/audio")
        expect(clip).not_to_have_attribute("role", "button")
        page.locator(f"#select-{sam.pk}").check()
        page.get_by_role("button", name="Approve selected").click()

        expect(page.locator(".messages")).to_contain_text("Approved 1 submission.")
        expect(page).to_have_url(re.compile(rf"/host/{episode.slug}/\?status=new$"))
    finally:
        context.close()
    assert Submission.objects.get(pk=sam.pk).status == Submission.Status.APPROVED
    assert Submission.objects.get(pk=voice.pk).status == Submission.Status.NEW
