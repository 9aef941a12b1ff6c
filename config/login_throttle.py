"""Login throttling with django-axes: the client address it keys on, and its lock-out page."""

from django.conf import settings
from django.shortcuts import render

from intake.client_ip import client_ip


def login_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address as the ask page's rate limit uses."""
    # Axes stores it in a GenericIPAddressField: no address is None, never the word "unknown".
    address = client_ip(request)
    return None if address == "unknown" else address


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the branded page instead of axes' plain-text answer."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
