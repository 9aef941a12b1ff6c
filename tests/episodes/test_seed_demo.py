import datetime as dt
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from episodes.models import Episode
from episodes.services import episode_seed_demo, next_weekday


def test_seed_demo_creates_the_recap_episode_once(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    episode = Episode.objects.get(slug="2024-recap")
    assert Episode.objects.count() == 1
    assert episode.title == "2024 Recap"
    assert [t.title for t in episode.topics.all()] == [
        "What Ilya Saw in 2014",
        "What Ilya Saw in 2016-2017",
        "What Ilya Sees in 2024",
        "Bonus: What Did Ilya See in 2023?",
    ]
    assert all(topic.summary for topic in episode.topics.all())
    assert episode.recording_at.weekday() == 0
    assert episode.submissions_close_at < episode.recording_at
    assert episode.accepts_submissions()


def test_demo_records_next_monday_and_closes_the_evening_before(db):
    saturday = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    episode, created = episode_seed_demo(now=saturday)
    assert created
    assert episode.recording_at.date() == dt.date(2026, 11, 30)
    assert episode.submissions_close_at == dt.datetime(2026, 11, 29, 23, 59, tzinfo=dt.UTC)


def test_next_weekday_never_returns_today():
    monday = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    assert next_weekday(weekday=0, after=monday).date() == dt.date(2026, 12, 7)


def test_ensure_host_creates_one_host_and_prints_the_password_once(db):
    call_command("seed_demo", stdout=StringIO())
    first, second = StringIO(), StringIO()
    call_command("ensure_host", stdout=first)
    call_command("ensure_host", stdout=second)
    assert "password:" in first.getvalue()
    assert "password:" not in second.getvalue()
    users = get_user_model().objects.all()
    assert users.count() == 1
    host = users.get()
    password = first.getvalue().split("password:")[1].split()[0]
    assert host.check_password(password)
    assert list(Episode.objects.get(slug="2024-recap").hosts.all()) == [host]
