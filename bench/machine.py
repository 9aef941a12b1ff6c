"""What machine a benchmark's figures come from: every script prints it beside its figures,
since the same code runs at different speeds with and without AVX-512."""

from pathlib import Path


def cpu_flags() -> str:
    """ "AVX-512" or "no AVX-512" (from /proc/cpuinfo; "unknown" elsewhere)."""
    try:
        flags = Path("/proc/cpuinfo").read_text().split("flags", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return "unknown"
    return "AVX-512" if "avx512f" in flags else "no AVX-512"
