"""Episodes' business logic: `episodes` (creating and editing them, opening and closing them,
their hosts), `hosts` (a host's own settings), `essays` (importing an essay's sections as
topics) and `topics` (editing topics by hand). Every public service is importable from here
too (`from episodes import services`)."""

from episodes.services.episodes import (
    episode_close_now,
    episode_create,
    episode_host_add,
    episode_host_remove,
    episode_reopen,
    episode_seed_demo,
    episode_update,
    next_weekday,
)
from episodes.services.essays import EssayImportResult, SummaryDifference, essay_import
from episodes.services.hosts import (
    host_profile_get,
    host_settings_update,
    host_time_zone,
    time_zone_names,
)
from episodes.services.show import show_get, show_name_get, show_update
from episodes.services.topics import topic_create, topic_delete, topic_move, topic_update

__all__ = [
    "show_get",
    "show_name_get",
    "show_update",
    "EssayImportResult",
    "SummaryDifference",
    "episode_close_now",
    "episode_create",
    "episode_host_add",
    "episode_host_remove",
    "episode_reopen",
    "episode_seed_demo",
    "episode_update",
    "essay_import",
    "host_profile_get",
    "host_settings_update",
    "host_time_zone",
    "next_weekday",
    "time_zone_names",
    "topic_create",
    "topic_delete",
    "topic_move",
    "topic_update",
]
