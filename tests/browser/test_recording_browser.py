"""Recording mode in real headless Chromium: a short recording run with the keyboard, a reload
in the middle that finds the show where it was, Stop, and the chapters downloaded; a second
laptop that follows the first without reloading; the clocks ticking in the page with the same
sums as runsheet.show_clock; and the same recording without JavaScript.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from runsheet import services, show_clock
from runsheet.models import Airing, Entry, Recording, Segment
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_problems
from tests.browser.test_csp_browser import Watch
from tests.factories import TopicFactory
from tests.runsheet.conftest import approved

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def laptop(chromium, live_server, browser_settings):
    context = chromium.new_context(viewport=LAPTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def show(episode):
    """A started run-sheet: "Scaling" with Priya's and Sam's questions, "Data" with Lee's and
    Ana's, all read aloud."""
    scaling = TopicFactory(episode=episode, title="Scaling", position=0)
    data = TopicFactory(episode=episode, title="Data", position=1)
    asked = {
        "priya": approved(episode, tags=[scaling], name="Priya", text="Was the 2014 bet right?"),
        "sam": approved(episode, tags=[scaling], name="Sam", text="Why did LSTMs lose?"),
        "lee": approved(episode, tags=[data], name="Lee", text="What comes after pre-training?"),
        "ana": approved(episode, tags=[data], name="Ana", text="Is synthetic data enough?"),
    }
    services.runsheet_start(episode=episode)
    for segment in Segment.objects.filter(episode=episode):
        services.entries_add_all(segment=segment)
    return {name: Entry.objects.get(submission=s) for name, s in asked.items()}


def key(entry: Entry) -> str:
    return f"entry-{entry.pk}"


def showing(page, entry: Entry) -> None:
    """The page shows `entry` live (its region was redrawn with it)."""
    expect(page.locator("[data-region]")).to_have_attribute("data-current", key(entry))
    expect(page.locator(".now-asker")).to_have_text(entry.submission.name)


def state_of(entry: Entry) -> str:
    return Entry.objects.get(pk=entry.pk).state


def test_a_short_recording_with_the_keyboard_a_reload_and_the_chapters(laptop, host, episode, show):
    priya, sam, lee, ana = show["priya"], show["sam"], show["lee"], show["ana"]
    page = laptop.new_page()
    watch = Watch(page)  # no Content-Security-Policy violation on the way (fetch, redraws)
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/runsheet/")
    page.get_by_role("link", name="Record", exact=True).click()
    expect(page.get_by_role("heading", name="Recording mode")).to_be_visible()
    expect(page.locator("[data-role=phase]")).to_have_text("Ready to record")
    expect(page.locator(".next-title")).to_have_text("Priya: Was the 2014 bet right?")

    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Start recording").click()
    showing(page, priya)
    expect(page.locator("[data-role=phase]")).to_have_text("Recording")
    expect(page.locator(".now-card")).to_contain_text("Read aloud")
    expect(page.locator(".now-card")).to_contain_text("Was the 2014 bet right?")
    # The clocks tick in the page (no reload): the show's clock moves on.
    expect(page.locator("[data-role=show-clock]")).to_have_text(re.compile(r"^0:(0[1-9]|[1-5]\d)$"))
    assert axe_problems(page) == []

    page.keyboard.press("ArrowRight")
    showing(page, sam)
    assert (state_of(priya), state_of(sam)) == (Airing.AIRED, Airing.LIVE)
    page.keyboard.press("ArrowLeft")  # back: Sam was reached too early
    showing(page, priya)
    assert (state_of(priya), state_of(sam)) == (Airing.LIVE, Airing.PLANNED)
    page.keyboard.press("ArrowRight")
    showing(page, sam)
    page.keyboard.press("s")
    showing(page, lee)
    assert (state_of(sam), state_of(lee)) == (Airing.SKIPPED, Airing.LIVE)
    assert page.evaluate("window.notReloaded") is True  # every press was posted by the script
    recording = Recording.objects.get(episode=episode)
    assert recording.version == 5  # started, then four moves, each saved at once

    # A reload (or a crash) in the middle loses nothing: the same question is live.
    page.reload()
    showing(page, lee)
    expect(page.locator(".rundown-step.state-skipped")).to_contain_text("Sam")
    before = page.evaluate("window.scrollY")
    page.keyboard.press(" ")  # space: next, without scrolling
    showing(page, ana)
    assert page.evaluate("window.scrollY") == before
    assert state_of(lee) == Airing.AIRED

    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator("[data-role=phase]")).to_have_text("Recorded")
    expect(page.locator(".now-card")).to_contain_text("The recording is over.")
    assert Recording.objects.get(episode=episode).ended_at is not None
    assert state_of(ana) == Airing.AIRED

    # The chapters: one per aired question (Sam's skipped one has none).
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Chapters (JSON)").click()
    chapters = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    titles = " | ".join(chapter["title"] for chapter in chapters["chapters"])
    for name in ("Priya", "Lee", "Ana"):
        assert name in titles
    assert "Sam" not in titles
    times = [chapter["startTime"] for chapter in chapters["chapters"]]
    assert times == sorted(times) and times[0] == 0
    watch.assert_clean()


def test_a_second_laptop_follows_without_reloading(
    laptop, chromium, live_server, host, episode, show
):
    first = laptop.new_page()
    log_in(first, host)
    services.recording_start(episode=episode, by=host)
    first.goto(f"/host/{episode.slug}/runsheet/live/")
    showing(first, show["priya"])

    other = chromium.new_context(viewport=LAPTOP, base_url=live_server.url)
    try:
        second = other.new_page()
        log_in(second, host)
        second.goto(f"/host/{episode.slug}/runsheet/live/")
        showing(second, show["priya"])
        second.evaluate("window.notReloaded = true")

        first.get_by_role("button", name="Next").click()
        showing(first, show["sam"])
        # The redraw keeps the keyboard's place on Next; space there is one Next, not two
        # (the key and the focused button's own press).
        expect(first.get_by_role("button", name="Next")).to_be_focused()
        first.keyboard.press(" ")
        showing(first, show["lee"])
        first.wait_for_timeout(500)
        assert state_of(show["lee"]) == Airing.LIVE
        assert Recording.objects.get(episode=episode).version == 3

        # The second page polls and redraws within a few seconds, without a reload.
        expect(second.locator("[data-region]")).to_have_attribute(
            "data-current", key(show["lee"]), timeout=3_000
        )
        expect(second.locator(".now-asker")).to_have_text("Lee")
        assert second.evaluate("window.notReloaded") is True

        # A press from a page drawn before another laptop moved on is not done twice: with
        # its polls held up, the second page still shows Lee when its host presses Next.
        second.route("**/live/state", lambda route: route.abort())
        services.recording_next(episode=episode)  # a third laptop, moments ago
        second.keyboard.press("ArrowRight")
        expect(second.locator("[data-role=status]")).to_contain_text(
            "Someone else moved the show on"
        )
        showing(second, show["ana"])
        assert state_of(show["ana"]) == Airing.LIVE  # not finished by the stale press
    finally:
        other.close()


def test_the_pages_clock_does_the_same_sums_as_the_server(laptop, host, episode, show):
    page = laptop.new_page()
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/runsheet/live/")
    page.wait_for_function("() => window.mailbagRecordingClock !== undefined")
    sums = "window.mailbagRecordingClock"

    for elapsed, planned in [(0, 60), (49, 60), (50, 60), (60, 60), (61, 60), (0, 5), (500, 600),
                             (510, 600), (520, 600), (3000, 3600)]:  # fmt: skip
        assert page.evaluate(f"([e, p]) => {sums}.itemLevel(e, p)", [elapsed, planned]) == (
            show_clock.item_level(elapsed=elapsed, planned=planned)
        ), (elapsed, planned)
    for over, target in [(-30, 3600), (0, 3600), (1, 3600), (180, 3600), (181, 3600),
                         (59, 600), (60, 600), (61, 600)]:  # fmt: skip
        assert page.evaluate(f"([o, t]) => {sums}.showLevel(o, t)", [over, target]) == (
            show_clock.show_level(over=over, target=target)
        ), (over, target)
    for now, elapsed, planned, after in [(100, 30, 60, 600), (100, 90, 60, 600), (0, None, 0, 0)]:
        assert page.evaluate(
            f"([n, e, p, a]) => {sums}.projectedEnd(n, e, p, a)", [now, elapsed, planned, after]
        ) == pytest.approx(
            show_clock.projected_end(
                now_show=now, current_elapsed=elapsed, current_planned=planned, planned_after=after
            )
        )
    from dashboard.views.recording import item_words, over_words

    for seconds in (-90, -0.4, 0, 0.4, 12, 59.6, 3723):
        assert page.evaluate(f"s => {sums}.itemWords(s)", seconds) == item_words(seconds)
        assert page.evaluate(f"s => {sums}.overWords(s)", seconds) == over_words(seconds)


def test_recording_without_javascript(chromium, live_server, browser_settings, host, episode, show):
    context = chromium.new_context(
        viewport=LAPTOP, base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/runsheet/live/")
        expect(page.locator("[data-fullscreen]")).to_be_hidden()  # needs the script
        page.get_by_role("button", name="Start recording").click()
        expect(page.locator(".messages")).to_contain_text("Recording: the clock is running.")
        expect(page.locator(".now-asker")).to_have_text("Priya")
        page.get_by_role("button", name="Next").click()
        expect(page.locator(".now-asker")).to_have_text("Sam")
        page.get_by_role("button", name="Skip").click()
        expect(page.locator(".now-asker")).to_have_text("Lee")
        page.get_by_role("button", name="Pause").click()
        expect(page.locator("[data-role=phase]")).to_contain_text("Paused")
        page.get_by_role("button", name="Resume").click()
        page.get_by_role("button", name="Stop recording").click()
        expect(page.locator(".messages")).to_contain_text("Stopped: the recording is over.")
        # Recording again needs the box ticked (the browser will not send the form without).
        page.get_by_role("button", name="Record again").click()
        assert Recording.objects.filter(episode=episode).count() == 1
        page.get_by_label(re.compile("Start over from the top")).check()
        page.get_by_role("button", name="Record again").click()
        expect(page.locator(".messages")).to_contain_text("Recording again from the top.")
        expect(page.locator(".now-asker")).to_have_text("Priya")
    finally:
        context.close()
    assert Recording.objects.filter(episode=episode).count() == 2
    assert state_of(show["sam"]) == Airing.PLANNED  # the new recording starts from the top
