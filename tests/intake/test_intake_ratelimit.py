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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from intake.client_ip import client_ip, client_key
from intake.models import Submission
from intake.ratelimit import (
    Rate,
    rate_limited_message,
    rate_parse,
    retry_phrase,
    submission_rate_release,
    submission_rate_reserve,
)
from tests.conftest import AUDIO
from tests.factories import EpisodeFactory

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


WINDOW_START = 600 * 1_666_666.0  # any moment will do: the window slides, it has no edges


def test_counts_per_client_in_the_last_window(settings):
    settings.SUBMISSION_RATE_LIMIT = "2/10m"
    client, other = fresh_ipv4(), fresh_ipv4()
    now = WINDOW_START + 200
    assert submission_rate_reserve(client=client, now=now).allowed
    assert submission_rate_reserve(client=client, now=now + 100).allowed
    status = submission_rate_reserve(client=client, now=now + 199)
    assert not status.allowed
    assert status.retry_after == 401  # until the first one is 10 minutes old
    assert submission_rate_reserve(client=other, now=now + 199).allowed
    assert not submission_rate_reserve(client=client, now=now + 599.5).allowed
    assert submission_rate_reserve(client=client, now=now + 600.001).allowed
    # The second one is still inside the window that just freed a slot.
    assert not submission_rate_reserve(client=client, now=now + 600.5).allowed


def test_twice_the_limit_cannot_slip_across_a_window_edge(settings):
    """Fixed windows let 5 in at 9:59 and 5 more at 10:00: 10 within 2 seconds."""
    settings.SUBMISSION_RATE_LIMIT = "5/10m"
    client = fresh_ipv4()
    edge = WINDOW_START + 600  # where a fixed 10-minute window would reset its count
    before = [submission_rate_reserve(client=client, now=edge - 1).allowed for _ in range(5)]
    after = [submission_rate_reserve(client=client, now=edge + 1).allowed for _ in range(5)]
    assert before == [True] * 5
    assert after == [False] * 5


def test_no_ten_minutes_ever_hold_more_than_the_limit(settings):
    settings.SUBMISSION_RATE_LIMIT = "3/10m"
    client = fresh_ipv4()
    accepted = [
        now
        for now in (WINDOW_START + step * 37.0 for step in range(200))  # one try every 37 s
        if submission_rate_reserve(client=client, now=now).allowed
    ]
    assert len(accepted) > 3
    for index, moment in enumerate(accepted):
        assert sum(moment <= later < moment + 600 for later in accepted[index:]) <= 3


def test_a_handed_back_slot_can_be_taken_again(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    client = fresh_ipv4()
    first = submission_rate_reserve(client=client)
    assert first.allowed
    assert not submission_rate_reserve(client=client).allowed
    submission_rate_release(status=first)
    assert submission_rate_reserve(client=client).allowed
    assert not submission_rate_reserve(client=client).allowed


def test_handing_back_after_the_count_expired_gives_no_extra_slot(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    client = fresh_ipv4()
    status = submission_rate_reserve(client=client)
    cache._cache.get_client(status.key, write=True).delete(status.key)  # expired meanwhile
    submission_rate_release(status=status)
    assert submission_rate_reserve(client=client).allowed
    assert not submission_rate_reserve(client=client).allowed


def test_the_count_expires_with_its_newest_submission(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    status = submission_rate_reserve(client=fresh_ipv4())
    ttl = cache._cache.get_client(status.key).ttl(status.key)
    assert 590 <= ttl <= 600


def test_exempt_passes_without_counting(settings):
    settings.SUBMISSION_RATE_LIMIT = "1/10m"
    client = fresh_ipv4()
    for _ in range(3):
        assert submission_rate_reserve(client=client, exempt=True).allowed
    assert submission_rate_reserve(client=client).allowed  # none of the above counted


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes"),
     (240, "4 minutes"), (600, "10 minutes"), (7200, "2 hours"), (86400, "24 hours")],
)  # fmt: skip
def test_retry_phrase(seconds, words):
    assert retry_phrase(seconds) == words


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

    def test_over_the_limit_the_form_comes_back_with_everything_typed(
        self, client, episode, settings
    ):
        settings.SUBMISSION_RATE_LIMIT = "2/10m"
        remote = fresh_ipv4()
        assert self.post(client, episode, remote).status_code == 302
        assert self.post(client, episode, remote).status_code == 302
        response = client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {
                "kind": "message",
                "text": "One too many <b>words</b>",
                "name": "Sam from Berlin",
                "email": "sam@example.com",
                "consent": "on",
            },
            REMOTE_ADDR=remote,
        )
        assert response.status_code == 429
        assert 590 <= int(response["Retry-After"]) <= 600
        html = response.content.decode()
        assert "a lot of questions in a short time" in html
        assert "Please try again in 10 minutes." in html
        assert "your recording" not in html  # none was sent
        form = response.context["form"]
        assert form.non_field_errors()
        # The ask form again, filled in as sent.
        assert 'name="csrfmiddlewaretoken"' in html
        assert "One too many &lt;b&gt;words&lt;/b&gt;</textarea>" in html
        assert 'value="Sam from Berlin"' in html
        assert 'value="sam@example.com"' in html
        assert re.search(r'value="message"[^>]*checked', html)
        assert re.search(r'name="consent"[^>]*checked', html)
        assert not Submission.objects.filter(text__startswith="One too many").exists()
        assert Submission.objects.count() == 2
        # Someone else is not affected.
        assert self.post(client, episode, fresh_ipv4()).status_code == 302

    def test_a_bad_file_over_the_limit_gets_its_own_error(
        self, client, episode, settings, private_media
    ):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        remote = fresh_ipv4()
        assert self.post(client, episode, remote).status_code == 302
        response = client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {
                "kind": "question",
                "text": "Here is my file",
                "audio": SimpleUploadedFile("q.webm", b"this is not audio at all" * 10),
            },
            REMOTE_ADDR=remote,
        )
        assert response.status_code == 200
        assert response.context["form"].errors["audio"]
        assert "a lot of questions" not in response.content.decode()
        assert "Retry-After" not in response
        assert Submission.objects.count() == 1

    @pytest.mark.parametrize(
        ("audio_name", "kept"),
        [
            (None, "Everything you typed is still below. "),
            ("recording.webm", "Everything you typed is still below, and so is your recording. "),
            ("My question.m4a", "(choose your audio file again when you send it). "),
        ],
    )
    def test_the_message_says_what_is_kept_and_how_long_to_wait(self, audio_name, kept):
        message = rate_limited_message(retry_after=230, audio_name=audio_name)
        assert kept in message
        assert message.endswith("Please try again in 4 minutes.")

    def test_a_recording_over_the_limit_is_said_to_be_kept(
        self, client, episode, settings, private_media
    ):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        remote = fresh_ipv4()
        assert self.post(client, episode, remote).status_code == 302
        response = client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {
                "kind": "question",
                "audio": SimpleUploadedFile(
                    "recording.webm", (AUDIO / "jfk.webm").read_bytes(), "audio/webm"
                ),
            },
            REMOTE_ADDR=remote,
        )
        assert response.status_code == 429
        assert "and so is your recording" in response.content.decode()
        assert Submission.objects.count() == 1
        assert list(private_media.rglob("*.webm")) == []

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

    def test_hosts_of_the_episode_are_exempt(self, host_client, episode, settings):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        remote = fresh_ipv4()
        statuses = [self.post(host_client, episode, remote).status_code for _ in range(4)]
        assert statuses == [302] * 4
        host_client.logout()  # the same connection as a listener: the host's tries never counted
        assert self.post(host_client, episode, remote).status_code == 302
        assert self.post(host_client, episode, remote).status_code == 429

    def test_a_host_of_another_episode_is_not(
        self, other_host_client, other_host, episode, settings
    ):
        settings.SUBMISSION_RATE_LIMIT = "1/10m"
        EpisodeFactory(slug="other-show", hosts=[other_host])
        remote = fresh_ipv4()
        assert self.post(other_host_client, episode, remote).status_code == 302
        assert self.post(other_host_client, episode, remote).status_code == 429

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
