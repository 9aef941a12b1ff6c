"""The global request-body cap (config/body_limit.py): refused before a byte is read."""

import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from intake.models import Submission


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it anyone read."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def post_claiming(client, path: str, length: int, body: CountingInput):
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/healthz", "/host/"])
def test_a_huge_body_is_refused_unread_everywhere(client, path):
    # The attack from issue 12: 186 MB to the login page, 180 MB to /healthz.
    body = CountingInput(b"username=x&password=y")
    response = post_claiming(client, path, 186_000_000, body)
    assert response.status_code == 413
    assert body.bytes_read == 0
    html = response.content.decode()
    assert "That was too much to send" in html
    assert "at most 4 MB" in html


@pytest.mark.django_db
def test_the_cap_is_a_setting_and_a_body_at_the_cap_passes(client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 2_000
    data = urlencode({"username": "nobody", "password": "p" * 1900}).encode()
    assert len(data) <= 2_000
    allowed = post_claiming(client, "/accounts/login/", len(data), CountingInput(data))
    assert allowed.status_code == 200  # the login form, read and answered
    assert "Please enter a correct username and password" in allowed.content.decode()
    over = CountingInput(data + b"x" * 200)
    refused = post_claiming(client, "/accounts/login/", len(data) + 200, over)
    assert refused.status_code == 413
    assert "at most 0.002 MB" in refused.content.decode()


@pytest.mark.django_db
def test_the_ask_page_takes_its_audio_but_not_any_size(client, episode, settings):
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 1_000_000
    settings.REQUEST_MAX_BODY_BYTES = 1_000_000
    ask = reverse("intake:ask", kwargs={"slug": episode.slug})
    # Up to twice the file cap plus the ordinary cap is left to the form (intake/upload_limits.py
    # answers a file over its cap with a message beside the field, keeping the typed text).
    within = CountingInput(b"")
    response = client.generic(
        "POST",
        ask,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(3_000_000),
        **{"wsgi.input": within},
    )
    assert "That was too much to send" not in response.content.decode()
    beyond = CountingInput(b"")
    response = client.generic(
        "POST",
        ask,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(3_000_001),
        **{"wsgi.input": beyond},
    )
    assert response.status_code == 413
    assert beyond.bytes_read == 0
    assert "at most 3 MB" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_get_with_a_body_gets_the_ordinary_cap_even_on_the_ask_page(client, episode):
    ask = reverse("intake:ask", kwargs={"slug": episode.slug})
    body = CountingInput(b"")
    response = client.generic("GET", ask, CONTENT_LENGTH="5000000", **{"wsgi.input": body})
    assert response.status_code == 413
    assert body.bytes_read == 0


def chunked(client, data: bytes, *, terminated: bool = True):
    extra = {"wsgi.input": CountingInput(data), "HTTP_TRANSFER_ENCODING": "chunked"}
    if terminated:
        extra["wsgi.input_terminated"] = True
    response = client.generic(
        "POST", "/accounts/login/", CONTENT_TYPE="application/x-www-form-urlencoded", **extra
    )
    return response, extra["wsgi.input"]


@pytest.mark.django_db
def test_a_streamed_body_is_read_up_to_the_cap_then_refused(client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 10_000
    # Client.generic() sets a length; a streamed body has none.
    response, body = chunked(client, b"a=" + b"x" * 50_000, terminated=True)
    assert response.status_code == 413
    assert body.bytes_read == 10_001  # one byte over, never the rest


@pytest.mark.django_db
def test_a_streamed_body_within_the_cap_arrives_whole(client):
    data = urlencode({"username": "nobody", "password": "wrong"}).encode()
    response, _ = chunked(client, data, terminated=True)
    assert response.status_code == 200
    # The form saw both fields: it complains about the pair, not about a missing field.
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_a_streamed_body_the_server_does_not_terminate_is_refused_unread(client):
    response, body = chunked(client, b"username=x&password=y", terminated=False)
    assert response.status_code == 411
    assert body.bytes_read == 0
    assert "without its length" in response.content.decode()
