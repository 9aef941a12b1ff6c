"""The inbox's filters and bulk actions, and decisions on one submission."""

from django import forms
from django.core.exceptions import ValidationError

from dashboard.forms.fields import IdsChoiceField, blank_choice
from episodes.formatting import excerpt
from episodes.models import Episode, Topic
from intake import selectors
from intake.models import Submission

UNTAGGED = "none"


class SubmissionFilterForm(forms.Form):
    """The list's filters (GET). Invalid values are dropped rather than shown as errors."""

    status = forms.ChoiceField(
        required=False, choices=blank_choice("All", Submission.Status.choices)
    )
    kind = forms.ChoiceField(
        required=False, choices=blank_choice("Any kind", Submission.Kind.choices)
    )
    topic = forms.ChoiceField(required=False)
    transcription = forms.ChoiceField(
        required=False,
        label="Transcription",
        choices=blank_choice("Any transcription", Submission.TranscriptionState.choices),
    )
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(episode.topics.all())
        self.fields["topic"].choices = blank_choice(
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
    topics = IdsChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Topics"
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = episode.topics.all()


class SubmissionMergeForm(forms.Form):
    """Fold the submission this form is posted for into `primary`, typed as "#123" or "123"
    (or filled in by the search box of static/dashboard/merge.js, or the similar list's
    buttons): never a list of every submission of the episode."""

    primary = forms.CharField(
        label="Merge this into",
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "#123"}
        ),
        help_text="The number of the question to keep, as in #123.",
        error_messages={"required": "Type the number of the question to merge into, as in #123."},
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission

    def clean_primary(self) -> Submission:
        typed = self.cleaned_data["primary"].strip()
        number = typed.removeprefix("#").strip()
        if not number.isdigit() or len(number) > 18:
            raise ValidationError(
                f"\u201c{typed}\u201d is not a question number; type it as in #123.",
                code="invalid",
            )
        pk = int(number)
        if pk == self.submission.pk:
            raise ValidationError(
                "A submission cannot be merged into itself; pick the question to keep.",
                code="self",
            )
        primary = selectors.submission_merge_target(submission=self.submission, pk=pk)
        if primary is None:
            raise ValidationError(f"There is no #{pk} in this episode.", code="missing")
        if primary.is_merged:
            raise ValidationError(
                f"#{pk} is itself merged into #{primary.merged_into_id}; "
                f"merge into #{primary.merged_into_id} instead.",
                code="primary_merged",
            )
        return primary

    def first_error(self) -> str:
        return next(iter(self.errors.get("primary", [])), "Choose a question to merge into.")


def merge_label(submission: Submission) -> str:
    """How a merge target is named in the search box's results."""
    words = excerpt(submission.best_text, 70) or "(voice, no text)"
    return f"#{submission.pk} · {submission.name or 'Anonymous'}: {words}"


# --- Triage: decline reason, notes, bulk actions -------------------------------------------


class DeclineForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2_000,
        label="Reason (private)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only hosts see it.",
    )


class SubmissionNotesForm(forms.Form):
    host_notes = forms.CharField(
        required=False,
        strip=False,
        max_length=20_000,
        label="Notes for the hosts",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Private: only hosts see them. Empty the box and save to clear them.",
    )


class SubmissionBulkForm(forms.Form):
    """One action on the submissions ticked in the inbox (`ids`, read by the view)."""

    ACTIONS = [("approve", "Approve"), ("decline", "Decline"), ("tag", "Tag")]
    MAX_ITEMS = 500

    action = forms.ChoiceField(choices=ACTIONS)
    topic = forms.ChoiceField(
        required=False,
        label="Topic",
        error_messages={"invalid_choice": "Pick a topic of this episode."},
    )

    def __init__(self, *args, topics: list[Topic], **kwargs):
        # The episode's topics, as the page already has them (no query of its own).
        super().__init__(*args, **kwargs)
        self.topics = {str(topic.pk): topic for topic in topics}
        self.fields["topic"].choices = blank_choice(
            "Tag with…", [(pk, topic.title) for pk, topic in self.topics.items()]
        )

    def clean_topic(self) -> Topic | None:
        return self.topics.get(self.cleaned_data.get("topic") or "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "tag" and not cleaned.get("topic") and not self.errors:
            self.add_error("topic", "Pick the topic to tag them with.")
        return cleaned

    def first_error(self) -> str:
        return next(
            (error for errors in self.errors.values() for error in errors),
            "Choose what to do with the selected submissions.",
        )
