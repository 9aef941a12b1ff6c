"""System checks for the listener side (shown by `manage.py check`, `check --deploy` and at
every management command's start, e.g. migrate on each release)."""

from django.conf import settings
from django.core.checks import Warning, register

CLIENT_IP_HEADER_UNSET = "intake.W001"


@register()
def client_ip_header_check(app_configs, **kwargs):
    # SECURE_PROXY_SSL_HEADER says a proxy stands in front of the app: then REMOTE_ADDR is the
    # proxy's address (or empty, on a unix socket) and every listener would share one
    # rate-limit bucket and one login-throttling address.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.CLIENT_IP_HEADER:
        return [
            Warning(
                "Mailbag runs behind a proxy (SECURE_PROXY_SSL_HEADER is on) but "
                "CLIENT_IP_HEADER is not set, so every listener shares one rate-limit bucket "
                "and one login-throttling address.",
                hint="Set CLIENT_IP_HEADER=X-Forwarded-For (with CLIENT_IP_PROXY_COUNT = the "
                "number of proxies you run in front of Mailbag), as in deploy/nginx.conf.",
                id=CLIENT_IP_HEADER_UNSET,
            )
        ]
    return []
