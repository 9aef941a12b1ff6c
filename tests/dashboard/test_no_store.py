"""Host pages show listeners' names, emails and voices: no browser or proxy may keep them
(issue 12, finding 9). Every /host/ route of the access matrix, as its host sees it."""

import pytest
from django.urls import reverse

from tests.dashboard.test_access import HOST_VIEWS, view_id, world  # noqa: F401 (fixture)


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("view", HOST_VIEWS, ids=view_id)
def test_every_host_response_is_no_store_and_private(host_client, world, view):  # noqa: F811
    response = view.request(host_client, world)

    assert response.status_code < 500
    assert {"no-store", "private"} <= cache_control(response), view.name


def test_audio_with_a_range_is_no_store_too(host_client, world):  # noqa: F811
    url = reverse(
        "dashboard:submission_audio",
        kwargs={"slug": world.episode.slug, "pk": world.submission.pk},
    )
    response = host_client.get(url, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert {"no-store", "private"} <= cache_control(response)


def test_a_missing_host_page_is_no_store(host_client, episode):
    response = host_client.get(f"/host/{episode.slug}/no-such-page")

    assert response.status_code == 404
    assert "no-store" in cache_control(response)


def test_listener_pages_stay_cacheable(client, episode):
    # The ask page is what a newsletter links to; it must not be forced out of caches.
    for url in (reverse("intake:home"), reverse("intake:ask", kwargs={"slug": episode.slug})):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in cache_control(response), url
