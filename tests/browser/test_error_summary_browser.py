"""The ask page's error summary in real Chromium at phone width (390 px): it takes focus after a
refused send, whether the browser's checks or the server refused it, and each link focuses its
field; without JavaScript it is the first thing on the page and its links still lead there."""

import pytest
from playwright.sync_api import expect

from intake.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

NEEDS_TEXT = "Please type your question or message, or record one."


def summary_has_focus(page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"


def test_the_browser_check_fills_the_summary_and_focuses_it(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_hidden()
    page.get_by_label("Your email").fill("not-an-email")
    page.get_by_role("button", name="Send to the hosts").click()

    expect(summary).to_be_visible()
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    links = summary.get_by_role("link")
    expect(links).to_have_text([NEEDS_TEXT, "Enter a valid email address."])
    # On a phone the summary is on screen, though the fields are far below.
    assert summary.bounding_box()["y"] < 844

    links.first.click()
    expect(page.get_by_label("Your question or message")).to_be_focused()
    links.nth(1).click()
    expect(page.get_by_label("Your email")).to_be_focused()

    # Fixed and sent: no summary stops it.
    page.get_by_label("Your question or message").fill("What changed in 2024?")
    page.get_by_label("Your email").fill("sam@example.com")
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    assert Submission.objects.get().text == "What changed in 2024?"


def test_a_server_refusal_is_focused_on_load(page, episode):
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_label("Your question or message").fill("Hello")
    # Only the server checks a name's control characters.
    page.get_by_label("Your name").evaluate("input => { input.value = 'Eve\\u0007' }")
    page.get_by_role("button", name="Send to the hosts").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_label("Your name")).to_be_focused()
    assert Submission.objects.count() == 0


def test_without_javascript_the_summary_comes_first_and_its_links_work(
    chromium, live_server, browser_settings, episode
):
    context = chromium.new_context(
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto(f"/ask/{episode.slug}/")
        page.get_by_role("button", name="Send to the hosts").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        assert summary.bounding_box()["y"] < 844  # on the first screen
        link = summary.get_by_role("link", name=NEEDS_TEXT)
        link.click()
        expect(page).to_have_url(f"{live_server.url}/ask/{episode.slug}/#id_text")
        textarea = page.get_by_label("Your question or message")
        expect(textarea).to_be_in_viewport()
    finally:
        context.close()


def test_thanks_reads_back_and_gives_the_recording_time_in_the_listeners_zone(
    chromium, live_server, browser_settings, episode
):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        timezone_id="America/New_York",
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto(f"/ask/{episode.slug}/")
        page.get_by_label("Your question or message").fill("Will you cover <agents>?")
        page.get_by_label("Your name").fill("Ana")
        page.get_by_role("button", name="Send to the hosts").click()
        page.wait_for_url("**/thanks/")
        receipt = page.get_by_role("region", name="What you sent")
        expect(receipt.locator("blockquote")).to_have_text("Will you cover <agents>?")
        expect(receipt).to_contain_text("Ana")
        local = page.locator(".next-steps time[data-local-time]")
        expect(local).to_be_visible()
        expect(local).to_contain_text("your time")
    finally:
        context.close()
