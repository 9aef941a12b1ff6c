"""Branded error pages with DEBUG off (issue 12, finding 10): never Django's defaults, never
"CSRF verification failed" for a listener, and a 500 page that needs neither the database nor
any context processor."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Submission

SITE_LOOK = 'class="site-header"'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def failing_client():
    # The response a visitor gets, rather than the exception re-raised into the test.
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.config.error_urls")
def test_500_renders_without_the_database(failing_client, caplog):
    # No `db` fixture here: any query while rendering the page would fail this test.
    response = failing_client.get("/test-errors/500")

    assert response.status_code == 500
    html = response.content.decode()
    assert SITE_LOOK in html
    assert "Something went wrong on our side" in html
    assert "send it again in a few minutes" in html
    assert "Server Error (500)" not in html
    assert "a bug on purpose" not in html  # nothing of the exception leaks
    assert "a bug on purpose" in caplog.text  # but it is logged


@pytest.mark.urls("tests.config.error_urls")
def test_400_is_branded(failing_client):
    response = failing_client.get("/test-errors/400")

    assert response.status_code == 400
    html = response.content.decode()
    assert SITE_LOOK in html
    assert "Something was wrong with that request" in html
    assert "Bad Request (400)" not in html


@pytest.mark.urls("tests.config.error_urls")
def test_403_is_branded_and_names_the_account(failing_client, host):
    anonymous = failing_client.get("/test-errors/403")
    assert anonymous.status_code == 403
    assert SITE_LOOK in anonymous.content.decode()
    assert "This page is not open to you" in anonymous.content.decode()
    assert "Log in as a host" in anonymous.content.decode()

    failing_client.force_login(host)
    logged_in = failing_client.get("/test-errors/403")
    assert logged_in.status_code == 403
    assert "You are logged in as <strong>host</strong>" in logged_in.content.decode()
    assert "403 Forbidden" not in logged_in.content.decode()


def test_404_is_branded(client, db):
    response = client.get("/ask/no-such-episode/")

    assert response.status_code == 404
    html = response.content.decode()
    assert SITE_LOOK in html
    assert "We could not find that page" in html
    assert reverse("intake:home") in html
    assert "Not Found" not in html


def test_expired_form_gets_a_kind_page_and_stores_nothing(episode, private_media):
    listener = Client(enforce_csrf_checks=True)
    ask = reverse("intake:ask", kwargs={"slug": episode.slug})
    page = listener.get(ask)
    assert page.status_code == 200

    # The page sat open while the CSRF cookie went (expired, cleared, or cookies off).
    listener.cookies.clear()
    response = listener.post(
        ask,
        {"kind": "question", "text": "What did Ilya mean by pre-training?", "name": "Priya"},
        HTTP_REFERER=f"http://testserver{ask}",
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert SITE_LOOK in html
    assert "This page was open too long or your cookies are off" in html
    assert "Reload the page and try again" in html
    assert "We could not keep what you typed" in html
    assert f'href="http://testserver{ask}"' in html  # back to the page they came from
    assert "CSRF verification failed" not in html
    assert "CSRF" not in html
    assert Submission.objects.count() == 0
    assert not any(private_media.rglob("*.*"))

    # Reloading, as the page says, gives a fresh token, and sending works again.
    reloaded = listener.get(ask).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reloaded).group(1)
    again = listener.post(
        ask,
        {"kind": "question", "text": "What did Ilya mean?", "csrfmiddlewaretoken": token},
    )
    assert again.status_code == 302
    assert Submission.objects.count() == 1


def test_expired_form_never_links_to_another_site(episode):
    listener = Client(enforce_csrf_checks=True)
    response = listener.post(
        reverse("intake:ask", kwargs={"slug": episode.slug}),
        {"text": "Hello"},
        HTTP_REFERER="https://evil.example/phish",
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "evil.example" not in html
    assert f'href="{reverse("intake:home")}"' in html
