"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("a bug on purpose")


def suspicious(request):
    raise SuspiciousOperation("a malformed request on purpose")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/500", crash),
    path("test-errors/400", suspicious),
    path("test-errors/403", forbidden),
    *site_urlpatterns,
]
