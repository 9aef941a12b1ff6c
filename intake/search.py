"""Folding text for the inbox's search: case, accents and hyphens do not matter.

"Pre-training", "pretraining" and "PRETRAINING" fold to the same letters, and so do "Zoë" and
"zoe". Submission.search_text holds the folded name, email and texts; a query is folded the
same way and each of its words must appear in it.
"""

import re
import unicodedata

# Hyphens, dashes, soft hyphens and apostrophes join words rather than separate them.
_JOINERS = re.compile("[-\u00ad\u2010\u2011\u2012\u2013\u2014'\u2019]")
_SPACE = re.compile(r"\s+")


def search_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", _JOINERS.sub("", letters.casefold())).strip()


def search_words(query: str) -> list[str]:
    """The folded words of a search query."""
    return search_fold(query).split()
