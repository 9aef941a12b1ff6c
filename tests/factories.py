import datetime as dt
import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from episodes.models import Episode, Topic
from intake.models import Submission

PASSWORD = "correct horse battery staple"


@functools.cache
def _password_hash(password: str) -> str:
    return make_password(password)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"host{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    # One real PBKDF2 hash per test process, shared by every user (hashing costs ~0.3 s, and
    # the access matrix makes thousands of users); real, so any process can check a login.
    password = factory.LazyFunction(lambda: _password_hash(PASSWORD))
    is_staff = True


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"episode-{n}")
    title = factory.Sequence(lambda n: f"Episode {n}")
    intro = "Send us your questions."
    recording_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    submissions_close_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.add(*extracted)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    episode = factory.SubFactory(EpisodeFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = "What this part of the essay is about."
    position = factory.Sequence(lambda n: n)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    episode = factory.SubFactory(EpisodeFactory)
    kind = Submission.Kind.QUESTION
    name = "Sam"
    text = "What comes after pre-training?"


def submissions_with_everything(episode, count: int) -> list[Submission]:
    """`count` questions that each carry all a row can show (two topics, a suggested topic, a
    merged duplicate; `2 * count` rows in all): for query-count tests at two sizes."""
    topics = TopicFactory.create_batch(2, episode=episode)
    primaries = []
    for index in range(count):
        submission = SubmissionFactory(
            episode=episode, suggested_topic=topics[index % 2], suggested_topic_score=0.5
        )
        submission.topics.add(*topics)
        SubmissionFactory(episode=episode, status=Submission.Status.MERGED, merged_into=submission)
        primaries.append(submission)
    return primaries
