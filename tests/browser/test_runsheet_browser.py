"""The run-sheet in real headless Chromium: start it, add questions, reorder them by dragging
(SortableJS's handle) and by keyboard, watch the clock follow before anything is saved, reload
and find the order kept, download the Markdown; the same work without JavaScript; and the
README's screenshot of the demo episode's run-sheet (MAILBAG_UPDATE_SCREENSHOTS=1 writes
docs/screenshots/runsheet.png).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from runsheet import services
from runsheet.models import Entry, RunSheet, Segment
from tests.browser.conftest import log_in
from tests.browser.demo import demo_runsheet
from tests.factories import TopicFactory
from tests.runsheet.conftest import approved

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 1300}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def desktop(chromium, live_server, browser_settings):
    context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def questions(episode):
    """Two topics; two approved questions about the first, one about the second."""
    first = TopicFactory(episode=episode, title="What Ilya Saw in 2014", position=0)
    second = TopicFactory(episode=episode, title="What Ilya Sees in 2024", position=1)
    return {
        "priya": approved(episode, tags=[first], name="Priya", text="Was the 2014 bet right?"),
        "sam": approved(episode, tags=[first], name="Sam", text="Why did LSTMs lose?"),
        "lee": approved(episode, tags=[second], name="Lee", text="What comes after pre-training?"),
    }


def entry_order(page) -> list[int]:
    """The questions' submission ids in the order the page shows them."""
    rows = page.locator("[data-entry-list] > .entry .row-id")
    return [int(text.lstrip("#")) for text in rows.all_inner_texts()]


def saved_order(episode) -> list[int]:
    return list(
        Entry.objects.filter(segment__episode=episode)
        .order_by("segment__position", "position")
        .values_list("submission", flat=True)
    )


def entry(page, submission):
    """The question's row on the sheet (not Sortable's floating copy while dragging)."""
    rows = page.locator("[data-entry-list] > .entry")
    return rows.filter(has=page.locator(f"a.row-id:text-is('#{submission.pk}')"))


def drag(page, handle, target):
    """Press on a SortableJS handle and move, in small steps, onto the middle of `target`;
    the caller releases the mouse (page.mouse.up()), so it can look at the page mid-drag."""
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 8, steps=4)
    goal = target.bounding_box()
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=25)
    page.wait_for_timeout(250)  # Sortable's swap animation


def test_host_builds_and_reorders_the_run_sheet(desktop, host, episode, questions):
    priya, sam, lee = questions["priya"], questions["sam"], questions["lee"]
    page = desktop.new_page()
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/")
    page.get_by_role("link", name="Run-sheet", exact=True).click()
    expect(page.get_by_role("heading", name="Run-sheet", exact=True)).to_be_visible()

    page.get_by_role("button", name="Start the run-sheet").click()
    expect(page.locator(".messages")).to_contain_text("Started the run-sheet with 2 segments")
    segments = page.locator("[data-segment-list] > .segment")
    expect(segments).to_have_count(2)
    expect(segments.nth(0).locator("h2")).to_contain_text("What Ilya Saw in 2014")

    # One topic's questions all at once, the other by hand from the pool.
    page.get_by_role("button", name="Add all 2 approved for this topic").click()
    expect(page.locator(".messages")).to_contain_text("Added 2 approved questions")
    pool = page.locator("#pool")
    expect(pool).to_contain_text("What comes after pre-training?")
    expect(pool.get_by_label(f"Segment for #{lee.pk} from Lee")).to_have_value(
        str(Segment.objects.get(episode=episode, topic__title="What Ilya Sees in 2024").pk)
    )
    pool.get_by_role("button", name=f"Add #{lee.pk} from Lee to the chosen segment").click()
    expect(page.locator(".messages")).to_contain_text(f"Added #{lee.pk} from Lee")
    expect(page.locator(".entry")).to_have_count(3)
    assert saved_order(episode) == [priya.pk, sam.pk, lee.pk]
    # Typed questions: a couple of seconds to read, plus two minutes of answer each.
    expect(entry(page, lee).locator("[data-role=entry-starts]")).to_have_text("4:04")
    expect(page.locator("[data-role=planned]")).to_have_text("6:06")

    # Drag Lee's question by its handle to the top of the first segment.
    expect(entry(page, lee).locator(".entry-handle")).to_be_visible()  # JS is on
    page.evaluate("window.notReloaded = true")
    version = RunSheet.objects.get(episode=episode).version
    drag(page, entry(page, lee).locator(".entry-handle"), entry(page, priya))
    # Mid-drag, before anything is saved, the clock already follows.
    expect(entry(page, lee).locator("[data-role=entry-starts]")).to_have_text("0:00")
    expect(entry(page, priya).locator("[data-role=entry-starts]")).to_have_text("2:02")
    expect(segments.nth(1).locator("[data-role=segment-total]")).to_have_text("0:00")
    assert saved_order(episode) == [priya.pk, sam.pk, lee.pk]
    page.mouse.up()
    expect(page.locator("[data-role=status]")).to_have_text("Saved.")
    assert page.evaluate("window.notReloaded") is True
    assert saved_order(episode) == [lee.pk, priya.pk, sam.pk]
    assert RunSheet.objects.get(episode=episode).version == version + 1
    expect(segments.nth(0).locator("[data-role=segment-total]")).to_have_text("6:06")
    expect(segments.nth(1).locator(".entries")).to_have_class(re.compile(r"\bis-empty\b"))
    page.locator("[data-role=status]").evaluate("el => { el.textContent = '' }")  # next is news

    # Segments move by their handle too: the empty one to the top.
    page.evaluate("window.scrollTo(0, 0)")
    drag(page, segments.nth(1).locator(".segment-handle"), segments.nth(0).locator(".segment-head"))
    expect(segments.nth(0).locator("h2")).to_have_text("1 What Ilya Sees in 2024")
    expect(segments.nth(1).locator("h2")).to_have_text("2 What Ilya Saw in 2014")
    page.mouse.up()
    expect(page.locator("[data-role=status]")).to_have_text("Saved.")
    assert list(
        Segment.objects.filter(episode=episode).order_by("position").values_list("title", flat=True)
    ) == ["What Ilya Sees in 2024", "What Ilya Saw in 2014"]

    # By keyboard: focus Lee's "move down" button and press Enter (a plain form post).
    down = page.get_by_role("button", name=f"Move #{lee.pk} from Lee down")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(f"Moved #{lee.pk} from Lee down.")
    assert saved_order(episode) == [priya.pk, lee.pk, sam.pk]
    # Focus comes back to the same button after the reload, ready for the next press.
    expect(page.get_by_role("button", name=f"Move #{lee.pk} from Lee down")).to_be_focused()
    expect(entry(page, lee).locator("[data-role=entry-starts]")).to_have_text("2:02")

    # A fresh load shows the saved order.
    page.reload()
    expect(page.locator(".entry")).to_have_count(3)
    assert entry_order(page) == [priya.pk, lee.pk, sam.pk]
    expect(entry(page, sam).locator("[data-role=entry-starts]")).to_have_text("4:04")

    # The Markdown export downloads.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Markdown").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.index("Was the 2014 bet right?") < text.index("What comes after pre-training?")
    assert text.index("What comes after pre-training?") < text.index("Why did LSTMs lose?")


def test_a_stale_page_is_told_to_reload_and_its_drag_is_undone(desktop, host, episode, questions):
    services.runsheet_start(episode=episode)
    first = Segment.objects.get(episode=episode, topic__title="What Ilya Saw in 2014")
    services.entries_add_all(segment=first)
    page = desktop.new_page()
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/runsheet/")
    priya, sam = questions["priya"], questions["sam"]
    expect(page.locator(".entry")).to_have_count(2)

    # Another host changes the sheet meanwhile.
    services.segment_create(episode=episode, title="Intro")
    drag(page, entry(page, sam).locator(".entry-handle"), entry(page, priya))
    page.mouse.up()

    status = page.locator("[data-role=status]")
    expect(status).to_contain_text("Someone changed the run-sheet since you loaded it")
    expect(status.get_by_role("link", name="Reload the page")).to_be_visible()
    assert entry_order(page) == [priya.pk, sam.pk]
    expect(entry(page, priya).locator("[data-role=entry-starts]")).to_have_text("0:00")
    assert saved_order(episode) == [priya.pk, sam.pk]


CLOCK_CASES = [
    ([], 3600),
    ([(0, [])], 0),
    ([(90, [122, 135]), (0, []), (30, [60, 61, 3725])], 3600),
    ([(150, [432, 360]), (60, [52])], 600),  # over the target: negative latest starts
    ([(0, [59, 1]), (3600, [1])], 3601),
]


def test_the_pages_clock_does_the_same_sums_as_the_server(desktop, host, episode, questions):
    from episodes.formatting import clock
    from runsheet.timing import sheet_clock

    services.runsheet_start(episode=episode)
    page = desktop.new_page()
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/runsheet/")
    page.wait_for_function("() => window.mailbagRunsheetClock !== undefined")

    for segments, target in CLOCK_CASES:
        expected = sheet_clock(segments, target_seconds=target)
        got = page.evaluate(
            "([segments, target]) => window.mailbagRunsheetClock.sheetClock("
            "segments.map(([extra, durations]) => ({extra, durations})), target)",
            [segments, target],
        )
        assert (got["planned"], got["target"], got["over"]) == (
            expected.planned,
            expected.target,
            expected.over,
        )
        assert [
            (s["startsAt"], s["total"], s["latestStart"], tuple(s["entryStarts"]))
            for s in got["segments"]
        ] == [(s.starts_at, s.total, s.latest_start, s.entry_starts) for s in expected.segments]
    for seconds in (0, 5, 59, 60, 222, 3599, 3600, 3723, 36000, -90, -3723):
        assert page.evaluate("s => window.mailbagRunsheetClock.clock(s)", seconds) == clock(seconds)


def test_the_run_sheet_works_without_javascript(
    chromium, live_server, browser_settings, host, episode, questions
):
    context = chromium.new_context(
        viewport={"width": 1024, "height": 1100},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    priya, sam, lee = questions["priya"], questions["sam"], questions["lee"]
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/runsheet/")
        page.get_by_role("button", name="Start the run-sheet").click()
        page.get_by_role("button", name="Add all 2 approved for this topic").click()
        expect(page.locator(".messages")).to_contain_text("Added 2 approved questions")
        expect(page.locator(".entry-handle").first).to_be_hidden()  # no dragging without JS
        page.get_by_role("button", name=f"Add #{lee.pk} from Lee to the chosen segment").click()
        page.get_by_role("button", name=f"Move #{priya.pk} from Priya down").click()
        expect(page.locator(".messages")).to_contain_text(f"Moved #{priya.pk} from Priya down.")

        page.get_by_label(f"Segment for #{sam.pk} from Sam").select_option(
            label="What Ilya Sees in 2024"
        )
        page.get_by_role("button", name=f"Move #{sam.pk} from Sam to the chosen segment").click()
        expect(page.locator(".messages")).to_contain_text(
            f"Moved #{sam.pk} from Sam to “What Ilya Sees in 2024”."
        )

        page.get_by_role("link", name=f"Edit #{lee.pk} from Lee").click()
        page.get_by_label("Answer time").fill("4:30")
        page.get_by_label("Notes").fill("Bring up the NeurIPS talk.")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text(f"Saved #{lee.pk} from Lee.")
        expect(entry(page, lee)).to_contain_text("Bring up the NeurIPS talk.")

        page.get_by_label("Title").fill("Intro")
        page.get_by_label("Extra time").fill("1m30s")
        page.get_by_role("button", name="Add segment").click()
        expect(page.locator(".messages")).to_contain_text("Added the segment “Intro” at the end.")
        page.get_by_role("link", name="Delete segment “Intro”").click()
        expect(page.get_by_role("heading", name="Delete the segment “Intro”?")).to_be_visible()
        page.get_by_role("button", name="Delete segment").click()
        expect(page.locator(".messages")).to_contain_text("Deleted the segment “Intro”.")
    finally:
        context.close()

    assert saved_order(episode) == [priya.pk, lee.pk, sam.pk]
    lee_entry = Entry.objects.get(submission=lee)
    assert (lee_entry.answer_seconds, lee_entry.notes) == (270, "Bring up the NeurIPS talk.")
    assert not Segment.objects.filter(episode=episode, title="Intro").exists()


# --- The README's screenshot ----------------------------------------------------------------


def test_run_sheet_screenshot_of_the_demo_episode(
    chromium, live_server, browser_settings, host, tmp_path
):
    episode = demo_runsheet(host)
    context = chromium.new_context(
        viewport={"width": 1366, "height": 1000}, device_scale_factor=1, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, host)
        page.goto(f"/host/{episode.slug}/runsheet/")
        expect(page.locator(".segment")).to_have_count(6)
        expect(page.locator(".entry")).to_have_count(8)
        expect(page.locator(".passage blockquote").first).to_be_visible()
        expect(page.locator(".entry-handle").first).to_be_visible()
        # Nothing sticks out sideways at a laptop's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        update = os.environ.get("MAILBAG_UPDATE_SCREENSHOTS") == "1"
        folder = SCREENSHOTS if update else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "runsheet.png"))
        # On paper: no navigation, buttons or pool; the passages stay.
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator("#pool")).to_be_hidden()
        expect(page.locator(".entry-actions").first).to_be_hidden()
        expect(page.locator(".passage blockquote").first).to_be_visible()
        assert (
            page.locator(".segment").nth(1).evaluate("el => getComputedStyle(el).breakBefore")
            == "page"
        )
        page.pdf(path=str(tmp_path / "runsheet.pdf"))
    finally:
        context.close()
