from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from episodes.models import Episode, Topic
from intake.models import Submission, SubmissionEvent, SubmissionSimilarity
from intake.search import search_words


def episode_list_open(*, now=None) -> QuerySet[Episode]:
    """Episodes whose question page is still open, soonest recording first."""
    now = now or timezone.now()
    return Episode.objects.filter(
        Q(submissions_close_at__isnull=True) | Q(submissions_close_at__gt=now)
    ).order_by("recording_at")


# --- Host dashboard reads ------------------------------------------------------------------

# Columns no dashboard list shows, left out of its queries: the stored vector (1.5 KB a row),
# the folded search text and the transcript's timed lines.
_HEAVY_FIELDS = ("embedding", "search_text", "transcript_segments")


def episodes_for_host(*, user) -> QuerySet[Episode]:
    """The episodes `user` may open in the dashboard: those they host (being staff is not
    enough: hosts of different shows share one install); a superuser may open every one."""
    if not user.is_authenticated:
        return Episode.objects.none()
    if user.is_superuser:
        return Episode.objects.all()
    return Episode.objects.filter(hosts=user)


def episode_get_for_host(*, user, slug: str) -> Episode | None:
    """The episode if `user` may open it (episodes_for_host); None otherwise, so views answer
    404 and leak nothing."""
    return episodes_for_host(user=user).filter(slug=slug).first()


def _count_of(rows: QuerySet) -> Coalesce:
    """COUNT(*) of `rows` (filtered on an OuterRef) as a correlated subquery, 0 for none."""
    # COUNT(*) as a plain function, not an aggregate: no GROUP BY, one row per outer row.
    count = Func(template="COUNT(*)", output_field=IntegerField())
    return Coalesce(Subquery(rows.order_by().annotate(n=count).values("n")), 0)


def episode_topics_with_counts(*, episode: Episode) -> QuerySet[Topic]:
    """The episode's topics in order, each with how many submissions are tagged with it and
    for how many it is the suggestion: two subqueries per topic, not tags x suggestions."""
    tags = Submission.topics.through.objects
    return episode.topics.annotate(
        tagged_count=_count_of(tags.filter(topic_id=OuterRef("pk"))),
        suggested_count=_count_of(Submission.objects.filter(suggested_topic_id=OuterRef("pk"))),
    ).order_by("position", "id")


def episode_list_for_host(*, user) -> QuerySet[Episode]:
    """The user's episodes, newest recording first, with the counts the dashboard shows.

    Each count is its own small subquery (answered from the (episode, status, ...) index):
    joining submissions and topics into one GROUP BY multiplied them, 10,000 x topics rows.
    """

    def counted(**conditions) -> Coalesce:
        return _count_of(Submission.objects.filter(episode=OuterRef("pk"), **conditions))

    return (
        episodes_for_host(user=user)
        .annotate(
            submission_count=counted(),
            new_count=counted(status=Submission.Status.NEW),
            approved_count=counted(status=Submission.Status.APPROVED),
            # Apart: "waiting" is queued for a worker, "transcribing" is one a worker holds.
            waiting_count=counted(transcription_state=Submission.TranscriptionState.PENDING),
            transcribing_count=counted(transcription_state=Submission.TranscriptionState.RUNNING),
            failed_count=counted(transcription_state=Submission.TranscriptionState.FAILED),
            topic_count=_count_of(Topic.objects.filter(episode=OuterRef("pk"))),
        )
        .order_by("-recording_at")
    )


def submission_status_counts(*, episode: Episode) -> dict[str, int]:
    """How many submissions the episode has in each status, plus "all"."""
    rows = (
        Submission.objects.filter(episode=episode)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in Submission.Status.values}
    counts.update(dict(rows))
    counts["all"] = sum(counts.values())
    return counts


def submission_list_for_host(
    *,
    episode: Episode,
    status: str | None = None,
    kind: str | None = None,
    topic: Topic | None = None,
    untagged: bool = False,
    transcription_state: str | None = None,
    query: str | None = None,
) -> QuerySet[Submission]:
    """An episode's submissions for the moderation list, newest first, filtered.

    `query` matches every word against name, email, typed text and both transcripts, whatever
    the case, accents or hyphens (intake/search.py).
    Related rows the list shows are fetched up front: a fixed number of queries per page; the
    columns it never shows (vectors, search text, timed transcript lines) are left behind.
    """
    light = Submission.objects.defer(*_HEAVY_FIELDS)
    submissions = (
        Submission.objects.filter(episode=episode)
        .select_related("suggested_topic", "merged_into")
        .defer(*_HEAVY_FIELDS, *(f"merged_into__{name}" for name in _HEAVY_FIELDS))
        .prefetch_related(
            "topics",
            Prefetch("merged", queryset=light.order_by("created_at", "id")),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        submissions = submissions.filter(status=status)
    if kind:
        submissions = submissions.filter(kind=kind)
    if topic is not None:
        submissions = submissions.filter(topics=topic)
    if untagged:
        submissions = submissions.filter(topics__isnull=True)
    if transcription_state:
        submissions = submissions.filter(transcription_state=transcription_state)
    for word in search_words(query or ""):
        submissions = submissions.filter(search_text__contains=word)
    return submissions


def submission_get_for_host(*, episode: Episode, pk: int) -> Submission | None:
    return (
        Submission.objects.select_related("episode", "suggested_topic", "merged_into")
        .defer("embedding", *(f"merged_into__{name}" for name in _HEAVY_FIELDS))
        .filter(episode=episode, pk=pk)
        .first()
    )


def submission_merge_target(*, submission: Submission, pk: int) -> Submission | None:
    """The submission `pk` of the same episode (any status: the form says why it cannot take
    a merge), or None."""
    return (
        Submission.objects.filter(episode_id=submission.episode_id, pk=pk)
        .defer(*_HEAVY_FIELDS)
        .first()
    )


def submission_search(
    *, episode: Episode, query: str, exclude_pk: int | None = None, limit: int = 10
) -> list[Submission]:
    """Unmerged submissions of the episode matching `query`, newest first, at most `limit`.

    Every word must appear in the folded search text (case, accents and hyphens ignored);
    "#123" or "123" also finds submission 123 itself, first. For picking a merge target.
    """
    words = search_words(query)
    if not words:
        return []
    rows = (
        Submission.objects.filter(episode=episode)
        .exclude(status=Submission.Status.MERGED)
        .defer(*_HEAVY_FIELDS)
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    by_id = None
    number = query.strip().lstrip("#").strip()
    if number.isdigit() and len(number) < 19:
        by_id = rows.filter(pk=int(number)).first()
    matching = rows
    for word in words:
        matching = matching.filter(search_text__contains=word)
    if by_id is not None:
        matching = matching.exclude(pk=by_id.pk)
    found = list(matching.order_by("-created_at", "-id")[: limit - (by_id is not None)])
    return ([by_id] if by_id is not None else []) + found


def submission_neighbours(*, submission: Submission) -> tuple[int | None, int | None]:
    """Ids of the newer and older submission of the same episode, in list order."""
    same_episode = Submission.objects.filter(episode_id=submission.episode_id)
    newer = (
        same_episode.filter(
            Q(created_at__gt=submission.created_at)
            | Q(created_at=submission.created_at, id__gt=submission.pk)
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    older = (
        same_episode.filter(
            Q(created_at__lt=submission.created_at)
            | Q(created_at=submission.created_at, id__lt=submission.pk)
        )
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return newer, older


# --- Triage and live updates ----------------------------------------------------------------


def submission_next_undecided(*, submission: Submission) -> int | None:
    """Id of the next submission still to decide (status new) after this one in the inbox's
    order (newest first, so: the newest undecided one older than it); None when none is left."""
    return (
        Submission.objects.filter(episode_id=submission.episode_id, status=Submission.Status.NEW)
        .filter(
            Q(created_at__lt=submission.created_at)
            | Q(created_at=submission.created_at, id__lt=submission.pk)
        )
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def submission_events(*, submission: Submission, limit: int = 50) -> list[SubmissionEvent]:
    """The submission's audit trail, newest first, with who did it: one query."""
    return list(
        SubmissionEvent.objects.filter(submission=submission)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def submission_changed_since(*, episode: Episode, since, limit: int) -> list[Submission]:
    """The episode's submissions created or changed at or after `since`, most recently changed
    first, at most `limit`, with what an inbox row shows (the list's own query, so a fixed
    number of queries)."""
    rows = submission_list_for_host(episode=episode).filter(updated_at__gte=since)
    return list(rows.order_by("-updated_at", "-id")[:limit])


def submission_count_since(*, episode: Episode, since) -> int:
    """How many of the episode's submissions arrived at or after `since`."""
    return Submission.objects.filter(episode=episode, created_at__gte=since).count()


# --- Duplicates -------------------------------------------------------------------------------


def submission_match_text(submission: Submission) -> str:
    """What a submission asks: the text a host reads, plus typed text sent with a recording."""
    best = (submission.best_text or "").strip()
    typed = (submission.text or "").strip()
    if typed and typed != best:
        return f"{best}\n{typed}".strip()
    return best


def submission_similar(*, submission: Submission, limit: int = 5) -> list[tuple[Submission, float]]:
    """Other unmerged submissions of its episode that ask the same thing, most similar first.

    Read from what the worker stored (SubmissionSimilarity): one indexed query, whatever the
    size of the episode, and no model in the web process.
    """
    rows = (
        SubmissionSimilarity.objects.filter(submission_id=submission.pk)
        .exclude(other__status=Submission.Status.MERGED)
        .select_related("other")
        .defer(*(f"other__{name}" for name in _HEAVY_FIELDS))
        .order_by("-score", "other__created_at", "other_id")[:limit]
    )
    return [(row.other, row.score) for row in rows]


def submission_askers(*, submission: Submission) -> list[str]:
    """Who asked: the submission's own listener, then everyone merged into it, oldest first."""
    askers = [submission.name or "Anonymous"]
    seen = {submission.pk}
    waiting = [submission.pk]
    while waiting:
        merged = list(
            Submission.objects.filter(merged_into__in=waiting)
            .exclude(pk__in=seen)
            .order_by("created_at", "id")
            .values_list("pk", "name")
        )
        askers += [name or "Anonymous" for _, name in merged]
        waiting = [pk for pk, _ in merged]
        seen.update(waiting)
    return askers
