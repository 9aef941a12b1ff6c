"""After the recording: the editor's cut at the start (the trim), which moves every chapter
and show-note time earlier by as much."""

from django import forms

from dashboard.forms.fields import DurationField


class TrimForm(forms.Form):
    """Its range (up to six hours) is the service's rule (runsheet.services.recording_trim);
    the view shows its refusal at the field."""

    trim_seconds = DurationField(
        empty_seconds=0,
        label="Cut from the start",
        help_text="How much the editor cut before the show starts in the published episode: "
        "type 90, 1:30 or 1m30s. Empty or 0: nothing was cut.",
    )
