"""Forms of the host's moderation pages."""

from django import forms

from episodes.models import Episode
from intake import selectors
from intake.models import Submission

UNTAGGED = "none"


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class SubmissionFilterForm(forms.Form):
    """The list's filters (GET). Invalid values are dropped rather than shown as errors."""

    status = forms.ChoiceField(required=False, choices=_blank("All", Submission.Status.choices))
    kind = forms.ChoiceField(required=False, choices=_blank("Any kind", Submission.Kind.choices))
    topic = forms.ChoiceField(required=False)
    transcription = forms.ChoiceField(
        required=False,
        label="Transcription",
        choices=_blank("Any transcription", Submission.TranscriptionState.choices),
    )
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(episode.topics.all())
        self.fields["topic"].choices = _blank(
            "Any topic",
            [(UNTAGGED, "Not tagged yet"), *((str(t.pk), t.title) for t in self.topics)],
        )

    def selector_filters(self) -> dict:
        """Keyword arguments for selectors.submission_list_for_host."""
        self.is_valid()
        data = self.cleaned_data
        topic_value = data.get("topic") or ""
        topic = next((t for t in self.topics if str(t.pk) == topic_value), None)
        return {
            "status": data.get("status") or None,
            "kind": data.get("kind") or None,
            "topic": topic,
            "untagged": topic_value == UNTAGGED,
            "transcription_state": data.get("transcription") or None,
            "query": data.get("q") or None,
        }

    def active(self) -> bool:
        filters = self.selector_filters()
        return any(value for key, value in filters.items() if key != "status")


class TranscriptCorrectionForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        label="Corrected transcript",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Clear the box and save to go back to the machine transcript.",
    )


class SubmissionTagForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Topics"
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = episode.topics.all()


class SubmissionMergeForm(forms.Form):
    """Fold the submission this form is posted for into `primary`."""

    primary = forms.ModelChoiceField(
        queryset=None,
        label="Merge this into",
        empty_label="Choose the question to keep…",
        error_messages={"invalid_choice": "That question cannot take a merge; pick another."},
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["primary"]
        field.queryset = selectors.submission_merge_candidates(submission=submission)
        field.label_from_instance = _merge_label

    def first_error(self) -> str:
        return next(iter(self.errors.get("primary", [])), "Choose a question to merge into.")


def _merge_label(submission: Submission) -> str:
    excerpt = " ".join(submission.best_text.split())
    if len(excerpt) > 70:
        excerpt = excerpt[:69].rstrip() + "…"
    return f"#{submission.pk} · {submission.name or 'Anonymous'}: {excerpt or '(voice, no text)'}"
