"""Small helpers the dashboard's view tests share."""

from django.urls import reverse

from intake.models import Submission


def submission_url(name: str, submission: Submission | None = None, **kwargs) -> str:
    """`dashboard:<name>` for a submission (its episode's slug and its pk) or for `kwargs`."""
    if submission is not None:
        kwargs = {"slug": submission.episode.slug, "pk": submission.pk, **kwargs}
    return reverse(name, kwargs=kwargs)


def messages_of(response) -> list[tuple[str, str]]:
    """The flash messages a response rendered, as (level, text)."""
    return [(m.level_tag, str(m)) for m in response.context["messages"]]
