"""The run-sheet's segments, entries, moves and essay passages."""

from django import forms
from django.core.exceptions import ValidationError

from dashboard.forms.fields import DurationField
from episodes.formatting import clock
from episodes.models import Episode
from intake.models import Submission
from runsheet.models import Segment

DIRECTIONS = [("up", "Up"), ("down", "Down")]


class SegmentForm(forms.Form):
    """Title rules (blank, too long) live in the segment services."""

    title = forms.CharField(max_length=200)
    notes = forms.CharField(
        required=False,
        label="Talking points",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the hosts want to say in this segment; printed on the run-sheet.",
    )
    extra_seconds = DurationField(
        empty_seconds=0,
        label="Extra time",
        help_text="Time the segment needs beyond its questions, such as an intro or a read: "
        "type 90, 1:30 or 4m. Empty: none.",
    )


class EntryForm(forms.Form):
    PLAY_CHOICES = [("auto", "Auto"), ("play", "Play clip"), ("read", "Read aloud")]
    PLAY_VALUES = {"auto": None, "play": True, "read": False}

    answer_seconds = DurationField(
        label="Answer time",
        help_text="How long you plan to answer: type 90, 1:30 or 4m. Empty: the episode's default.",
    )
    play = forms.ChoiceField(
        choices=PLAY_CHOICES,
        initial="auto",
        label="On air",
        widget=forms.RadioSelect,
        help_text="Auto plays the listener's recording when there is one they agreed to air, "
        "and reads the question otherwise.",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your notes for this question; printed on the run-sheet.",
    )

    def __init__(self, *args, default_answer: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if default_answer is not None:
            field = self.fields["answer_seconds"]
            field.help_text = field.help_text.replace(
                "the episode's default.", f"the episode's default, {clock(default_answer)}."
            )
            field.widget.attrs["placeholder"] = clock(default_answer)

    @classmethod
    def initial_for(cls, entry) -> dict:
        play = next(key for key, value in cls.PLAY_VALUES.items() if value is entry.play_clip)
        return {"answer_seconds": entry.answer_seconds, "notes": entry.notes, "play": play}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "answer_seconds": data["answer_seconds"],
            "notes": data["notes"],
            "play_clip": self.PLAY_VALUES[data["play"]],
        }


class EntryAddForm(forms.Form):
    """Put a question of the pool at the end of a segment."""

    submission = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That question is not one of this episode's."},
    )
    segment = forms.ModelChoiceField(
        queryset=None,
        label="Add to segment",
        error_messages={"invalid_choice": "Pick a segment of this run-sheet."},
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"].queryset = Submission.objects.filter(episode=episode)
        self.fields["segment"].queryset = Segment.objects.filter(episode=episode)


class SegmentMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=DIRECTIONS)


class EntryMoveForm(forms.Form):
    """One place up or down (`direction`), or to the end of another segment (`segment`)."""

    direction = forms.ChoiceField(choices=DIRECTIONS, required=False)
    segment = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Move to segment",
        error_messages={"invalid_choice": "Pick a segment of this run-sheet."},
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(episode=episode)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("direction") and not cleaned.get("segment"):
            raise ValidationError("Move a question up, down or to another segment.")
        return cleaned

    def first_error(self) -> str:
        return next(
            (error for errors in self.errors.values() for error in errors),
            "Move a question up, down or to another segment.",
        )


class PassageForm(forms.Form):
    """Pick one of the topic's passages ("auto": let Mailbag choose), or hide or show it."""

    ACTIONS = [("pick", "Pick"), ("hide", "Hide"), ("show", "Show")]
    AUTO = "auto"

    action = forms.ChoiceField(choices=ACTIONS, initial="pick", widget=forms.HiddenInput)
    passage = forms.ChoiceField(required=False, widget=forms.RadioSelect, label="Passage")

    def __init__(self, *args, choices: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passage"].choices = [
            (self.AUTO, "Let Mailbag choose"),
            *((str(index), text) for index, text in enumerate(choices)),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "pick" and not cleaned.get("passage"):
            self.add_error("passage", "Pick a passage, or let Mailbag choose.")
        return cleaned

    def picked_index(self) -> int | None:
        """The chosen passage's index, or None for "let Mailbag choose"."""
        value = self.cleaned_data["passage"]
        return None if value == self.AUTO else int(value)
