"""The ask page's error summary (GOV.UK pattern): every problem, first on the page, each a link.

On a phone the highlighted fields can be two screens below the top, so the summary names each
problem and links to the control that fixes it (templates/intake/_error_summary.html;
static/intake/error-summary.js moves focus to it and to the linked control).
"""

from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class SummaryItem:
    message: str
    anchor: str | None  # the id of the control to fix it; None for the form as a whole


def error_summary_build(*, form: forms.Form) -> list[SummaryItem]:
    """Form-wide problems first, then each field's, in the order the fields appear."""
    items = [SummaryItem(message=str(m), anchor=None) for m in form.non_field_errors()]
    for bound in form:
        if not bound.errors:
            continue
        # A radio group's id names its wrapper; the link has to land on a control that takes focus.
        anchor = bound.subwidgets[0].id_for_label if bound.subwidgets else bound.id_for_label
        items.extend(SummaryItem(message=str(m), anchor=anchor) for m in bound.errors)
    return items
