from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from episodes.models import Show
from episodes.services.show import show_get


def _show_or_default() -> Show:
    try:
        return show_get()
    except DatabaseError:
        # An error page must still render when the database is the error.
        return Show()


def show(request) -> dict:
    """`show` in every template; looked up only by a page that names it (base.html does)."""
    return {"show": SimpleLazyObject(_show_or_default)}
