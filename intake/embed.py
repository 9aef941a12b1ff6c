"""The embeddable widget: the ask page and its thank-you inside a frame on the show's site.

These views wrap the ordinary ones (intake/views.py) rather than copy them, so every rule of
the ask page (validation, rate limit, durability) holds in the frame too. What differs:

- the page has no site chrome (templates/intake/embed_base.html) and reports its height to
  the embedding page (static/intake/embed-frame.js) for the snippet's auto-resize;
- framing is allowed, by CSP frame-ancestors, only from the origins the hosts listed for the
  episode (Episode.embed_origins; none listed: no site may frame it); X-Frame-Options is left
  off these responses alone, since it cannot name origins (every other page keeps DENY);
- no CSRF check on the POST: inside a third-party frame the browser does not send the
  SameSite=Lax CSRF cookie (and blocks third-party cookies entirely in many setups), so the
  check would refuse every listener. The form is anonymous and changes nothing an attacker
  could not change by posting it themselves; the rate limit and upload guard still apply;
- the thank-you redirect stays in the frame (/ask/<slug>/embed/thanks/), and its receipt
  cookie is SameSite=None; Secure so that page can still say what became of the submission.
"""

from http.cookies import Morsel

from csp.constants import NONE
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from episodes.models import Episode
from intake import views
from intake.receipts import RECEIPT_COOKIE

EMBED_BASE_TEMPLATE = "intake/embed_base.html"


def _embed_frame_ancestors(episode: Episode) -> list[str]:
    try:
        origins = episode.embed_origin_list()
    except ValidationError:  # saved before validation existed: frame nowhere rather than guess
        origins = []
    return origins or [NONE]


class _PartitionedMorsel(Morsel):
    """A cookie with the Partitioned attribute (CHIPS), which http.cookies learns only in
    Python 3.14: kept apart per embedding site, so browsers that block third-party cookies
    (Chromium does by default now) still keep it for the frame."""

    def OutputString(self, attrs=None) -> str:  # noqa: N802 (http.cookies' name)
        return f"{super().OutputString(attrs)}; Partitioned"


def _receipt_for_the_frame(response) -> None:
    """Let the receipt cookie (intake/receipts.py) reach the thank-you page inside a frame on
    another site, where SameSite=Lax cookies are neither stored nor sent: SameSite=None and
    Partitioned (both need Secure, which browsers accept from http://localhost too)."""
    receipt = response.cookies.get(RECEIPT_COOKIE)
    if receipt is None:
        return
    partitioned = _PartitionedMorsel()
    partitioned.update(receipt)
    partitioned.set(receipt.key, receipt.value, receipt.coded_value)
    partitioned["samesite"] = "None"
    partitioned["secure"] = True
    dict.__setitem__(response.cookies, RECEIPT_COOKIE, partitioned)


def _framed(view):
    """Run `view` as the embed: its templates without chrome, framing only from the origins."""

    def embed_view(request, slug: str):
        episode = get_object_or_404(Episode, slug=slug)
        # Read by the templates: {% extends request.mailbag_base|default:"base.html" %}.
        request.mailbag_base = EMBED_BASE_TEMPLATE
        request.mailbag_embed = True
        response = view(request, slug=slug)
        # Replaces the default's 'none' (config/settings.py) on this response only.
        response._csp_replace = {
            **(getattr(response, "_csp_replace", None) or {}),
            "frame-ancestors": _embed_frame_ancestors(episode),
        }
        if response.status_code in (301, 302, 303) and response.get("Location") == reverse(
            "intake:thanks", kwargs={"slug": episode.slug}
        ):
            response["Location"] = reverse("intake:embed_thanks", kwargs={"slug": episode.slug})
            _receipt_for_the_frame(response)
        return response

    embed_view.__name__ = f"embed_{view.__name__}"
    embed_view.__doc__ = f"{view.__name__} inside the embeddable widget's frame."
    return xframe_options_exempt(embed_view)


embed_ask = csrf_exempt(_framed(views.ask))
embed_thanks = _framed(views.thanks)
