"""The private audio view: hosts only, right content type, single-range requests for seeking."""

import pytest
from django.urls import reverse

from dashboard.media import RangeNotSatisfiable, audio_content_type, byte_range
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory

JFK = (AUDIO / "jfk.webm").read_bytes()
SIZE = len(JFK)


@pytest.fixture
def voice(episode):
    submission = SubmissionFactory(episode=episode, text="", audio_format="matroska,webm")
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    return submission


def audio_url(submission) -> str:
    return reverse(
        "dashboard:submission_audio", kwargs={"slug": submission.episode.slug, "pk": submission.pk}
    )


def body(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def test_whole_file_without_range(host_client, voice):
    response = host_client.get(audio_url(voice))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/webm"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert body(response) == JFK


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        (f"bytes=1000-{SIZE * 10}", 1000, SIZE - 1),  # clamped to the end
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),  # a suffix longer than the file
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE - 1),  # the very last byte
    ],
)
def test_single_range_gets_206_with_exactly_those_bytes(host_client, voice, header, first, last):
    response = host_client.get(audio_url(voice), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "audio/webm"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert body(response) == JFK[first : last + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_unsatisfiable_range_gets_416(host_client, voice, header):
    response = host_client.get(audio_url(voice), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=9-3"])
def test_ranges_we_do_not_serve_fall_back_to_the_whole_file(host_client, voice, header):
    response = host_client.get(audio_url(voice), HTTP_RANGE=header)

    assert response.status_code == 200
    assert body(response) == JFK


def test_other_host_and_anonymous_get_no_audio(client, other_host_client, voice):
    url = audio_url(voice)
    assert other_host_client.get(url, HTTP_RANGE="bytes=0-99").status_code == 404
    other_host_client.logout()
    response = client.get(url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 302
    assert b"webm" not in response.content


def test_submission_without_audio_or_with_a_lost_file_is_404(host_client, episode, voice):
    typed = SubmissionFactory(episode=episode)
    assert host_client.get(audio_url(typed)).status_code == 404

    voice.audio.storage.delete(voice.audio.name)
    assert host_client.get(audio_url(voice)).status_code == 404


def test_audio_is_not_under_a_public_url(client, voice):
    """The stored file's own URL is not routed: audio only flows through the host view."""
    assert client.get(voice.audio.url).status_code == 404
    assert client.get("/media/" + voice.audio.name).status_code == 404


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("", 10, None),
        ("bytes=0-0", 10, (0, 0)),
        ("bytes = 2 - 4", 10, (2, 4)),
        ("BYTES=2-", 10, (2, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-", 10, None),
        ("bytes=5-2", 10, None),
        ("bytes=0-1, 3-4", 10, None),
        ("bytes=0-99", 10, (0, 9)),
    ],
)
def test_byte_range_parser(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=10-", 10), ("bytes=11-20", 10), ("bytes=-0", 10), ("bytes=-5", 0)]
)
def test_byte_range_parser_refuses_ranges_beyond_the_end(header, size):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, size)


@pytest.mark.parametrize(
    ("audio_format", "filename", "expected"),
    [
        ("matroska,webm", "a.webm", "audio/webm"),
        ("ogg", "a.ogg", "audio/ogg"),
        ("mp3", "a.mp3", "audio/mpeg"),
        ("wav", "a.wav", "audio/wav"),
        ("flac", "a.flac", "audio/flac"),
        ("mov,mp4,m4a,3gp,3g2,mj2", "a.m4a", "audio/mp4"),
        ("", "voice.mp3", "audio/mpeg"),
        ("", "mystery.bin", "application/octet-stream"),
    ],
)
def test_content_type_follows_the_stored_container(audio_format, filename, expected):
    assert audio_content_type(audio_format=audio_format, filename=filename) == expected
