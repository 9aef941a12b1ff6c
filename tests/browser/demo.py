"""The demo episode as a host would have it the day before recording: the essay imported,
approved questions (three of them voice messages) in every topic, and a run-sheet built the way
hosts do (an intro, the topics, a lightning round). The README's screenshots show it."""

import datetime as dt

from episodes.services import episode_seed_demo, essay_import
from intake.models import Submission
from runsheet import services
from runsheet.models import Entry, Segment
from runsheet.tasks import entry_passages_refresh
from tests.conftest import AUDIO, ESSAY, attach_audio
from tests.runsheet.conftest import approved

VOICE = {
    # The fixtures' synthetic voice questions (tests/fixtures/README.md), as Whisper hears them.
    "q_scaling.webm": (
        11.98,
        "Love the show. Could you revisit the scaling hypothesis from the 2014 sequence to "
        "sequence talk? Was Ilya right about big data sets and big neural networks?",
    ),
    "q_selfplay.webm": (
        10.57,
        "Question about self-play. Did the 2017 bet on self-play lead straight to AlphaGo Zero, "
        "and does it matter for language models today?",
    ),
    "q_pretraining.webm": (
        12.45,
        "Hi, this is Sam from Berlin. Ilya said pre-training as we know it will end. What do "
        "you think replaces it: synthetic data, agents, or inference time compute?",
    ),
}


def demo_runsheet(host):
    """The demo episode with its essay imported, approved questions in every topic, and a
    run-sheet built the way hosts would: an intro, the topics, a lightning round."""
    episode, _ = episode_seed_demo()
    episode.hosts.add(host)
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    t2014, t2016, t2024, t2023 = episode.topics.order_by("position")

    def voice(name, filename, tags):
        seconds, words = VOICE[filename]
        submission = approved(episode, tags=tags, name=name, text="", consent_to_air=True)
        attach_audio(submission, AUDIO / filename, seconds=seconds)
        submission.audio_format = "matroska,webm"
        submission.transcription_state = Submission.TranscriptionState.DONE
        submission.transcript = words
        submission.save()
        return submission

    voice("Marcus", "q_scaling.webm", [t2014])
    approved(
        episode,
        tags=[t2014],
        name="Priya",
        text="The talk bet on LSTMs and the transformer replaced them three years later. "
        "Does being wrong about the machinery matter if the direction was right?",
    )
    voice("Jun", "q_selfplay.webm", [t2016])
    approved(
        episode,
        tags=[t2016],
        name="Tomás",
        text="Was 'people, not compute' the right call in 2017, looking at what the big labs "
        "spend on GPUs now?",
    )
    voice("Sam in Berlin", "q_pretraining.webm", [t2024])
    approved(
        episode,
        tags=[t2024],
        name="Rachel",
        text="If pre-training as we know it ends because there is only one internet, what "
        "replaces it: synthetic data, agents, or more compute at inference time?",
    )
    approved(
        episode,
        tags=[t2023],
        name="Lee",
        text="What really happened in 2023: was the superalignment team onto something, and "
        "was Q* the reason for the board crisis?",
    )
    thanks = approved(
        episode,
        kind=Submission.Kind.MESSAGE,
        name="Dev",
        text="Thanks for a great year of episodes! The one on the 2016 OpenAI emails was my "
        "favourite.",
    )

    services.runsheet_start(episode=episode)
    intro = services.segment_create(
        episode=episode,
        title="Intro",
        notes="Welcome back. Why a recap of one researcher's forecasts; how we picked the "
        "questions.",
        extra_seconds=150,
    )
    for _ in range(4):
        services.segment_move(segment=intro, direction="up")
    lightning = services.segment_create(
        episode=episode,
        title="Lightning round",
        notes="Thank-yous and quick ones.",
        extra_seconds=60,
    )
    for segment in Segment.objects.filter(episode=episode, topic__isnull=False):
        services.entries_add_all(segment=segment)
    services.entry_add(segment=lightning, submission=thanks)
    answers = {"Marcus": 420, "Priya": 360, "Jun": 420, "Tomás": 300, "Sam in Berlin": 540,
               "Rachel": 420, "Lee": 480, "Dev": 45}  # fmt: skip
    for entry in Entry.objects.filter(segment__episode=episode).select_related("submission"):
        notes = {
            "Sam in Berlin": "Play the clip, then tie it to Rachel's question.",
            "Lee": "Speculation: say so up front.",
        }.get(entry.submission.name, "")
        services.entry_update(
            entry=entry,
            answer_seconds=answers[entry.submission.name],
            notes=notes,
            play_clip=None,
        )
    # Still in the pool: approved after the sheet was built.
    approved(
        episode,
        tags=[t2024],
        name="Kai",
        text="Once pre-training runs out of data, what comes next? Synthetic data, or more "
        "inference-time compute?",
    )
    approved(episode, name="Ana", text="Any book recommendations for the holidays?")
    entry_passages_refresh(
        list(Entry.objects.filter(segment__episode=episode).values_list("pk", flat=True))
    )
    return episode


DEMO_RECORDED_AT = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)
# What the hosts did on the demo's recording day, in seconds after they pressed Start: each
# action at its moment (Tomás's question was skipped, a five-minute break in the 2024 part).
DEMO_SHOW = [
    (158, "next"),  # the intro ran 2:38 -> Marcus's clip
    (612, "next"),  # -> Priya
    (985, "next"),  # -> Jun's clip
    (1440, "next"),  # -> Tomás
    (1452, "skip"),  # Tomás skipped -> Sam in Berlin's clip
    (1700, "pause"),
    (2000, "resume"),
    (2301, "next"),  # -> Rachel
    (2736, "next"),  # -> Lee
    (3190, "next"),  # -> the lightning round's own minute
    (3262, "next"),  # -> Dev
    (3320, "stop"),
]
DEMO_TRIM_SECONDS = 42  # the editor cut the count-in and the sound check


def demo_recording(episode):
    """The demo episode recorded as above (the run-sheet of demo_runsheet), trimmed."""
    start = DEMO_RECORDED_AT
    recording = services.recording_start(episode=episode, now=start)
    for seconds, action in DEMO_SHOW:
        now = start + dt.timedelta(seconds=seconds)
        services.RECORDING_ACTIONS[action](episode=episode, now=now)
    return services.recording_trim(recording=recording, trim_seconds=DEMO_TRIM_SECONDS)
