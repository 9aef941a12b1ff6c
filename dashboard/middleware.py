"""Host pages in the host's own time zone (their settings page), else the site's TIME_ZONE.

Only /host/ requests: the public pages stay in the site's zone, named on the page, with the
listener's local time added by the browser (static/intake/local-time.js). Dates typed into a
host form (recording time, closing time) are read in the same zone as they are shown.
"""

from django.urls import reverse
from django.utils import timezone

from episodes.services import host_time_zone


class HostTimeZoneMiddleware:
    """Goes after AuthenticationMiddleware (it needs request.user)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("dashboard:episode_list")
        zone = None
        if request.path.startswith(self._prefix):
            zone = host_time_zone(user=getattr(request, "user", None))
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
