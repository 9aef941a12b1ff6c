"""The thank-you page reads back what was sent, and says when the episode records."""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Submission
from tests.factories import EpisodeFactory
from tests.intake.test_intake_views import ask_url, fixture_upload

pytestmark = pytest.mark.django_db


def send(client, episode, **fields):
    data = {"kind": "question", "name": "", "email": "", "text": ""}
    data.update(fields)
    response = client.post(ask_url(episode), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


def test_typed_question_and_name_are_read_back(client, episode, private_media):
    html = send(client, episode, text="Is <b>scaling</b> over?\nAsking for a friend.", name="Sam")
    assert "What you sent" in html
    assert "Your question" in html
    # The listener's words, escaped, line breaks kept.
    assert "Is &lt;b&gt;scaling&lt;/b&gt; over?<br>Asking for a friend." in html
    assert "<dd>Sam</dd>" in html
    assert "Your recording" not in html


def test_a_recording_is_read_back_with_its_length(client, episode, private_media):
    html = send(client, episode, kind="message", audio=fixture_upload("jfk.webm"), consent="on")
    submission = Submission.objects.get()
    assert "Your message" not in html  # no text was typed
    assert f"<span data-receipt-length>0:{round(submission.audio_seconds):02d}</span> long" in html
    assert "Not given: the hosts won't name you." in html


def test_recording_time_is_also_given_in_the_listeners_own_time(client, episode, private_media):
    html = send(client, episode, text="Hi")
    assert f'datetime="{episode.recording_at.isoformat()}" data-local-time' in html
    assert "intake/local-time" in html


def test_no_receipt_no_read_back(episode):
    html = Client().get(reverse("intake:thanks", kwargs={"slug": episode.slug})).content.decode()
    assert "What happens next" in html
    assert "What you sent" not in html


def test_a_receipt_for_another_episode_shows_nothing_of_it(client, episode, private_media):
    send(client, episode, text="Secret question", name="Sam")
    other = EpisodeFactory(slug="other")
    html = client.get(reverse("intake:thanks", kwargs={"slug": other.slug})).content.decode()
    assert "Secret question" not in html and "What you sent" not in html
