"""The essay parser on hostile pastes: CPU seconds to parse each at 20 KB, 100 KB and 1 MB.

    .venv/bin/python bench/essay.py [--sizes 20,100,1024] [--repeat 3]

Each paste repeats one shape that made the regex parser of release 1 rescan the rest of the
text (issue 12, finding 7), or nests links or emphasis deeply. A linear parser's seconds grow
with the size (x5, then x10); a quadratic one's grow with its square (x25, then x100). The
stand-in essay (tests/fixtures/essays/four-eras.md) is timed too, as the everyday case.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

from episodes.essay import essay_parse  # noqa: E402

UNITS = {
    "footnote refs [^a": "[^a",
    "images ![": "![",
    "autolinks <http:": "<http:",
    "backticks": "`",
    "spaces": " ",
    "tabs": "\t",
    "no-break spaces": "&nbsp;",
    "link definitions [a": "[a\n",
    "emphasis *a": "*a ",
}


def shapes(size: int) -> dict[str, str]:
    pastes = {name: "## T\n\nWords " + unit * (size // len(unit)) for name, unit in UNITS.items()}
    mixed = "".join(unit * 1000 for unit in UNITS.values())
    pastes["mixed"] = "## T\n\n" + mixed * max(1, size // len(mixed))
    pastes["nested links"] = "## T\n\n" + "[" * (size // 5) + "a" + "](b)" * (size // 5)
    pastes["nested emphasis"] = "## T\n\n" + "*_" * (size // 4) + "a" + "_*" * (size // 4)
    pastes["spaces in a heading"] = "## T" + " " * size + "x"
    pastes["footnote link"] = "## T\n\n[1](" + "#footnote-1" * (size // 11)
    return pastes


def cpu_seconds(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        essay_parse(text)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,100,1024", help="KB, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    sizes = [int(kb) * 1024 for kb in args.sizes.split(",")]
    essay = (ROOT / "tests" / "fixtures" / "essays" / "four-eras.md").read_text(encoding="utf-8")
    print(f"stand-in essay ({len(essay) // 1024} KB): {cpu_seconds(essay, args.repeat):.4f} s")
    print(f"{'paste':24}" + "".join(f"{size // 1024:>10} KB" for size in sizes))
    by_size = [shapes(size) for size in sizes]
    for name in by_size[0]:
        cells = [cpu_seconds(pastes[name], args.repeat) for pastes in by_size]
        print(f"{name:24}" + "".join(f"{seconds:>11.3f}s" for seconds in cells), flush=True)


if __name__ == "__main__":
    main()
