"""Where the optional shared fixtures folder is: the one place in the suite that knows.

The project's own tests read only `tests/fixtures/`. A few tests compare against material the
project may not copy (the example essay the recap episode follows, its labelled questions);
that material lives beside the project, in `../shared/` by default, or wherever the environment
variable MAILBAG_SHARED_DIR points. Those tests call `require_shared()`: without the folder they
skip with the reason, except when the environment variable CI is set, where they fail, because
a CI run that silently skipped them would prove nothing. bench/ scripts use SHARED_DIR too.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("MAILBAG_SHARED_DIR") or REPO.parent / "shared").resolve()


def require_shared(*relative_paths: str) -> Path:
    """SHARED_DIR, once it is known to hold every one of `relative_paths`.

    Otherwise the calling test skips (fails when CI is set) with a message naming what is
    missing and how to point the suite at the folder.
    """
    if not SHARED_DIR.is_dir():
        problem = f"shared fixtures folder not found at {SHARED_DIR}"
    else:
        missing = [path for path in relative_paths if not (SHARED_DIR / path).exists()]
        if not missing:
            return SHARED_DIR
        problem = f"missing from the shared fixtures folder {SHARED_DIR}: {', '.join(missing)}"
    problem += " (set MAILBAG_SHARED_DIR to its location)"

    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must run the tests that need it", pytrace=False)
    pytest.skip(problem)
