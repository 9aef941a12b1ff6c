"""What makes a listener's submission complete, shared by the public form and the service.

The form reports these next to its fields in the same pass as its other errors; the service
applies them again so no other caller can create a submission that breaks them.
"""

import unicodedata

NEEDS_TEXT_OR_AUDIO = "Please type your question or message, or record one."

NAME_ON_ONE_LINE = "Please write your name on one line, without tabs or other control characters."
EMAIL_ON_ONE_LINE = (
    "Please type your email address on one line, without tabs or other control characters."
)
# Control characters and line or paragraph separators: a name goes into the hosts' email
# subjects, where a line break would forge a header ("Eve\r\nBcc: ...").
_NOT_ON_ONE_LINE = ("Cc", "Zl", "Zp")


def one_line(value: str) -> bool:
    """Whether `value` has no control character (CR, LF, tab, NUL...) nor line separator."""
    return not any(unicodedata.category(char) in _NOT_ON_ONE_LINE for char in value)


def submission_rule_errors(
    *, text: str, has_audio: bool, name: str = "", email: str = ""
) -> dict[str, str]:
    """Field name -> message for each rule the submission breaks; empty when it is complete.

    Consent to air is not one of them: sending a recording lets the hosts listen to it, and
    without consent it is kept and transcribed but never played on the show.
    """
    errors: dict[str, str] = {}
    if not text.strip() and not has_audio:
        errors["text"] = NEEDS_TEXT_OR_AUDIO
    # Judged as stored: the ends are stripped first, as the form and the service both do.
    if not one_line((name or "").strip()):
        errors["name"] = NAME_ON_ONE_LINE
    if not one_line((email or "").strip()):
        errors["email"] = EMAIL_ON_ONE_LINE
    return errors
