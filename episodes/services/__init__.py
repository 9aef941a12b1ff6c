"""Episodes' business logic: `episodes` (creating them), `essays` (importing an essay's
sections as topics) and `topics` (editing topics by hand). Every public service is importable
from here too (`from episodes import services`)."""

from episodes.services.episodes import episode_create, episode_seed_demo, next_weekday
from episodes.services.essays import EssayImportResult, essay_import
from episodes.services.topics import topic_create, topic_delete, topic_move, topic_update

__all__ = [
    "EssayImportResult",
    "episode_create",
    "episode_seed_demo",
    "essay_import",
    "next_weekday",
    "topic_create",
    "topic_delete",
    "topic_move",
    "topic_update",
]
