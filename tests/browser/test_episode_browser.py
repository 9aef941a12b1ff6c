"""Episode pages in a real browser: the listener's own local time next to the deadline, and
the host's "Copy link" button (and the link without JavaScript)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from episodes.models import Episode
from tests.browser.conftest import log_in

CLOSES = dt.datetime(2031, 3, 4, 22, 59, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture
def closing(episode):
    Episode.objects.filter(pk=episode.pk).update(submissions_close_at=CLOSES)
    return episode


def open_ask(chromium, live_server, *, zone: str, javascript: bool = True):
    context = chromium.new_context(
        base_url=live_server.url, timezone_id=zone, locale="en-GB", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto("/ask/2024-recap/")
    return context, page


def test_a_listener_elsewhere_sees_the_deadline_in_their_own_time_too(
    chromium, live_server, browser_settings, closing
):
    context, page = open_ask(chromium, live_server, zone="America/New_York")
    try:
        deadline = page.locator(".ask-deadline")
        expect(deadline).to_contain_text("Questions close Tuesday 4 March, 22:59 UTC")
        expect(deadline.locator("time")).to_have_text("(Tuesday 4 March at 17:59 your time)")
        expect(deadline.locator("time")).to_be_visible()
    finally:
        context.close()


def test_no_second_time_in_the_sites_own_zone_or_without_javascript(
    chromium, live_server, browser_settings, closing
):
    for zone, javascript in (("UTC", True), ("Asia/Tokyo", False)):
        context, page = open_ask(chromium, live_server, zone=zone, javascript=javascript)
        try:
            expect(page.locator(".ask-deadline")).to_contain_text("22:59 UTC")
            expect(page.locator(".ask-deadline time")).to_be_hidden()
        finally:
            context.close()


def test_copy_the_question_pages_link(chromium, live_server, browser_settings, host, episode):
    context = chromium.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        log_in(page, host)
        page.get_by_role("link", name="Episode", exact=True).click()
        link = page.get_by_label("Link for your newsletter or show notes")
        expect(link).to_have_value(f"{live_server.url}/ask/2024-recap/")

        page.get_by_role("button", name="Copy link").click()

        expect(page.locator("[data-copy-status]").first).to_have_text("Copied.")
        assert (
            page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/ask/2024-recap/"
        )

        # The embeddable widget's snippet has its own copy button and status.
        page.get_by_role("button", name="Copy widget").click()
        expect(page.locator(".embed-snippet [data-copy-status]")).to_have_text("Copied.")
        snippet = page.evaluate("navigator.clipboard.readText()")
        assert f'<iframe src="{live_server.url}/ask/2024-recap/embed/"' in snippet
        assert f'<script src="{live_server.url}/static/intake/embed.js" async>' in snippet
    finally:
        context.close()


def test_the_link_is_there_to_copy_by_hand_without_javascript(
    chromium, live_server, browser_settings, host, episode
):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, host)
        page.goto("/host/2024-recap/edit")
        expect(page.get_by_label("Link for your newsletter or show notes")).to_have_value(
            f"{live_server.url}/ask/2024-recap/"
        )
        expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    finally:
        context.close()
