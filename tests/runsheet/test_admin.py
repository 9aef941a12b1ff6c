"""The admin shows a recording and its stamps, and lets a superuser change only the trim."""

import datetime as dt

from django.urls import reverse

from intake.models import NoticeOptOut
from runsheet import services
from runsheet.models import Recording, Segment
from tests.factories import UserFactory
from tests.runsheet.conftest import approved

T0 = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def test_recordings_and_their_stamps_are_read_only_but_the_trim(client, episode, topics):
    services.runsheet_start(episode=episode)
    segment = Segment.objects.get(episode=episode, topic=topics[0])
    services.entry_add(segment=segment, submission=approved(episode, tags=[topics[0]], name="A"))
    recording = services.recording_start(episode=episode, now=T0)
    client.force_login(UserFactory(username="admin", is_superuser=True))

    listed = client.get(reverse("admin:runsheet_recording_changelist"))
    page = client.get(reverse("admin:runsheet_recording_change", args=[recording.pk]))
    adding = client.get(reverse("admin:runsheet_recording_add"))
    segment_page = client.get(reverse("admin:runsheet_segment_change", args=[segment.pk]))

    assert listed.status_code == page.status_code == segment_page.status_code == 200
    assert adding.status_code == 403
    form = page.context["adminform"].form
    assert set(form.fields) == {"trim_seconds"}
    # The entry's state is shown, not editable.
    inline = segment_page.context["inline_admin_formsets"][0].formset.forms[0]
    assert "state" not in inline.fields and "answer_seconds" in inline.fields
    assert b"Live" in segment_page.content

    response = client.post(
        reverse("admin:runsheet_recording_change", args=[recording.pk]), {"trim_seconds": "30"}
    )
    assert response.status_code == 302
    assert Recording.objects.get().trim_seconds == 30


def test_opt_outs_are_listed_and_never_added_by_hand(client, db):
    NoticeOptOut.objects.create(email="sam@example.com")
    client.force_login(UserFactory(username="admin", is_superuser=True))

    listed = client.get(reverse("admin:intake_noticeoptout_changelist"))

    assert listed.status_code == 200 and b"sam@example.com" in listed.content
    assert client.get(reverse("admin:intake_noticeoptout_add")).status_code == 403
