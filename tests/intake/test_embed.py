"""The embeddable widget (/ask/<slug>/embed/): framing only from the episode's listed origins,
the same form without the site chrome, a POST without the CSRF cookie, thanks in the frame."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.forms.episodes import EpisodeForm
from episodes import services
from episodes.embed import embed_origins_parse
from intake.models import Submission
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

ORIGINS = "https://www.example-show.com\nhttp://localhost:8123/\n\nHTTPS://Blog.Example-Show.com"


def embed_url(episode) -> str:
    return reverse("intake:embed_ask", kwargs={"slug": episode.slug})


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
    return directive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (
            ORIGINS,
            [
                "https://www.example-show.com",
                "http://localhost:8123",
                "https://blog.example-show.com",
            ],
        ),
        ("https://a.example\nhttps://a.example/", ["https://a.example"]),
        ("http://127.0.0.1:9000", ["http://127.0.0.1:9000"]),
    ],
)
def test_origins_parse(text, expected):
    assert embed_origins_parse(text=text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "www.example-show.com",  # no scheme
        "https://example.com/ask",  # a path
        "https://*.example.com",  # a wildcard
        "https://example.com; script-src *",  # a header injection
        "ftp://example.com",
        "https://example.com:99999",
        "'self'",
    ],
)
def test_origins_parse_refuses_what_is_not_an_origin(bad):
    with pytest.raises(ValidationError) as caught:
        embed_origins_parse(text=f"https://ok.example\n{bad}")
    assert bad.strip() in str(caught.value)
    assert "ok.example" not in str(caught.value)


def test_embed_is_framable_only_from_listed_origins():
    episode = EpisodeFactory(embed_origins=ORIGINS)
    response = Client().get(embed_url(episode))
    assert response.status_code == 200
    assert frame_ancestors(response) == (
        "frame-ancestors https://www.example-show.com http://localhost:8123 "
        "https://blog.example-show.com"
    )
    assert "X-Frame-Options" not in response
    # The recorder needs the microphone in the frame, and its preview a blob: URL.
    assert "microphone=(self)" in response["Permissions-Policy"]
    assert "blob:" in response["Content-Security-Policy"]


def test_embed_without_origins_may_not_be_framed_anywhere():
    episode = EpisodeFactory(embed_origins="")
    response = Client().get(embed_url(episode))
    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_every_other_listener_page_keeps_deny():
    episode = EpisodeFactory(embed_origins=ORIGINS)
    client = Client()
    for url in (
        reverse("intake:home"),
        reverse("intake:ask", kwargs={"slug": episode.slug}),
        reverse("intake:thanks", kwargs={"slug": episode.slug}),
    ):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert frame_ancestors(response) == "frame-ancestors 'none'", url


def test_embed_page_is_the_form_without_site_chrome():
    episode = EpisodeFactory(embed_origins=ORIGINS)
    html = Client().get(embed_url(episode)).content.decode()
    assert 'id="ask-form"' in html
    assert 'class="site-header"' not in html
    assert "intake/embed-frame.js" in html
    ask = Client().get(reverse("intake:ask", kwargs={"slug": episode.slug})).content.decode()
    assert 'class="site-header"' in ask and "embed-frame.js" not in ask


def test_embed_post_needs_no_csrf_cookie_and_thanks_stay_in_the_frame():
    episode = EpisodeFactory(embed_origins=ORIGINS)
    client = Client(enforce_csrf_checks=True)  # as in a third-party frame: no CSRF cookie sent
    response = client.post(
        embed_url(episode), {"kind": "question", "text": "Framed question?", "name": "Ada"}
    )
    assert response.status_code == 302
    thanks = reverse("intake:embed_thanks", kwargs={"slug": episode.slug})
    assert response["Location"] == thanks
    assert Submission.objects.get().text == "Framed question?"
    # The receipt must survive a third-party frame: SameSite=None (which requires Secure).
    receipt = response.cookies["mailbag_receipt"]
    assert receipt["samesite"] == "None"
    assert receipt["secure"] is True
    assert receipt.output().endswith("; Partitioned")
    page = client.get(thanks)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    assert "https://www.example-show.com" in frame_ancestors(page)
    html = page.content.decode()
    assert 'class="site-header"' not in html
    assert f'href="{embed_url(episode)}"' in html  # "Send another question" stays framed


def test_ask_page_post_still_checks_csrf():
    episode = EpisodeFactory(embed_origins=ORIGINS)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("intake:ask", kwargs={"slug": episode.slug}), {"kind": "question", "text": "Hi?"}
    )
    assert response.status_code == 403
    assert Submission.objects.count() == 0


def test_embed_of_closed_episode_shows_closed_page_framable():
    episode = EpisodeFactory(
        embed_origins=ORIGINS, submissions_close_at=timezone.now() - dt.timedelta(hours=1)
    )
    response = Client().get(embed_url(episode))
    assert "Questions for this episode are closed" in response.content.decode()
    assert "X-Frame-Options" not in response
    assert 'class="site-header"' not in response.content.decode()
    # The home page may not be framed: its link opens in the whole window.
    assert f'href="{reverse("intake:home")}" target="_top"' in response.content.decode()


def test_embed_unknown_episode_is_404():
    assert Client().get("/ask/nope/embed/").status_code == 404


def test_episode_update_validates_origins(episode):
    with pytest.raises(ValidationError) as caught:
        services.episode_update(episode=episode, embed_origins="example.com")
    assert "embed_origins" in caught.value.message_dict
    episode.refresh_from_db()
    assert episode.embed_origins == ""
    assert services.episode_update(episode=episode, embed_origins=ORIGINS) == ["embed_origins"]


def test_dashboard_saves_origins_and_shows_the_snippet(host_client, episode, settings):
    settings.SITE_URL = "https://mailbag.example.com"
    url = reverse("dashboard:episode_update", kwargs={"slug": episode.slug})
    page = host_client.get(url).content.decode()
    assert (
        f"&lt;iframe src=&quot;https://mailbag.example.com/ask/{episode.slug}/embed/&quot; "
        "data-mailbag allow=&quot;microphone&quot;" in page
    )
    assert "intake/embed.js" in page
    data = {k: v for k, v in EpisodeForm.initial_for(episode).items() if v is not None}
    data["recording_at"] = episode.recording_at.strftime("%Y-%m-%dT%H:%M")
    data["embed_origins"] = "not an origin"
    response = host_client.post(url, data)
    assert response.status_code == 200
    assert "Not a site address" in response.content.decode()
    data["embed_origins"] = "https://www.example-show.com"
    response = host_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    episode.refresh_from_db()
    assert episode.embed_origins == "https://www.example-show.com"
