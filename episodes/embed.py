"""The sites a host lets frame the question form (the embeddable widget, /ask/<slug>/embed/).

Stored as text, one origin per line, because that is how a host types them; each must be
exactly what a browser sends as an origin (scheme://host[:port]) so it can go into the
CSP frame-ancestors directive as it is, with nothing a header could be smuggled through.
"""

import re

from django.core.exceptions import ValidationError

# A host name (letters, digits, hyphens, dots; IDN as punycode) or an IPv4 address, an
# optional port; nothing else: no path, no wildcard, no quote, no space, no semicolon.
_ORIGIN = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"(?::(?P<port>[0-9]{1,5}))?$"
)
MAX_ORIGINS = 20  # a show's own sites; a longer list is a mistake, and the header stays small


def embed_origins_parse(*, text: str) -> list[str]:
    """The origins in `text` (one per line, blank lines ignored), lower-cased, de-duplicated,
    a trailing slash dropped; raises ValidationError naming each line that is not an origin."""
    origins: list[str] = []
    problems: list[str] = []
    for line in (text or "").splitlines():
        origin = line.strip().rstrip("/").lower()
        if not origin:
            continue
        match = _ORIGIN.match(origin)
        if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
            problems.append(line.strip())
        elif origin not in origins:
            origins.append(origin)
    if problems:
        raise ValidationError(
            "Not a site address: %(lines)s. Write each as scheme://host or scheme://host:port, "
            "for example https://www.example-show.com, one per line, with no path.",
            code="invalid_origin",
            params={"lines": ", ".join(f"\u201c{p}\u201d" for p in problems)},
        )
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(f"List at most {MAX_ORIGINS} sites.", code="too_many_origins")
    return origins


def embed_origins_validate(value: str) -> None:
    """Model field validator (Episode.embed_origins)."""
    embed_origins_parse(text=value)
