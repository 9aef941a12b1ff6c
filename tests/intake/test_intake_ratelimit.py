"""Rate limiting accepted submissions per client, on the real Redis cache, and client IPs."""

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from intake.client_ip import client_ip, client_key
from intake.models import Submission
from intake.ratelimit import (
    Rate,
    rate_parse,
    submission_rate_release,
    submission_rate_reserve,
)

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fresh_ipv4() -> str:
    # TEST-NET-3 addresses, varied per test so a Redis used by many tests never carries counts over.
    number = uuid.uuid4().int
    return f"203.0.{number % 250}.{(number >> 8) % 250 + 1}"


def fresh_ipv6() -> str:
    number = uuid.uuid4().int
    return f"2001:db8:{number & 0xFFFF:x}:{(number >> 16) & 0xFFFF:x}::1"


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("5/10m", Rate(5, 600)),
        ("1/s", Rate(1, 1)),
        ("100/1h", Rate(100, 3600)),
        ("3/2d", Rate(3, 172800)),
        ("0", None),
    ],
)
def test_rate_parse(value, rate):
    assert rate_parse(value) == rate


@pytest.mark.parametrize("value", ["5", "5/", "five/10m", "5/10 minutes", "-1/m", "5/0m"])
def test_rate_parse_refuses_nonsense(value):
    with pytest.raises(ImproperlyConfigured):
        rate_parse(value)


def test_a_bad_setting_stops_start_up():
    env = dict(os.environ, SUBMISSION_RATE_LIMIT="5 per minute", DJANGO_DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SUBMISSION_RATE_LIMIT must look like 5/10m or 0" in result.stderr


# --- Client addresses ----------------------------------------------------------------------


def request_from(remote: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_remote_addr_without_a_proxy_header(settings):
    settings.CLIENT_IP_HEADER = ""
    request = request_from("198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"  # a client's own header is never trusted


def test_forwarded_for_is_read_from_the_right(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 1
    forged = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(forged) == "198.51.100.7"


def test_two_proxies(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 2
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.9")
    assert client_ip(request) == "198.51.100.7"


@pytest.mark.parametrize("header", ["", "not-an-ip", " , "])
def test_missing_or_malformed_header_falls_back_to_remote_addr(settings, header):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert client_ip(request_from("198.51.100.7", HTTP_X_FORWARDED_FOR=header)) == "198.51.100.7"


def test_other_header_names_and_ports(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request_from("10.0.0.2", HTTP_X_REAL_IP="198.51.100.7:5123")) == (
        "198.51.100.7"
    )
    assert client_ip(request_from("10.0.0.2", HTTP_X_REAL_IP="[2001:db8::5]:443")) == (
        "2001:db8::5"
    )


def test_ipv6_clients_are_grouped_by_64(settings):
    settings.CLIENT_IP_HEADER = ""
    one = client_key(request_from("2001:db8:1:2:aaaa::1"))
    same_network = client_key(request_from("2001:db8:1:2:bbbb::9"))
    other_network = client_key(request_from("2001:db8:1:3::1"))
    assert one == same_network == "2001:db8:1:2::/64"
    assert other_network != one
    assert client_key(request_from("::ffff:198.51.100.7")) == "198.51.100.7"


# --- The limit on the real cache -------------------------------------------------------------


def test_counts_per_client_within_a_window(settings):
    settings.SUBMISSION_RATE_LIMIT = "2/10m"
    client, other = fresh_ipv4(), fresh_ipv4()
    now = 600 * 1_666_666 + 200.0  # 200 s into a 600 s window
    for _ in range(2):
        assert submission_rate_reserve(client=client, now=now).allowed
    status = submission_rate_reserve(client=client, now=now)
    assert not status.allowed
    assert status.retry_after == 401
    assert submission_rate_reserve(client=other, now=now).allowed
    assert submission_rate_reserve(client=client, now=now + 401).allowed  # next window


def test_a_handed_back_slot_can_be_taken_again(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    client = fresh_ipv4()
    first = submission_rate_reserve(client=client)
    assert first.allowed
    assert not submission_rate_reserve(client=client).allowed
    submission_rate_release(status=first)
    assert submission_rate_reserve(client=client).allowed


def test_handing_back_after_the_window_expired_gives_no_extra_slot(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    client = fresh_ipv4()
    status = submission_rate_reserve(client=client)
    raw = cache._cache.get_client(status.key, write=True)
    raw.delete(status.key)  # the window ended meanwhile and its count expired
    submission_rate_release(status=status)
    # No key at -1 left behind without an expiry: the next window counts from zero.
    assert submission_rate_reserve(client=client).allowed
    assert not submission_rate_reserve(client=client).allowed


def test_the_count_expires_with_its_window(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    status = submission_rate_reserve(client=fresh_ipv4(), now=600 * 1_666_666 + 590.0)
    ttl = cache._cache.get_client(status.key).ttl(status.key)
    assert 1 <= ttl <= 11


def test_simultaneous_reservations_accept_exactly_the_limit(settings):
    settings.SUBMISSION_RATE_LIMIT = "5/10m"
    client = fresh_ipv4()
    start = threading.Barrier(20)

    def reserve(_):
        start.wait()
        return submission_rate_reserve(client=client).allowed

    with ThreadPoolExecutor(max_workers=20) as pool:
        allowed = list(pool.map(reserve, range(20)))
    assert allowed.count(True) == 5


def test_redis_down_fails_open(settings, monkeypatch):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"

    def broken(key):
        raise ConnectionError("Redis is gone")

    monkeypatch.setattr("intake.ratelimit._redis", broken)
    client = fresh_ipv4()
    statuses = [submission_rate_reserve(client=client) for _ in range(3)]
    assert all(status.allowed for status in statuses)
    submission_rate_release(status=statuses[0])  # no slot taken: nothing to hand back


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_posts_store_exactly_the_limit(live_server, episode, settings):
    """The attack from issue 12: 20 posts at once against 5/10m stored 10-12 before."""
    settings.SUBMISSION_RATE_LIMIT = "5/10m"
    settings.HOST_NOTIFY_EMAILS = []
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"  # one listener, whatever the socket says
    listener = fresh_ipv4()
    url = live_server.url + reverse("intake:ask", kwargs={"slug": episode.slug})
    start = threading.Barrier(20)

    def post(number: int) -> int:
        session = requests_session()
        page = session.open(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "kind": "question", "text": f"Question {number}"}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the live server's http:// address)
            url, data=body, headers={"X-Forwarded-For": listener, "Referer": url}
        )
        start.wait()
        try:
            return session.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(20)))
    assert sorted(statuses) == [200] * 5 + [429] * 15  # 200: the thank-you page, redirected
    assert Submission.objects.filter(episode=episode).count() == 5


def requests_session() -> urllib.request.OpenerDirector:
    # Its own cookie jar: the CSRF cookie of one listener's page.
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


@pytest.mark.django_db
class TestAskPageLimit:
    @pytest.fixture(autouse=True)
    def _quiet(self, settings):
        settings.HOST_NOTIFY_EMAILS = []

    def post(self, client, episode, remote, text="A question", **extra):
        return client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {"kind": "question", "text": text},
            REMOTE_ADDR=remote,
            **extra,
        )

    def test_friendly_429_after_the_limit(self, client, episode, settings):
        settings.SUBMISSION_RATE_LIMIT = "2/10m"
        remote = fresh_ipv4()
        assert self.post(client, episode, remote).status_code == 302
        assert self.post(client, episode, remote).status_code == 302
        response = self.post(client, episode, remote, text="One too many")
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 601
        html = response.content.decode()
        assert "a lot of questions in a short time" in html
        assert "Your last message was not sent" in html
        assert not Submission.objects.filter(text="One too many").exists()
        assert Submission.objects.count() == 2
        # Someone else is not affected.
        assert self.post(client, episode, fresh_ipv4()).status_code == 302

    def test_rejected_attempts_do_not_count(self, client, episode, settings):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        remote = fresh_ipv4()
        assert self.post(client, episode, remote, text="").status_code == 200  # refused
        assert self.post(client, episode, remote, text="").status_code == 200
        assert self.post(client, episode, remote).status_code == 302
        assert self.post(client, episode, remote).status_code == 429

    def test_zero_turns_it_off(self, client, episode, settings):
        settings.SUBMISSION_RATE_LIMIT = "0"
        remote = fresh_ipv4()
        for _ in range(7):
            assert self.post(client, episode, remote).status_code == 302
        assert Submission.objects.count() == 7

    def test_default_is_five_per_ten_minutes(self, client, episode, settings):
        assert settings.SUBMISSION_RATE_LIMIT == "5/10m"
        remote = fresh_ipv6()
        statuses = [self.post(client, episode, remote).status_code for _ in range(6)]
        assert statuses == [302] * 5 + [429]

    def test_behind_a_proxy_forged_entries_do_not_escape_the_limit(self, client, episode, settings):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        settings.CLIENT_IP_HEADER = "X-Forwarded-For"
        real = fresh_ipv4()
        first = self.post(client, episode, "10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {real}")
        second = self.post(client, episode, "10.0.0.2", HTTP_X_FORWARDED_FOR=f"2.2.2.2, {real}")
        assert (first.status_code, second.status_code) == (302, 429)
        # While another listener behind the same proxy is counted on their own.
        other = self.post(
            client, episode, "10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {fresh_ipv4()}"
        )
        assert other.status_code == 302
