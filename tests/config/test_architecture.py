"""The layers `make lint` keeps: config > dashboard > runsheet > intake > episodes, no cycles.

lint-imports (import-linter, configured in pyproject.toml) is run on a copy of the apps with
one bad import added, to show that each kind of mistake breaks the build.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT

PACKAGES = ["config", "dashboard", "runsheet", "intake", "episodes"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy(tmp_path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_project_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("episodes/models.py", "from intake.models import Submission", "episodes is not allowed"),
        ("intake/views.py", "from dashboard import access", "intake is not allowed"),
        ("intake/selectors.py", "import runsheet.models", "intake is not allowed"),
        ("episodes/formatting.py", "from config import urls", "episodes is not allowed"),
        # A lazy import inside a function hides a cycle at run time; it is still one.
        ("intake/models.py", "def f():\n    from intake import services", "No import cycles"),
    ],
    ids=["episodes->intake", "intake->dashboard", "intake->runsheet", "app->config", "cycle"],
)
def test_a_bad_import_breaks_the_lint(copy, module, line, broken):
    with (copy / module).open("a") as handle:
        handle.write(f"\n\n{line}  # noqa\n")

    result = lint_imports(copy)

    assert result.returncode != 0, result.stdout
    assert broken in result.stdout.split("Broken contracts")[1]
