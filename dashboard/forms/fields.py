"""Fields and helpers the dashboard's forms share: lengths typed as people type them, local
dates and times, line breaks as browsers send them."""

from django import forms
from django.core.exceptions import ValidationError

from episodes.formatting import clock
from runsheet.timing import DurationError, duration_parse

# The largest id a database column holds (a signed 64-bit integer).
ID_MAX = 2**63 - 1


def id_valid(value) -> bool:
    """Whether `value` can be a row's id: a positive whole number the database can hold."""
    text = str(value).strip()
    return text.isdigit() and text.isascii() and 0 < int(text) <= ID_MAX


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows of a queryset chosen by id, where an id too large for the database is refused as
    any unknown choice is, before the query (SQLite would raise OverflowError, a 500)."""

    def _check_values(self, value):
        for pk in value:
            if not id_valid(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def blank_choice(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


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


DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def newlines_normalise(text: str) -> str:
    """Browsers send a form's line breaks as CRLF: an essay read from a file and the same essay
    sent back from the preview page must be the same text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time picked in the browser (datetime-local), read and shown in the current
    time zone: the host's own, activated by dashboard.middleware."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


class MinutesField(forms.CharField):
    """A length in whole minutes: "60" (a bare number is minutes here), "45m", "1h", "1h30m",
    "1:30:00"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return str(value) if isinstance(value, int) else value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        try:
            seconds = duration_parse(text)
        except DurationError as error:
            raise ValidationError(
                f"\u201c{text}\u201d is not a length we can read; type minutes (60), or 1h30m.",
                code="minutes",
            ) from error
        if seconds % 60:
            raise ValidationError("Type whole minutes, like 60, 45m or 1h30m.", code="minutes")
        return seconds // 60
