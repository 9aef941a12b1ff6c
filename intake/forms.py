from django import forms

from intake.models import Submission


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Submission.Kind.choices, initial=Submission.Kind.QUESTION, widget=forms.RadioSelect
    )
    name = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
