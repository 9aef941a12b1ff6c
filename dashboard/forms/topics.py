"""Topics and the essay import (the form, then the preview's confirmation)."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from dashboard.forms.fields import newlines_normalise

ESSAY_MAX_BYTES = 1024 * 1024
ESSAY_EXTENSIONS = (".md", ".markdown", ".txt")


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
            cleaned["essay"] = newlines_normalise(self._read_upload(upload))
        elif pasted:
            cleaned["essay"] = newlines_normalise(cleaned["markdown"])
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


class EssayImportConfirmForm(forms.Form):
    """The preview page's confirmation: the same essay again, the preview's fingerprint (the
    import refuses if the topics changed since), and whether to overwrite edited summaries."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="1")
    essay = forms.CharField(strip=False, widget=forms.HiddenInput, max_length=ESSAY_MAX_BYTES)
    heading_level = forms.TypedChoiceField(
        coerce=int,
        choices=[(level, str(level)) for level in range(1, 7)],
        widget=forms.HiddenInput,
    )
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    overwrite_edited_summaries = forms.BooleanField(
        required=False,
        label="Overwrite the summaries I edited with the essay's",
    )

    def clean_essay(self):
        return newlines_normalise(self.cleaned_data["essay"])
