"""The CSRF failure page (CSRF_FAILURE_VIEW): what a listener sees when the ask page sat open
too long or their cookies are off, instead of Django's "CSRF verification failed".

The other error pages are the templates 400/403/404/500.html, rendered by Django's own views.
"""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason: str = ""):
    # The page they came from (the form's own page), to reload from; only one on this site.
    # Django has already logged the reason (django.security.csrf).
    referer = request.headers.get("Referer") or ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(request, "403_csrf.html", {"back_url": referer if safe else ""}, status=403)
