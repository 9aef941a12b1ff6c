"""What every /host/ response gets, pages, JSON, audio and exports alike.

The host's own time zone (their settings page), else the site's TIME_ZONE: only /host/
requests, so the public pages stay in the site's zone, named on the page, with the listener's
local time added by the browser (static/intake/local-time.js). Dates typed into a host form
(recording time, closing time) are read in the same zone as they are shown.

Never stored by a browser or a proxy cache: host responses may show listeners' names, emails
and voices, and on a shared computer the back button or the disk cache must not bring them
back after the host logs out.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from episodes.services import host_time_zone


class HostPagesMiddleware:
    """Goes after AuthenticationMiddleware (the time zone is the user's)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("dashboard:episode_list")
        if not request.path.startswith(self._prefix):
            return self.get_response(request)
        zone = host_time_zone(user=getattr(request, "user", None))
        if zone is None:
            response = self.get_response(request)
        else:
            timezone.activate(zone)
            try:
                response = self.get_response(request)
            finally:
                timezone.deactivate()
        # no-cache, no-store, must-revalidate, private, max-age=0 (kept: what views add).
        add_never_cache_headers(response)
        return response
