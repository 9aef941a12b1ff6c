"""The published episode's link (Episode.public_url), written by the hosts after the recording:
the "your question made the show" emails point listeners to it (runsheet.notices)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from episodes.models import Episode

_URL = URLValidator(schemes=["http", "https"])


def episode_public_url_set(*, episode: Episode, url: str) -> Episode:
    """Save the episode's public link (an http or https URL; empty clears it)."""
    url = (url or "").strip()
    if url:
        try:
            _URL(url)
        except ValidationError:
            raise ValidationError(
                "Write the full link, starting with https://", code="invalid_url"
            ) from None
        # The field's own rules too (its length), without judging the rest of the episode.
        Episode._meta.get_field("public_url").clean(url, episode)
    episode.public_url = url
    Episode.objects.filter(pk=episode.pk).update(public_url=url)
    return episode
