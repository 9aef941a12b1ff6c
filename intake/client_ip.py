"""Who is asking: the client address used to rate-limit the public ask page.

Without CLIENT_IP_HEADER it is REMOTE_ADDR, the socket's peer. Behind our own reverse
proxies it comes from that header (e.g. X-Forwarded-For), read from the right: each proxy
appends the address it received the request from, so the entry CLIENT_IP_PROXY_COUNT places
from the right was written by our outermost proxy, while anything further left came from
the client and can be forged. A missing or malformed header falls back to REMOTE_ADDR.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)
_warned_without_address = False

# IPv6 hosts usually get a whole /64, so one listener is one /64, not one address.
IPV6_PREFIX = 64


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        hops = [hop for hop in raw.split(",") if hop.strip()]
        count = settings.CLIENT_IP_PROXY_COUNT
        if len(hops) >= count:
            address = _parse(hops[-count])
            if address is not None:
                return str(address)
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        _warn_without_address()
        return "unknown"
    return str(address)


def _warn_without_address() -> None:
    # Once per process: gunicorn on a unix socket gives no REMOTE_ADDR, and without
    # CLIENT_IP_HEADER every listener then shares one rate-limit bucket, silently.
    global _warned_without_address
    if _warned_without_address:
        return
    _warned_without_address = True
    logger.warning(
        "A request came with no client address (REMOTE_ADDR is empty, as behind a proxy on a "
        "unix socket) and no usable %s header: every such listener shares one rate-limit "
        "bucket. Set CLIENT_IP_HEADER=X-Forwarded-For and have the proxy send it (see "
        "deploy/nginx.conf).",
        settings.CLIENT_IP_HEADER or "CLIENT_IP_HEADER",
    )


def client_key(request) -> str:
    """The rate-limit identity: the IPv4 address, or the IPv6 address's /64 network."""
    ip = client_ip(request)
    if ip == "unknown":
        return ip
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)
