"""What makes a listener's submission complete, shared by the public form and the service.

The form reports these next to its fields in the same pass as its other errors; the service
applies them again so no other caller can create a submission that breaks them.
"""

NEEDS_TEXT_OR_AUDIO = "Please type your question or message, or record one."
NEEDS_CONSENT = (
    "Please tick the box to let us play your recording on the show, "
    "or remove the recording and send text only."
)


def submission_rule_errors(*, text: str, has_audio: bool, consent_to_air: bool) -> dict[str, str]:
    """Field name -> message for each rule the submission breaks; empty when it is complete."""
    errors: dict[str, str] = {}
    if not text.strip() and not has_audio:
        errors["text"] = NEEDS_TEXT_OR_AUDIO
    if has_audio and not consent_to_air:
        errors["consent"] = NEEDS_CONSENT
    return errors
