"""Content-Security-Policy and Permissions-Policy on every page (issue 12, finding 9).
The browser-side proof that no page breaks the policy is tests/browser/test_csp_browser.py."""

import pytest
from django.urls import reverse


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def permissions(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


@pytest.fixture
def pages(episode):
    return {
        "home": reverse("intake:home"),
        "thanks": reverse("intake:thanks", kwargs={"slug": episode.slug}),
        "login": reverse("login"),
        "host": reverse("dashboard:episode_list"),
        "missing": "/no-such-page/",
    }


def test_every_page_forbids_inline_script_and_foreign_sources(host_client, pages, episode):
    for name, url in {**pages, "ask": reverse("intake:ask", args=[episode.slug])}.items():
        response = host_client.get(url)
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], name
        # Nothing loosens scripts or styles: no inline code, no eval, no other origin.
        assert "script-src" not in policy, name
        assert "style-src" not in policy, name
        assert policy["object-src"] == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name


def test_only_the_ask_page_plays_blobs_and_uses_the_microphone(client, pages, episode):
    ask = client.get(reverse("intake:ask", kwargs={"slug": episode.slug}))
    assert ask.status_code == 200
    assert directives(ask)["media-src"] == ["'self'", "blob:"]
    assert permissions(ask)["microphone"] == "(self)"
    assert permissions(ask)["camera"] == "()"

    # A refused submission shows the ask page again: the recorder must still work there.
    refused = client.post(reverse("intake:ask", kwargs={"slug": episode.slug}), {"text": ""})
    assert refused.status_code == 200
    assert permissions(refused)["microphone"] == "(self)"

    for name, url in pages.items():
        response = client.get(url)
        assert directives(response)["media-src"] == ["'self'"], name
        policy = permissions(response)
        for feature in ("microphone", "camera", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", (name, feature)


def test_the_embed_page_differs_from_the_ask_page_only_in_who_may_frame_it(client, episode):
    episode.embed_origins = "https://www.example-show.com"
    episode.save()
    ask = client.get(reverse("intake:ask", kwargs={"slug": episode.slug}))
    embed = client.get(reverse("intake:embed_ask", kwargs={"slug": episode.slug}))
    ask_policy, embed_policy = directives(ask), directives(embed)
    assert embed_policy.pop("frame-ancestors") == ["https://www.example-show.com"]
    assert ask_policy.pop("frame-ancestors") == ["'none'"]
    assert embed_policy == ask_policy
    assert permissions(embed) == permissions(ask)
    assert ask["X-Frame-Options"] == "DENY"
    assert "X-Frame-Options" not in embed
