"""What intake announces to the layers above it (the run-sheet), which it must not import.

All are sent with sender=Submission. The first two are sent inside the transaction that makes
the change, so a receiver's own changes commit (or roll back) with it.

- `submission_status_changed(submission, old, new)`: a host approved, declined or reopened it.
- `submission_merged(duplicate, primary)`: `duplicate` was folded into `primary`.
- `submission_words_changed(submission)`: its transcript arrived or a host corrected it.
- `submission_tagged(submission)`: a host changed its topic tags.
"""

from django.dispatch import Signal

submission_status_changed = Signal()
submission_merged = Signal()
submission_words_changed = Signal()
submission_tagged = Signal()
