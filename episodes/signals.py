"""What this app announces to the layers above it, which it must not import.

- `topics_changed(sender=Episode, episode=...)`: an episode's topics were added, renamed,
  rewritten, reordered by an import, or deleted, and the change has been saved. Intake ranks
  its questions' suggested topics again on it.
"""

from django.dispatch import Signal

topics_changed = Signal()
