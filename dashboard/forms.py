"""Forms of the host dashboard: the submission list's filters, decisions on a submission, topics,
the essay import, and the run-sheet's segments and entries."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from episodes.formatting import clock, excerpt
from episodes.models import Episode
from intake import selectors
from intake.models import Submission
from runsheet.models import Segment
from runsheet.timing import DurationError, duration_parse

UNTAGGED = "none"
ESSAY_MAX_BYTES = 1024 * 1024
ESSAY_EXTENSIONS = (".md", ".markdown", ".txt")


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
    words = excerpt(submission.best_text, 70) or "(voice, no text)"
    return f"#{submission.pk} · {submission.name or 'Anonymous'}: {words}"


# --- Topics -------------------------------------------------------------------------------


class TopicForm(forms.Form):
    """Title rules (blank, too long, a duplicate ignoring case) live in the topic services."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A line or two in your own words; it also helps match questions to topics.",
    )


class TopicMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class EssayImportForm(forms.Form):
    markdown = forms.CharField(
        required=False,
        strip=False,
        label="Paste the essay (Markdown)",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    file = forms.FileField(
        required=False,
        label="…or upload a Markdown file",
        help_text="A .md, .markdown or .txt file, UTF-8, up to 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ESSAY_EXTENSIONS)}),
    )
    heading_level = forms.TypedChoiceField(
        coerce=int,
        initial=2,
        required=False,
        empty_value=2,
        label="Topics are the sections under",
        choices=[
            (1, "# Level 1 headings"),
            (2, "## Level 2 headings"),
            (3, "### Level 3 headings"),
            (4, "#### Level 4 headings"),
        ],
    )

    def clean(self):
        cleaned = super().clean()
        pasted = (cleaned.get("markdown") or "").strip()
        upload = cleaned.get("file")
        if pasted and upload:
            raise ValidationError("Paste the essay or upload a file, not both.")
        if upload:
            cleaned["essay"] = self._read_upload(upload)
        elif pasted:
            cleaned["essay"] = cleaned["markdown"]
        elif not self.has_error("file"):
            raise ValidationError("Paste the essay's Markdown or choose a .md file.")
        return cleaned

    def _read_upload(self, upload) -> str:
        if PurePath(upload.name).suffix.lower() not in ESSAY_EXTENSIONS:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is not a Markdown file; choose a .md file."
            )
        if upload.size > ESSAY_MAX_BYTES:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is {upload.size / 1024 / 1024:.1f} MB; "
                "an essay file can be up to 1 MB."
            )
        raw = b"".join(upload.chunks())
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                f"\u201c{upload.name}\u201d is not UTF-8 text; save it as UTF-8 and try again."
            ) from error
        if not text.strip():
            raise ValidationError(f"\u201c{upload.name}\u201d is empty.")
        return text


# --- The run-sheet ------------------------------------------------------------------------

DIRECTIONS = [("up", "Up"), ("down", "Down")]


class DurationField(forms.CharField):
    """A length typed as rundown tools take it ("90", "1:30", "4m"), cleaned to seconds.

    Empty gives `empty_seconds` (None: "use the default"). The parser's own message, which says
    how to type a duration, is shown at the field.
    """

    def __init__(self, *, empty_seconds: int | None = None, **kwargs):
        self.empty_seconds = empty_seconds
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return clock(value) if isinstance(value, int) else value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return self.empty_seconds
        try:
            return duration_parse(text)
        except DurationError as error:
            raise ValidationError(str(error), code="duration") from error


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
