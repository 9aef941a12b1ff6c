"""Listener submissions for the demo episode, to try the host dashboard (and take its screenshot).

Everything goes through the real services: submissions are created (recordings probed and
stored privately), transcribed, matched to topics, approved, declined, tagged and merged the
way a host would. Running it again changes nothing.
"""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from episodes.services import episode_seed_demo
from intake import services
from intake.models import Submission

# Listeners' addresses use a reserved domain, which also marks the rows this command made.
DEMO_DOMAIN = "listeners.example"


def _demo(
    name, kind, text="", audio=None, hours_ago=0, status=None, tag=None, transcribe=True, fix=None
):
    return {
        "fix": fix,
        "name": name,
        "kind": kind,
        "text": text,
        "audio": audio,
        "hours_ago": hours_ago,
        "status": status,
        "tag": tag,
        "transcribe": transcribe,
    }


Q, M = Submission.Kind.QUESTION, Submission.Kind.MESSAGE
DEMO_SUBMISSIONS = [
    _demo(
        "Marcus",
        Q,
        audio="q_scaling.webm",
        hours_ago=70,
        status="approved",
        tag=0,
        fix=("sequence torque", "sequence talk"),
    ),
    _demo(
        "Rachel",
        Q,
        "If pre-training as we know it ends because there is only one internet, what replaces "
        "it: synthetic data, agents, or more compute at inference time?",
        hours_ago=52,
        status="approved",
        tag=2,
    ),
    _demo(
        "Dev",
        M,
        "Thanks for a great year of episodes! The one on the 2016 OpenAI emails was my favourite.",
        hours_ago=49,
        status="approved",
    ),
    _demo(
        "Mo",
        Q,
        "Can you give my AI newsletter a shout-out on the show?",
        hours_ago=40,
        status="declined",
    ),
    _demo(
        "Ana",
        Q,
        "Ilya said pre-training will end since we only have one internet of data. So what comes "
        "after pre-training?",
        hours_ago=30,
        status="merged",
    ),
    _demo(
        "Lee",
        Q,
        "What really happened in 2023: was the superalignment team onto something, and was Q* "
        "the reason for the board crisis?",
        hours_ago=20,
    ),
    _demo("Jun", Q, audio="q_selfplay.webm", hours_ago=9),
    _demo(
        "Kai",
        Q,
        "Once pre-training runs out of data, what comes next? Synthetic data, or more "
        "inference-time compute?",
        hours_ago=6,
    ),
    _demo("Sam in Berlin", Q, audio="q_pretraining.webm", hours_ago=3),
    _demo("", M, audio="jfk.webm", hours_ago=1, transcribe=False),
]


class Command(BaseCommand):
    help = (
        "Add about nine listener submissions to the demo episode (2024-recap) in every state "
        "the dashboard shows; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--audio-dir",
            type=Path,
            required=True,
            help="Folder holding q_scaling.webm, q_selfplay.webm, q_pretraining.webm, jfk.webm.",
        )
        parser.add_argument(
            "--transcribe",
            action="store_true",
            help="Transcribe the recordings here and now with Whisper instead of leaving them "
            "queued for the worker (the last one always stays queued).",
        )

    def handle(self, *args, audio_dir: Path, transcribe: bool, **options):
        episode, _ = episode_seed_demo()
        if episode.submissions.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
            self.stdout.write("Demo submissions already present; nothing to do.")
            return
        missing = [d["audio"] for d in DEMO_SUBMISSIONS if d["audio"]]
        missing = [name for name in missing if not (audio_dir / name).is_file()]
        if missing:
            raise CommandError(f"Missing recordings in {audio_dir}: {', '.join(missing)}")
        topics = list(episode.topics.order_by("position", "id"))
        made: list[tuple[dict, Submission]] = []
        try:
            with transaction.atomic():  # all of them or none, so a second run can finish the job
                for demo in DEMO_SUBMISSIONS:
                    made.append((demo, self._create(episode, demo, audio_dir)))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        for demo, submission in made:
            if transcribe and demo["audio"] and demo["transcribe"]:
                services.transcription_run(submission_id=submission.pk)
                self.stdout.write(f"Transcribed #{submission.pk} ({demo['audio']})")
            submission.refresh_from_db()
            if demo["fix"] and demo["fix"][0] in submission.transcript:
                # A host's correction of a word Whisper misheard.
                services.submission_transcript_correct(
                    submission=submission, text=submission.transcript.replace(*demo["fix"])
                )
            # What the worker does for each submission: topic, vector, similar questions.
            services.submission_analyse(submission_id=submission.pk)
            if demo["tag"] is not None and topics:
                services.submission_tag(submission=submission, topics=[topics[demo["tag"]]])
            if demo["status"] == "approved":
                services.submission_approve(submission=submission)
            elif demo["status"] == "declined":
                services.submission_decline(submission=submission)
        primary = next(s for d, s in made if d["name"] == "Rachel")
        for demo, submission in made:
            if demo["status"] == "merged":
                services.submission_merge(duplicate=submission, primary=primary)
        self.stdout.write(
            self.style.SUCCESS(f"Added {len(made)} demo submissions to {episode.slug!r}.")
        )

    def _create(self, episode, demo: dict, audio_dir: Path) -> Submission:
        mailbox = (demo["name"] or "anonymous").split()[0].lower()
        with transaction.atomic():
            if demo["audio"]:
                with (audio_dir / demo["audio"]).open("rb") as handle:
                    submission = services.submission_create(
                        episode=episode,
                        kind=demo["kind"],
                        text=demo["text"],
                        name=demo["name"],
                        email=f"{mailbox}@{DEMO_DOMAIN}",
                        audio=File(handle, name=demo["audio"]),
                        consent_to_air=True,
                    )
            else:
                submission = services.submission_create(
                    episode=episode,
                    kind=demo["kind"],
                    text=demo["text"],
                    name=demo["name"],
                    email=f"{mailbox}@{DEMO_DOMAIN}",
                )
            # Spread over the last few days, as real submissions arrive.
            sent = timezone.now() - dt.timedelta(hours=demo["hours_ago"])
            Submission.objects.filter(pk=submission.pk).update(created_at=sent)
        return submission
