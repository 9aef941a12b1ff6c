"""The host dashboard in real headless Chromium: log in, review, listen (metadata only), decide."""

import re

import pytest
from playwright.sync_api import expect

from episodes.models import HostProfile
from intake.models import Submission
from tests.browser.conftest import log_in
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory, TopicFactory

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture
def voice(episode):
    topics = [
        TopicFactory(episode=episode, title="What Ilya Saw in 2014", position=0),
        TopicFactory(episode=episode, title="What Ilya Sees in 2024", position=1),
    ]
    submission = SubmissionFactory(
        episode=episode,
        name="Priya",
        text="",
        audio_format="webm",
        consent_to_air=True,
        suggested_topic=topics[0],
        suggested_topic_score=0.61,
    )
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    submission.transcription_state = Submission.TranscriptionState.DONE
    submission.transcript = "And so my fellow Americans, ask not what your country can do for you."
    submission.transcript_segments = [
        {"start": 0.0, "end": 3.5, "text": "And so my fellow Americans,"},
        {"start": 3.5, "end": 11.0, "text": "ask not what your country can do for you."},
    ]
    submission.save()
    SubmissionFactory(episode=episode, name="Sam", text="What comes after pre-training?")
    return submission


@pytest.fixture
def laptop(chromium, live_server, browser_settings):
    context = chromium.new_context(viewport=LAPTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_host_reviews_listens_and_approves(laptop, chromium, live_server, host, episode, voice):
    # This host stays on a submission after deciding (else the next undecided one opens:
    # tests/browser/test_live_browser.py).
    HostProfile.objects.update_or_create(user=host, defaults={"stay_after_decision": True})
    page = laptop.new_page()
    log_in(page, host)

    page.get_by_role("link", name="Review 2 submissions").click()
    expect(page.get_by_role("heading", name="Submissions")).to_be_visible()
    rows = page.locator(".submission-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("ask not what your country")
    expect(rows.nth(1)).to_contain_text("Suggested What Ilya Saw in 2014")

    rows.nth(1).locator(".row-excerpt").click()
    expect(page.get_by_role("heading", name="Priya")).to_be_visible()

    # The player points at the protected audio view, and Chromium can read the recording
    # through it (it fetches with Range requests), without anything being played.
    audio_path = f"/host/{episode.slug}/submissions/{voice.pk}/audio"
    player = page.locator("audio#player")
    expect(player).to_have_attribute("src", audio_path)
    expect(player).to_have_attribute("preload", "metadata")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    assert 10.5 < player.evaluate("audio => audio.duration") < 11.5
    assert player.evaluate("audio => audio.paused")

    with_session = page.request.get(audio_path, headers={"Range": "bytes=0-99"})
    assert with_session.status == 206
    assert with_session.headers["content-type"] == "audio/webm"
    assert len(with_session.body()) == 100

    # Without the host's session cookie the same URL gives no audio, only the login page.
    stranger = chromium.new_context(base_url=live_server.url)
    try:
        response = stranger.request.get(audio_path, max_redirects=0)
        assert response.status == 302
        assert response.headers["location"].startswith("/accounts/login/")
        assert "audio" not in response.headers.get("content-type", "")
    finally:
        stranger.close()

    # Transcript lines become keyboard-reachable buttons (progressive enhancement).
    expect(page.get_by_role("button", name=re.compile(r"^Play from 0:03"))).to_be_visible()

    page.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(page.locator(".messages")).to_contain_text("Approved the question from Priya.")
    expect(page.locator(".detail-title .badge-approved")).to_have_text("Approved")
    voice.refresh_from_db()
    assert voice.status == Submission.Status.APPROVED

    # Keyboard shortcut: "d" presses Decline.
    page.keyboard.press("d")
    expect(page.locator(".messages")).to_contain_text("Declined the question from Priya.")
    voice.refresh_from_db()
    assert voice.status == Submission.Status.DECLINED


def test_every_action_works_without_javascript(
    chromium, live_server, browser_settings, host, voice
):
    tablet = {"width": 820, "height": 1180}
    context = chromium.new_context(
        viewport=tablet, base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{voice.episode.slug}/submissions/{voice.pk}/")

        page.get_by_label("What Ilya Sees in 2024").check()
        page.get_by_role("button", name="Save topics").click()
        expect(page.locator(".messages")).to_contain_text("Tagged with")

        page.get_by_text("Correct the transcript").click()
        page.get_by_label("Corrected transcript").fill("Ask not what your country can do for you.")
        page.get_by_role("button", name="Save correction").click()
        expect(page.locator(".messages")).to_contain_text("Saved your correction.")

        page.get_by_role("link", name="Submissions", exact=True).click()
        page.get_by_role("button", name=f"Decline #{voice.pk} from Priya").click()
        expect(page.locator(".messages")).to_contain_text("Declined the question from Priya.")
        expect(page).to_have_url(re.compile(rf"/host/{voice.episode.slug}/$"))
    finally:
        context.close()

    voice.refresh_from_db()
    assert voice.status == Submission.Status.DECLINED
    assert voice.transcript_edited == "Ask not what your country can do for you."
    assert [t.title for t in voice.topics.all()] == ["What Ilya Sees in 2024"]
