"""axe-core (static/vendor/axe-core, pinned) on the listener's pages in real Chromium: the ask
page (as it opens, with a recording to review, and with errors), the thank-you, the closed
page and the embeddable widget. Any serious or critical violation fails the test."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = "/static/vendor/axe-core/axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}


def axe_problems(page) -> list[str]:
    """The serious and critical violations axe finds on the page as it is now."""
    # Loaded from our own origin, so the pages' CSP (script-src 'self') allows it.
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(url=AXE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


@pytest.fixture(params=[390, 1366], ids=["phone", "desktop"])
def wide_page(request, chromium, live_server, browser_settings):
    context = chromium.new_context(
        viewport={"width": request.param, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_axe_finds_a_planted_violation(wide_page, episode):
    """The check itself: an image without alternative text is a critical violation."""
    wide_page.goto(f"/ask/{episode.slug}/")
    wide_page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('img'), {src: '/static/favicon.svg'}))"
    )
    assert any(problem.startswith("image-alt (critical)") for problem in axe_problems(wide_page))


def test_ask_page_states(wide_page, episode):
    page = wide_page
    page.goto(f"/ask/{episode.slug}/")
    expect(page.get_by_role("button", name="Record", exact=True)).to_be_visible()
    assert axe_problems(page) == []

    # A recording to review: the preview player and its buttons.
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_timeout(1_500)
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_label("Your recording")).to_be_visible()
    assert axe_problems(page) == []

    # Errors from the server: the page sent without JavaScript's checks, nothing typed.
    page.goto(f"/ask/{episode.slug}/")
    page.evaluate("() => document.getElementById('ask-form').submit()")
    page.wait_for_load_state("load")
    expect(page.locator("[aria-invalid=true]").first).to_be_attached()
    assert axe_problems(page) == []


def test_thanks_page(wide_page, episode):
    page = wide_page
    page.goto(f"/ask/{episode.slug}/")
    page.get_by_label("Your question or message").fill("Is this accessible?")
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/thanks/")
    assert axe_problems(page) == []


def test_closed_page(wide_page):
    episode = EpisodeFactory(submissions_close_at=timezone.now() - dt.timedelta(hours=1))
    wide_page.goto(f"/ask/{episode.slug}/")
    expect(wide_page.get_by_text("Questions for this episode are closed")).to_be_visible()
    assert axe_problems(wide_page) == []


def test_embed_pages(wide_page):
    episode = EpisodeFactory(embed_origins="https://www.example-show.com")
    page = wide_page
    page.goto(f"/ask/{episode.slug}/embed/")
    expect(page.locator("#ask-form")).to_be_visible()
    assert axe_problems(page) == []
    page.get_by_label("Your question or message").fill("Is the widget accessible?")
    page.get_by_role("button", name="Send to the hosts").click()
    page.wait_for_url("**/embed/thanks/")
    assert axe_problems(page) == []
