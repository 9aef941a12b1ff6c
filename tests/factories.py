import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from episodes.models import Episode, Topic
from intake.models import Submission


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"host{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
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
