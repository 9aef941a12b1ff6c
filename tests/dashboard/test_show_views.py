"""The show's identity: edited on /host/show, carried by the public pages and link previews."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from episodes.models import Show
from episodes.services import show_get

pytestmark = pytest.mark.django_db

SHOW_URL = reverse("dashboard:show_update")


def png(size=(64, 64)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(data, "PNG")
    data.seek(0)
    data.name = "cover.png"
    return data


def details(**changes) -> dict:
    return {
        "name": "Lore Mailbag",
        "tagline": "Listener questions, answered on air.",
        "website": "https://lore.example",
        "contact_email": "hosts@lore.example",
        **changes,
    }


def files_in(folder) -> list:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_one_show_is_created_on_demand():
    assert Show.objects.count() == 0
    assert show_get().name == "Mailbag"
    assert show_get().pk == show_get().pk
    assert Show.objects.count() == 1


def test_logged_out_is_sent_to_log_in(client):
    response = client.get(SHOW_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_any_host_edits_the_show_and_the_public_pages_carry_it(
    host_client, episode, private_media, settings
):
    settings.SITE_URL = "https://questions.lore.example"
    response = host_client.post(SHOW_URL, details(artwork=png()))
    assert response.status_code == 302
    show = show_get()
    assert (show.name, show.website) == ("Lore Mailbag", "https://lore.example")
    assert show.artwork.name.startswith("show/")

    home = host_client.get(reverse("intake:home")).content.decode()
    assert "<h1>Lore Mailbag: send your questions</h1>" in home
    assert "Listener questions, answered on air." in home
    assert 'class="brand"' in home and "Lore Mailbag</a>" in home
    assert '<a href="https://lore.example" rel="noopener">' in home
    assert '<a href="mailto:hosts@lore.example">' in home

    ask = host_client.get(episode.get_absolute_url()).content.decode()
    assert "<title>2024 Recap · Lore Mailbag</title>" in ask
    assert '<meta property="og:title" content="2024 Recap · Lore Mailbag">' in ask
    assert re.search(r'<meta property="og:description" content="[^"]*Lore Mailbag[^"]*">', ask)
    image = re.search(r'<meta property="og:image" content="([^"]+)">', ask).group(1)
    assert image.startswith("https://questions.lore.example/show/artwork?v=")

    # Anyone (logged out too) may fetch the artwork, and gets the picture itself.
    host_client.logout()
    served = host_client.get(image.removeprefix("https://questions.lore.example"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (64, 64)


def test_new_artwork_replaces_the_old_file_and_can_be_removed(host_client, private_media):
    host_client.post(SHOW_URL, details(artwork=png()))
    first = show_get().artwork.name
    host_client.post(SHOW_URL, details(artwork=png((32, 32))))
    assert files_in(private_media / "show") == [show_get().artwork.name.split("/")[-1]]
    assert show_get().artwork.name != first
    host_client.post(SHOW_URL, details(remove_artwork="on"))
    assert not show_get().artwork
    assert files_in(private_media / "show") == []
    assert host_client.get(reverse("intake:show_artwork")).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(host_client, private_media):
    fake = io.BytesIO(b"#!/bin/sh\necho not a picture\n")
    fake.name = "cover.png"
    response = host_client.post(SHOW_URL, details(artwork=fake, name="Changed"))
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert show_get().name == "Mailbag"  # nothing saved
    assert files_in(private_media) == []


def test_without_a_show_the_pages_read_mailbag(client, episode):
    ask = client.get(episode.get_absolute_url()).content.decode()
    assert "<title>2024 Recap · Mailbag</title>" in ask
    assert "og:image" not in ask  # no artwork, no broken preview image


def test_the_admin_edits_the_one_show_and_adds_no_second(admin_client):
    show_get()
    changelist = admin_client.get(reverse("admin:episodes_show_changelist"))
    assert changelist.status_code == 200
    assert "Mailbag" in changelist.content.decode()
    assert admin_client.get(reverse("admin:episodes_show_add")).status_code == 403
