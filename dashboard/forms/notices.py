"""The form of "Tell the askers" (dashboard.views.air_notices): the episode's public link."""

from django import forms


class PublicLinkForm(forms.Form):
    public_url = forms.URLField(
        label="The episode's public link",
        max_length=500,
        assume_scheme="https",
        help_text="Where listeners hear the published episode: every email links to it.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
