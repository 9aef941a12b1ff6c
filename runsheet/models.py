"""The run-sheet: chosen questions ordered into timed segments (filled in by the next issue)."""
