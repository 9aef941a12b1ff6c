"""The show's identity (name, tagline, artwork, website, contact): one row per install."""

from django.core.files.uploadedfile import UploadedFile

from episodes.models import Show

SHOW_PK = 1


def show_get() -> Show:
    """The install's show, created with its defaults the first time anything asks."""
    show, _ = Show.objects.get_or_create(pk=SHOW_PK)
    return show


def show_update(
    *,
    name: str,
    tagline: str,
    website: str,
    contact_email: str,
    artwork: UploadedFile | None = None,
    remove_artwork: bool = False,
) -> Show:
    show = show_get()
    show.name, show.tagline = name, tagline
    show.website, show.contact_email = website, contact_email
    old = show.artwork.name if show.artwork else ""
    if artwork is not None:
        show.artwork = artwork
    elif remove_artwork:
        show.artwork = ""
    show.full_clean()
    show.save()
    if old and old != show.artwork.name:
        show.artwork.storage.delete(old)  # the replaced picture is not kept around
    return show


def show_name_get() -> str:
    """The show's name in one read (exports), without creating the row: the default until set."""
    name = Show.objects.filter(pk=SHOW_PK).values_list("name", flat=True).first()
    return name if name is not None else Show._meta.get_field("name").default
