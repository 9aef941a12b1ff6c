from django import forms

from episodes.models import Show


class ShowForm(forms.ModelForm):
    """The show's identity; the artwork's replacing and removal are decided by show_update."""

    website = forms.URLField(required=False, assume_scheme="https")
    remove_artwork = forms.BooleanField(label="Remove the artwork", required=False)

    class Meta:
        model = Show
        fields = ["name", "tagline", "artwork", "website", "contact_email"]
        widgets = {"artwork": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})}
