"""Real headless Chromium (Debian's `chromium` package) driven by Playwright, against
pytest-django's live server. The fake microphone plays tests/fixtures/audio/jfk.wav.

Without Chromium these tests skip on a developer's machine, but fail when the environment
variable CI is set: a CI run that silently skipped the browser would prove nothing.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import AUDIO
from tests.factories import PASSWORD

# Shared CI machines can be slow; a page that takes 10 s to react is still a pass.
expect.set_options(timeout=10_000)

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
FAKE_MICROPHONE = AUDIO / "jfk.wav"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAKE_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    f"--use-file-for-fake-audio-capture={FAKE_MICROPHONE}",
    # Lets a test start the preview player from script, as a listener's tap would.
    "--autoplay-policy=no-user-gesture-required",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    problem = None
    if not CHROMIUM.is_file():
        problem = f"Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium)"
    elif not FAKE_MICROPHONE.is_file():
        problem = f"The fake microphone's audio is missing: {FAKE_MICROPHONE}"
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must run the browser tests", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="module")
def chromium():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API parks an asyncio loop on this thread, and Django then refuses ORM
    # calls here (and the test database set-up) as if they came from async code. Nothing runs
    # on that loop while Django works, so lift the guard, only while this browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=LAUNCH_ARGS + FAKE_MEDIA_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_settings(settings, private_media):
    """Private media in this test's folder and no rate limit between test submissions."""
    return settings


@pytest.fixture
def page(chromium, live_server, browser_settings):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, host) -> None:
    page.goto("/host/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/host/"))
    page.get_by_label("Username").fill(host.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/host/$"))
