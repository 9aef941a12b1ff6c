"""Host pages are never stored by a browser or a proxy cache.

Every /host/ response (pages, JSON, audio, exports) may show listeners' names, emails and
voices; on a shared computer the back button or the disk cache must not bring them back
after the host logs out.
"""

from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class HostPagesNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("dashboard:episode_list")
        response = self.get_response(request)
        if request.path.startswith(self._prefix):
            # no-cache, no-store, must-revalidate, private, max-age=0 (kept: what views add).
            add_never_cache_headers(response)
        return response
