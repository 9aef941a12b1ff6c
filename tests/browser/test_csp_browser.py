"""Every page in real Chromium under the Content-Security-Policy (issue 12, finding 9): the
listener's pages (recording with the fake microphone, playing it back from a blob:, sending
it), the logins, and every HTML page of /host/ on the demo episode with its data. Any
violation fails: the `securitypolicyviolation` events, and Chromium's own console errors.

test_every_host_page_is_walked keeps the walk complete: a new /host/ page must be added here.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import Submission
from runsheet import services as runsheet_services
from runsheet.models import Entry, Segment
from tests.browser.conftest import log_in
from tests.browser.demo import demo_runsheet
from tests.conftest import ESSAY
from tests.dashboard.test_access import HAS_GET
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Logged to the console from the page itself, so a violation on any page of the walk (each a
# new document, each running this script first) ends up in one list.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "securitypolicyviolation: " + event.effectiveDirective + " blocked " +
    (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""
# Chromium also reports a blocked feature (the microphone) or a policy it cannot parse.
VIOLATION = re.compile(
    r"securitypolicyviolation|Content Security Policy|Permissions[- ]Policy", re.IGNORECASE
)

# /host/ routes that answer with audio, files or JSON, not a page (fetched by the pages the
# walk opens: the audio players, exports links, live updates and merge search).
NOT_PAGES = {
    "submission_audio",
    "runsheet_export",
    "submission_search",
    "submission_state",
    "inbox_updates",
    "recording_state",
}


class Watch:
    """What the browser reported while the walk went on, and the pages it loaded."""

    def __init__(self, page):
        self.violations: list[str] = []
        self.documents: dict[str, dict[str, str]] = {}
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if VIOLATION.search(message.text):
            self.violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.documents[response.url] = response.all_headers()

    def assert_clean(self) -> None:
        assert self.violations == []
        assert self.documents
        for url, headers in self.documents.items():
            assert "default-src 'self'" in headers.get("content-security-policy", ""), url


@pytest.fixture
def watched(chromium, live_server, browser_settings):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page, Watch(page)
    context.close()


def test_the_watch_catches_a_violation(watched, episode):
    """The walk's own check: an inline script and a style attribute are blocked and reported."""
    page, watch = watched
    page.goto(f"/ask/{episode.slug}/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
        }"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("window.inlineRan") is None  # blocked
    assert any("script-src" in v for v in watch.violations), watch.violations
    assert any("style-src" in v for v in watch.violations), watch.violations


def test_listener_pages_record_play_back_and_send_without_violations(watched, episode):
    page, watch = watched
    page.goto("/")
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("[data-status]")).to_contain_text("Recording.")
    page.wait_for_timeout(2_500)
    page.get_by_role("button", name="Stop", exact=True).click()

    # The preview plays from a blob: URL (media-src 'self' blob:).
    preview = page.get_by_label("Your recording")
    expect(preview).to_be_visible()
    assert preview.evaluate("audio => audio.src").startswith("blob:")
    preview.evaluate("audio => audio.play()")
    page.wait_for_function("() => document.querySelector('[data-preview]').currentTime > 0.5")
    preview.evaluate("audio => audio.pause()")

    page.get_by_label("You may play my recording on the show").check()
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you! It reached the hosts.")
    assert Submission.objects.get().audio

    page.goto("/no-such-page/")  # the 404 page
    page.goto("/admin/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    watch.assert_clean()


def test_every_host_page_is_walked():
    # The access matrix lists every /host/ route and which answer GET (its own test keeps it
    # in step with the URLconf).
    assert {name.removeprefix("dashboard:") for name in HAS_GET} - NOT_PAGES == set(HOST_PAGES)


HOST_PAGES = (
    "episode_list",
    "episode_create",
    "host_settings",
    "show_update",
    "episode_update",
    "episode_hosts",
    "submission_list",
    "submission_detail",
    "topic_list",
    "topic_update",
    "topic_delete",
    "essay_import",
    "runsheet",
    "segment_update",
    "segment_delete",
    "entry_update",
    "entry_passage",
    "recording_live",
    "air_notice_preview",
    "recording_summary",
)


def test_every_host_page_without_violations(watched, host, run_worker):
    page, watch = watched
    episode = demo_runsheet(host)
    run_worker()  # the re-ranking the essay import queued
    slug = episode.slug
    voice = Submission.objects.filter(episode=episode).exclude(audio="").first()
    topic = episode.topics.order_by("position").first()
    segment = Segment.objects.filter(episode=episode).first()
    entry = Entry.objects.filter(segment__episode=episode).first()

    log_in(page, host)
    urls = {
        "episode_list": reverse("dashboard:episode_list"),
        "episode_create": reverse("dashboard:episode_create"),
        "host_settings": reverse("dashboard:host_settings"),
        "show_update": reverse("dashboard:show_update"),
        "episode_update": reverse("dashboard:episode_update", args=[slug]),
        "episode_hosts": reverse("dashboard:episode_hosts", args=[slug]),
        "submission_list": reverse("dashboard:submission_list", args=[slug]),
        "submission_detail": reverse("dashboard:submission_detail", args=[slug, voice.pk]),
        "topic_list": reverse("dashboard:topic_list", args=[slug]),
        "topic_update": reverse("dashboard:topic_update", args=[slug, topic.pk]),
        "topic_delete": reverse("dashboard:topic_delete", args=[slug, topic.pk]),
        "essay_import": reverse("dashboard:essay_import", args=[slug]),
        "runsheet": reverse("dashboard:runsheet", args=[slug]),
        "segment_update": reverse("dashboard:segment_update", args=[slug, segment.pk]),
        "segment_delete": reverse("dashboard:segment_delete", args=[slug, segment.pk]),
        "entry_update": reverse("dashboard:entry_update", args=[slug, entry.pk]),
        "entry_passage": reverse("dashboard:entry_passage", args=[slug, entry.pk]),
        "recording_live": reverse("dashboard:recording_live", args=[slug]),
        "air_notice_preview": reverse("dashboard:air_notice_preview", args=[slug]),
        "recording_summary": reverse("dashboard:recording_summary", args=[slug]),
    }
    assert set(urls) == set(HOST_PAGES)
    for name, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, name
        expect(page.locator("main")).to_be_visible()

    # The voice message plays from /host/ (media-src 'self').
    page.goto(urls["submission_detail"])
    player = page.locator("audio").first
    player.evaluate("audio => audio.play()")
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.2")
    # The merge search fetches results and renders them (connect-src from default-src).
    page.get_by_placeholder("Words, a name or #123").fill("Priya")
    expect(page.locator("#merge-results")).to_contain_text("Priya")

    # The essay import's preview.
    page.goto(urls["essay_import"])
    page.get_by_label("Paste the essay (Markdown)").fill(ESSAY.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator(".import-preview")).to_be_visible()

    # The summary once something was recorded (the walk saw it before): one question aired,
    # one skipped, the rest not reached; then the trim form, sent and shown again.
    current = runsheet_services.recording_current(episode=episode)
    if current is None or not current.is_going_on:
        runsheet_services.recording_start(episode=episode, by=host, again=True)
        runsheet_services.recording_next(episode=episode)
        runsheet_services.recording_skip(episode=episode)
    runsheet_services.recording_stop(episode=episode)
    page.goto(urls["recording_summary"])
    expect(page.get_by_role("heading", name="Planned and actual")).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile(r"Send \d+ back to the pool"))
    ).to_be_visible()
    page.get_by_role("textbox", name="Cut from the start").fill("1m30s")
    page.get_by_role("button", name="Save the cut").click()
    expect(page.locator(".messages")).to_contain_text("1:30 cut from the start")

    watch.assert_clean()


def test_the_queue_pages_work_for_a_superuser(watched, db):
    """django-rq's pages, the one place inline script is allowed (config/rq_admin.py)."""
    page, watch = watched
    admin = UserFactory(username="admin", is_superuser=True)
    page.goto("/admin/django-rq/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="transcription").first).to_be_visible()
    page.goto("/admin/django-rq/queues/0/")
    expect(page.locator("#content")).to_contain_text("transcription")

    watch.assert_clean()
