"""Login throttling (django-axes) on both login pages, keyed by user name and client address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def log_in(client, page: str, username: str, password: str, remote: str = "198.51.100.7"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=remote)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Dozens of password checks per test; what is measured here is the throttling, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def admin_user(db):
    return with_password(UserFactory(username="boss", is_staff=True, is_superuser=True))


@pytest.fixture
def host(db):
    return with_password(UserFactory(username="host"))


@pytest.mark.django_db
@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_after_the_limit_even_the_right_password_is_refused(client, admin_user, page, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert log_in(client, page, "boss", "wrong").status_code == 200
    locking = log_in(client, page, "boss", "wrong")
    assert locking.status_code == 429
    response = log_in(client, page, "boss", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert "logging in is paused for 15 minutes" in html
    assert int(response["Retry-After"]) == 900


@pytest.mark.django_db
def test_the_lock_is_per_user_name_and_address(client, admin_user, host):
    for _ in range(5):
        log_in(client, "/accounts/login/", "boss", "wrong")
    # The same person from elsewhere, and another account from the same address, still work.
    assert (
        log_in(client, "/accounts/login/", "boss", PASSWORD, remote="192.0.2.1").status_code == 302
    )
    client.logout()
    assert log_in(client, "/accounts/login/", "host", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_on_both_pages_count_together(client, admin_user):
    for page in LOGIN_PAGES * 2 + LOGIN_PAGES[:1]:
        log_in(client, page, "boss", "wrong")
    assert log_in(client, "/admin/login/", "boss", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off(client, admin_user):
    for _ in range(5):
        log_in(client, "/accounts/login/", "boss", "wrong")
    assert log_in(client, "/accounts/login/", "boss", PASSWORD).status_code == 429
    # Sixteen minutes later (the attempts are dated back, as the clock would have done it).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "/accounts/login/", "boss", PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_an_admin_unlocks_from_the_admin(client, admin_user, host):
    for _ in range(5):
        log_in(client, "/accounts/login/", "host", "wrong")
    assert log_in(client, "/accounts/login/", "host", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="host")
    assert attempt.ip_address == "198.51.100.7"

    admin = client_for(admin_user)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "198.51.100.7" in listing.content.decode()
    deleted = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert log_in(client, "/accounts/login/", "host", PASSWORD).status_code == 302


def client_for(user):
    from django.test import Client

    admin = Client()
    admin.force_login(user)  # force_login skips authentication, so axes never sees it
    return admin


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_address_is_the_key(client, admin_user, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    for number in range(5):
        client.post(
            "/accounts/login/",
            {"username": "boss", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{number}, 198.51.100.9",
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    other_listener = client.post(
        "/accounts/login/",
        {"username": "boss", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert other_listener.status_code == 302


@pytest.mark.django_db
def test_a_request_without_any_address_is_still_throttled(client, admin_user):
    # gunicorn on a unix socket: REMOTE_ADDR is empty; axes stores no address, not "unknown".
    for _ in range(5):
        log_in(client, "/accounts/login/", "boss", "wrong", remote="")
    assert AccessAttempt.objects.get().ip_address is None
    assert log_in(client, "/accounts/login/", "boss", PASSWORD, remote="").status_code == 429


@pytest.mark.django_db
def test_a_success_clears_earlier_failures(client, admin_user):
    for _ in range(4):
        log_in(client, "/accounts/login/", "boss", "wrong")
    assert log_in(client, "/accounts/login/", "boss", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "/accounts/login/", "boss", "wrong")
    assert log_in(client, "/accounts/login/", "boss", PASSWORD).status_code == 302
