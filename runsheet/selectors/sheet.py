"""Reads of the run-sheet: the whole sheet with its clock (the page and every exporter read
the same `SheetView`), and the pool of approved questions not yet on it.

A fixed number of queries whatever the size of the episode: the sheet is three queries (the
run-sheet, its segments, its entries with their submissions), the pool four.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from episodes.models import Episode, Topic
from intake.models import Submission
from runsheet import timing
from runsheet.models import Entry, RunSheet, Segment

# The pool lists at most this many questions (oldest first); its counts are always complete.
POOL_LIMIT = 150


@dataclass(frozen=True)
class EntryRow:
    entry: Entry
    number: int  # 1-based, within its segment
    starts_at: int  # front timing: seconds from the top of the show
    seconds: int  # planned: clip or reading, plus the answer
    answer_seconds: int  # the entry's own, else the episode's default
    plays_clip: bool
    text: str  # what is asked: the host's correction, else the transcript, else typed text

    @property
    def submission(self) -> Submission:
        return self.entry.submission

    @property
    def asker(self) -> str:
        return self.submission.name or "Anonymous"

    @property
    def asked_seconds(self) -> int:
        return self.seconds - self.answer_seconds

    @property
    def passage(self) -> str:
        return "" if self.entry.passage_hidden else self.entry.passage


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    number: int  # 1-based
    starts_at: int
    total: int
    latest_start: int  # back timing; negative when the show cannot end on time anyway
    entries: list[EntryRow]


@dataclass(frozen=True)
class SheetView:
    episode: Episode
    sheet: RunSheet | None
    segments: list[SegmentRow] = field(default_factory=list)
    planned: int = 0
    target: int = 0

    @property
    def started(self) -> bool:
        return self.sheet is not None

    @property
    def over(self) -> int:
        """Seconds over the target length (negative: under)."""
        return self.planned - self.target

    @property
    def entry_count(self) -> int:
        return sum(len(segment.entries) for segment in self.segments)


def runsheet_view(*, episode: Episode) -> SheetView:
    """The episode's run-sheet in order, every row with its planned time and running clock."""
    target = episode.target_minutes * 60
    sheet = RunSheet.objects.filter(episode=episode).first()
    if sheet is None:
        return SheetView(episode=episode, sheet=None, target=target)
    entries = Entry.objects.select_related("submission").order_by("position", "id")
    segments = list(
        Segment.objects.filter(episode=episode)
        .select_related("topic")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("position", "id")
    )
    default_answer = episode.answer_seconds_default
    planned_rows = []
    for segment in segments:
        rows = []
        for entry in segment.entries.all():
            submission = entry.submission
            submission.episode = episode  # spare a query per row for anything that asks
            answer = default_answer if entry.answer_seconds is None else entry.answer_seconds
            plays = entry.plays_clip
            text = submission.best_text
            seconds = timing.entry_seconds(
                plays_clip=plays,
                clip_seconds=submission.audio_seconds,
                text=text,
                answer_seconds=answer,
            )
            rows.append((entry, seconds, answer, plays, text))
        planned_rows.append(rows)
    clock = timing.sheet_clock(
        [
            (s.extra_seconds, [row[1] for row in rows])
            for s, rows in zip(segments, planned_rows, strict=True)
        ],
        target_seconds=target,
    )
    segment_rows = []
    for number, (segment, rows, segment_clock) in enumerate(
        zip(segments, planned_rows, clock.segments, strict=True), start=1
    ):
        entry_rows = [
            EntryRow(
                entry=entry,
                number=index,
                starts_at=starts_at,
                seconds=seconds,
                answer_seconds=answer,
                plays_clip=plays,
                text=text,
            )
            for index, ((entry, seconds, answer, plays, text), starts_at) in enumerate(
                zip(rows, segment_clock.entry_starts, strict=True), start=1
            )
        ]
        segment_rows.append(
            SegmentRow(
                segment=segment,
                number=number,
                starts_at=segment_clock.starts_at,
                total=segment_clock.total,
                latest_start=segment_clock.latest_start,
                entries=entry_rows,
            )
        )
    return SheetView(
        episode=episode, sheet=sheet, segments=segment_rows, planned=clock.planned, target=target
    )


@dataclass(frozen=True)
class PoolGroup:
    topic: Topic | None  # None: not tagged yet
    count: int  # every approved question of the group not on the sheet
    submissions: list[Submission]  # the first of them (see POOL_LIMIT)

    @property
    def more(self) -> int:
        return self.count - len(self.submissions)


def runsheet_pool(*, episode: Episode, limit: int = POOL_LIMIT) -> list[PoolGroup]:
    """Approved questions not on the sheet, grouped by topic tag in essay order, then the
    untagged ones. A question with two tags is listed under both."""
    pool = Submission.objects.filter(
        episode=episode, status=Submission.Status.APPROVED, runsheet_entries__isnull=True
    )
    topics = list(
        episode.topics.annotate(
            pool_count=Count(
                "submissions",
                filter=Q(
                    submissions__status=Submission.Status.APPROVED,
                    submissions__runsheet_entries__isnull=True,
                ),
            )
        ).order_by("position", "id")
    )
    untagged_count = pool.filter(topics__isnull=True).count()
    rows = list(
        pool.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("position"))
        ).order_by("created_at", "id")[:limit]
    )
    by_topic: dict[int | None, list[Submission]] = defaultdict(list)
    for submission in rows:
        tags = list(submission.topics.all())
        for tag in tags or [None]:
            by_topic[tag.pk if tag else None].append(submission)
    groups = [PoolGroup(topic=t, count=t.pool_count, submissions=by_topic[t.pk]) for t in topics]
    groups.append(PoolGroup(topic=None, count=untagged_count, submissions=by_topic[None]))
    return [group for group in groups if group.count]


def entry_for_host(*, episode: Episode, pk: int) -> Entry | None:
    return (
        Entry.objects.select_related("segment__topic", "submission__suggested_topic")
        .filter(segment__episode=episode, pk=pk)
        .first()
    )


def segment_for_host(*, episode: Episode, pk: int) -> Segment | None:
    return Segment.objects.select_related("topic").filter(episode=episode, pk=pk).first()


def submission_on_sheet(*, submission: Submission) -> bool:
    return Entry.objects.filter(submission=submission).exists()
