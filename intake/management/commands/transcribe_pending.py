from django.core.management.base import BaseCommand

from intake.services import transcription_sweep


class Command(BaseCommand):
    help = (
        "Queue transcription for every submission stuck in pending/running with no live job "
        "(Redis was down when it arrived, or its worker died). Workers also do this by "
        "themselves every TRANSCRIPTION_SWEEP_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=0,
            help="Skip submissions changed less than this many seconds ago (default 0).",
        )

    def handle(self, *args, min_age: int, **options):
        requeued = transcription_sweep(min_age_seconds=min_age)
        if requeued:
            ids = ", ".join(map(str, requeued))
            self.stdout.write(f"Queued {len(requeued)} submission(s) again: {ids}")
        else:
            self.stdout.write("Nothing stuck: every pending transcription has a live job.")
