"""The ask page's "Tell me if my question is used on the show" opt-in (on the page and in the
embed), stored only with an email, and the signed one-click opt-out link of the emails."""

import re

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from intake import services
from intake.models import NoticeOptOut, Submission
from intake.notice_optout import (
    NOTIFY_NEEDS_EMAIL,
    notice_optout_email,
    notice_optout_path,
    notice_optout_token,
)
from tests.factories import EpisodeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

LABEL = "Tell me if my question is used on the show"


@pytest.fixture(autouse=True)
def media(private_media):
    return private_media


def ask(client, episode, *, embed: bool = False, **fields):
    name = "intake:embed_ask" if embed else "intake:ask"
    data = {"kind": "question", "name": "Sam", "text": "What comes after scaling?"}
    data.update(fields)
    return client.post(reverse(name, kwargs={"slug": episode.slug}), data)


def email_errors(response) -> str:
    html = response.content.decode()
    match = re.search(r'data-errors-for="email">(.*?)</div>', html, re.S)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- Opting in on the ask page --------------------------------------------------------------


@pytest.mark.parametrize("embed", [False, True], ids=["page", "embed"])
def test_the_box_is_on_the_form_unticked(client, embed):
    episode = EpisodeFactory()
    name = "intake:embed_ask" if embed else "intake:ask"

    html = client.get(reverse(name, kwargs={"slug": episode.slug})).content.decode()

    box = re.search(r'<input type="checkbox" name="notify_when_aired"[^>]*>', html)
    assert box and "checked" not in box.group(0)
    assert LABEL in html


@pytest.mark.parametrize("embed", [False, True], ids=["page", "embed"])
def test_ticked_with_an_email_is_stored(client, embed):
    episode = EpisodeFactory()

    response = ask(client, episode, embed=embed, email="sam@example.com", notify_when_aired="on")

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.notify_when_aired is True
    assert submission.email == "sam@example.com"
    assert submission.aired_notice_sent_at is None


def test_unticked_is_the_default(client):
    episode = EpisodeFactory()

    assert ask(client, episode, email="sam@example.com").status_code == 302

    assert Submission.objects.get().notify_when_aired is False


@pytest.mark.parametrize("embed", [False, True], ids=["page", "embed"])
def test_ticked_without_an_email_is_an_error_on_the_email_field_and_nothing_is_stored(
    client, embed
):
    episode = EpisodeFactory()

    response = ask(client, episode, embed=embed, email="", notify_when_aired="on")

    assert response.status_code == 200
    assert Submission.objects.count() == 0
    assert email_errors(response) == NOTIFY_NEEDS_EMAIL
    assert "Leave your email so we can tell you" in NOTIFY_NEEDS_EMAIL
    html = response.content.decode()
    # The error summary links the message to the email box, and the box stays ticked.
    assert re.search(rf'<a href="#id_email">{re.escape(NOTIFY_NEEDS_EMAIL)}</a>', html)
    assert re.search(r'name="notify_when_aired"[^>]*checked', html)
    assert 'aria-invalid="true"' in html.split('name="email"')[1].split(">")[0]


def test_a_wrong_email_keeps_its_own_message(client):
    episode = EpisodeFactory()

    response = ask(client, episode, email="not an email", notify_when_aired="on")

    assert Submission.objects.count() == 0
    assert NOTIFY_NEEDS_EMAIL not in email_errors(response)
    assert email_errors(response)


def test_the_service_refuses_it_without_an_email_and_keeps_its_old_signature():
    episode = EpisodeFactory()

    with pytest.raises(ValidationError) as refused:
        services.submission_create(
            episode=episode, kind="question", text="Why?", notify_when_aired=True
        )

    assert refused.value.message_dict == {"email": [NOTIFY_NEEDS_EMAIL]}
    assert Submission.objects.count() == 0
    # Callers that never heard of it are unchanged.
    plain = services.submission_create(episode=episode, kind="question", text="Why?")
    assert plain.notify_when_aired is False


def test_the_database_refuses_it_without_an_email_too():
    submission = SubmissionFactory(email="")

    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(notify_when_aired=True)


# --- The opt-out link -----------------------------------------------------------------------


@pytest.fixture
def sam(db):
    return SubmissionFactory(email="Sam@Example.com ", notify_when_aired=True)


def test_the_token_names_the_submission_not_the_address_and_only_with_its_own_salt(sam):
    token = notice_optout_token(sam.pk)

    assert notice_optout_email(token) == "sam@example.com"
    assert "/" not in token
    assert "sam" not in signing.b64_decode(token.split(":")[0].encode()).decode().lower()
    # Signed for something else (another salt, or no salt): refused.
    assert notice_optout_email(signing.dumps(sam.pk)) is None
    assert notice_optout_email(signing.dumps(sam.pk, salt="other")) is None
    # A submission without an address, or gone: nothing to opt out.
    silent = SubmissionFactory(email="")
    assert notice_optout_email(notice_optout_token(silent.pk)) is None
    assert notice_optout_email(notice_optout_token(sam.pk + 1000)) is None


def test_get_shows_one_button_and_changes_nothing(client, sam):
    response = client.get(notice_optout_path(sam.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<form method="post"') == 1
    assert "Stop these emails</button>" in html
    assert "sam@example.com" in html
    assert NoticeOptOut.objects.count() == 0


def test_post_opts_out_even_without_a_csrf_token_as_a_one_click_mail_client_does(sam):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        notice_optout_path(sam.pk),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "won't email" in response.content.decode()
    assert list(NoticeOptOut.objects.values_list("email", flat=True)) == ["sam@example.com"]
    # A second click is no error and stores nothing more.
    assert strict.post(notice_optout_path(sam.pk)).status_code == 200
    assert NoticeOptOut.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_refused_and_changes_nothing(client, method, sam):
    eve = SubmissionFactory(email="eve@example.com")
    token = notice_optout_token(sam.pk)
    payload, signature = token.rsplit(":", 1)
    forged = notice_optout_token(eve.pk).rsplit(":", 1)[0] + ":" + signature
    broken = payload + ":" + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")

    for bad in (forged, broken, "nonsense"):
        response = getattr(client, method)(reverse("intake:notice_optout", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "This link doesn't work" in response.content.decode()
        assert "Stop these emails</button>" not in response.content.decode()
    assert NoticeOptOut.objects.count() == 0
