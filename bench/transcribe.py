"""The transcription benchmark of issue 4, in one run (a script, not a test).

    .venv/bin/python bench/transcribe.py [--quick] [--shared]

1. bench/transcribe_engine.py: both engines with tiny.en on 10/30/60/180 s of real speech:
   warm seconds and real-time factor, cold/warm, faster/openai, peak memory, and a warm engine
   against one `whisper` process per file for twenty 30 s files.
2. bench/transcribe_pipeline.py: the same clips POSTed to the real web app and transcribed by a
   real warm worker through Redis; overhead = POST-to-done / engine time; a queue of twenty
   30 s messages.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    # --shared: stitch the clips from the shared fixtures folder instead of tests/fixtures/audio.
    shared = ["--shared"] if "--shared" in sys.argv[1:] else []
    engine_args = ["--quick", *shared] if quick else shared
    pipeline_args = ["--clips", "10,60", "--queue", "5", *shared] if quick else shared
    for script, args in (
        ("transcribe_engine.py", engine_args),
        ("transcribe_pipeline.py", pipeline_args),
    ):
        print(f"\n=== {script} {' '.join(args)}".rstrip(), flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), *args])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
