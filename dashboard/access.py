"""Who may see a host page: the one guard every /host/ view calls.

A host is a user in Episode.hosts; a superuser may open every episode too. Anyone else,
including a host of another episode and staff who host nothing, gets 404 for the episode and
everything in it, so nothing leaks, not even that the episode exists.
(Login itself is checked first, by @login_required on each view.)
"""

from django.http import Http404

from episodes.models import Episode, Topic
from intake import selectors
from intake.models import Submission
from runsheet import selectors as runsheet_selectors
from runsheet.models import Entry, Segment


def host_episode_or_404(request, slug: str) -> Episode:
    """The episode if the logged-in user hosts it; 404 otherwise."""
    episode = selectors.episode_get_for_host(user=request.user, slug=slug)
    if episode is None:
        raise Http404("No such episode.")
    return episode


def host_submission_or_404(episode: Episode, pk: int) -> Submission:
    """A submission of an episode the user hosts (see host_episode_or_404); 404 otherwise."""
    submission = selectors.submission_get_for_host(episode=episode, pk=pk)
    if submission is None:
        raise Http404("No such submission.")
    return submission


def host_topic_or_404(episode: Episode, pk: int) -> Topic:
    topic = episode.topics.filter(pk=pk).first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


def host_segment_or_404(episode: Episode, pk: int) -> Segment:
    """A run-sheet segment of an episode the user hosts; 404 for another episode's."""
    segment = runsheet_selectors.segment_for_host(episode=episode, pk=pk)
    if segment is None:
        raise Http404("No such segment.")
    return segment


def host_entry_or_404(episode: Episode, pk: int) -> Entry:
    """A run-sheet entry of an episode the user hosts; 404 for another episode's."""
    entry = runsheet_selectors.entry_for_host(episode=episode, pk=pk)
    if entry is None:
        raise Http404("No such question on the run-sheet.")
    return entry
