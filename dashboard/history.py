"""The detail page's "History": audit events (intake.SubmissionEvent) as lines a host reads.

Each line says who, what, from -> to and when; intake/services/events.py says what each
action stores in `from_value` and `to_value`.
"""

from django.utils.text import Truncator

from intake.models import Submission, SubmissionEvent

A = SubmissionEvent.Action
VALUE_CHARS = 80


def _status(value: str) -> str:
    try:
        return Submission.Status(value).label
    except ValueError:
        return value


def _state(value: str) -> str:
    try:
        return Submission.TranscriptionState(value).label
    except ValueError:
        return value


def _text(value: str, empty: str) -> str:
    return Truncator(value).chars(VALUE_CHARS) if value else empty


def _ref_id(value: str) -> int | None:
    """The id in "#12", as events name another submission."""
    if value.startswith("#") and value[1:].isdigit():
        return int(value[1:])
    return None


def _who(event: SubmissionEvent) -> str:
    if event.actor is not None:
        return event.actor.get_username()
    return "The listener" if event.action == A.RECEIVED else "Mailbag"


def history_row(event: SubmissionEvent) -> dict:
    action, old, new = event.action, event.from_value, event.to_value
    what, other, before, after = event.get_action_display(), None, "", ""
    if action in (A.APPROVED, A.DECLINED, A.REOPENED):
        before, after = _status(old), _status(new)
    elif action == A.TAGGED:
        before, after = old or "no topics", new or "no topics"
    elif action == A.CORRECTED:
        before, after = _text(old, "the original words"), _text(new, "the original words")
    elif action == A.NOTED:
        before, after = _text(old, "no notes"), _text(new, "no notes")
    elif action == A.MERGED:
        if _ref_id(new) is not None and old:  # the duplicate: its status -> "#primary"
            what, other = "Merged into", _ref_id(new)
            before, after = _status(old), _status(Submission.Status.MERGED)
        else:  # the primary: "" -> "#duplicate"
            what, other = "Merged here:", _ref_id(new)
    elif action == A.UNMERGED:
        if new:  # the duplicate: "#primary" -> the status it went back to
            what, other = "Merge undone, out of", _ref_id(old)
            before, after = _status(Submission.Status.MERGED), _status(new)
        else:  # the primary: "#duplicate" -> ""
            what, other = "Merge undone, out went", _ref_id(old)
    elif action in (A.TRANSCRIBED, A.TRANSCRIPTION_RETRIED):
        before, after = _state(old), _state(new)
    elif action == A.TRANSCRIPTION_FAILED:
        before, after = _state(old), _text(new, "no reason given")
    return {
        "who": _who(event),
        "what": what,
        "other": other,
        "from": before,
        "to": after,
        "when": event.created_at,
        "action": action,
    }


def history_rows(events) -> list[dict]:
    return [history_row(event) for event in events]
