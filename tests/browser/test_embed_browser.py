"""The embeddable widget in real Chromium: the dashboard's snippet pasted into a page served
from another origin (a second local HTTP server: another port on 127.0.0.1, while the live
server is on localhost, so another site too), recording with the fake microphone inside the
frame and sending; a site not on the episode's list cannot frame it; other pages send DENY."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dashboard.views.episodes import embed_snippet
from intake.models import Submission
from tests.browser.test_csp_browser import Watch
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def show_site(html: str):
    """The show's own site: one page, `html`, at http://127.0.0.1:<free port>/."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = f"<!doctype html><title>Show site</title><h1>Our show</h1>{html}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class SnippetRequest:
    """What embed_snippet needs of a request when SITE_URL is empty: the live server's origin."""

    def __init__(self, base: str):
        self.base = base

    def build_absolute_uri(self, path: str) -> str:
        return f"{self.base}{path}"


def test_widget_on_another_origin_records_and_sends(chromium, live_server, browser_settings):
    episode = EpisodeFactory()
    snippet = embed_snippet(SnippetRequest(live_server.url), episode)
    with show_site(snippet) as origin:
        episode.embed_origins = f"https://elsewhere.example\n{origin}"
        episode.save()
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        page = context.new_page()
        watch = Watch(page)  # CSP or Permissions-Policy complaints, in the frame too
        try:
            page.goto(f"{origin}/")
            frame = page.frame_locator("iframe[data-mailbag]")
            record = frame.get_by_role("button", name="Record", exact=True)
            expect(record).to_be_visible()

            # The auto-resize script sized the frame to its page (it starts at 900 px).
            iframe = page.locator("iframe[data-mailbag]")
            page.wait_for_function(
                "() => document.querySelector('iframe[data-mailbag]').style.height !== ''"
            )
            inner = frame.locator("html").evaluate("html => html.getBoundingClientRect().height")
            assert inner != 900  # the frame's own content height, not the frame's
            assert iframe.evaluate("f => f.getBoundingClientRect().height") == pytest.approx(
                inner, abs=2
            )

            # The microphone works inside the frame (allow="microphone" + microphone=(self)).
            record.click()
            expect(frame.locator("[data-status]")).to_contain_text("Recording.")
            page.wait_for_timeout(2_500)
            frame.get_by_role("button", name="Stop", exact=True).click()
            expect(frame.get_by_label("Your recording")).to_be_visible()

            frame.locator("input[name=consent]").check()
            frame.get_by_label("Your name").fill("Framed Listener")
            frame.get_by_role("button", name="Send to the hosts").click()
            expect(frame.get_by_role("heading", level=1)).to_have_text(
                "Thank you! It reached the hosts."
            )
            # The receipt cookie reached the framed thank-you: it knows the recording's state.
            expect(frame.locator("[data-transcription]")).to_be_visible()
            # The host page stayed where it was; the thank-you came inside the frame.
            assert page.url == f"{origin}/"
            thanks = [f for f in page.frames if f.url.endswith("/embed/thanks/")]
            assert thanks, [f.url for f in page.frames]

            submission = Submission.objects.get()
            assert submission.name == "Framed Listener"
            assert submission.audio
            assert submission.audio_seconds >= 1.5
            assert watch.violations == []
            framed = [url for url in watch.documents if url.startswith(live_server.url)]
            assert len(framed) == 2, watch.documents  # the embed page and its thank-you
            for url in framed:
                assert (
                    "frame-ancestors https://elsewhere.example " + origin
                    in (watch.documents[url]["content-security-policy"])
                ), url
        finally:
            context.close()


def test_a_site_not_on_the_list_cannot_frame_it(chromium, live_server, browser_settings):
    episode = EpisodeFactory(embed_origins="https://www.example-show.com")
    snippet = embed_snippet(SnippetRequest(live_server.url), episode)
    ask = f"{live_server.url}{reverse('intake:ask', kwargs={'slug': episode.slug})}"
    # The widget from an unlisted site, and the ordinary ask page framed by anyone.
    with show_site(f'{snippet}<iframe id="plain" src="{ask}"></iframe>') as origin:
        context = chromium.new_context()
        page = context.new_page()
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        headers: dict[str, dict] = {}
        page.on("response", lambda response: headers.update({response.url: response.headers}))
        try:
            page.goto(f"{origin}/")
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)
            frames = [f for f in page.frames if f != page.main_frame]
            assert len(frames) == 2
            for frame in frames:
                # The frame holds Chromium's error page, not the form.
                assert frame.locator("#ask-form").count() == 0, frame.url
            # Chromium refused each frame by its CSP (it outranks X-Frame-Options, which
            # older browsers still read: the ask page sends DENY, the embed none).
            refused = " ".join(refusals)
            assert "frame-ancestors 'none'" in refused, refusals
            assert "frame-ancestors https://www.example-show.com" in refused, refusals
            assert headers[ask].get("x-frame-options") == "DENY"
            embed = f"{live_server.url}/ask/{episode.slug}/embed/"
            assert "x-frame-options" not in headers[embed]
        finally:
            context.close()
