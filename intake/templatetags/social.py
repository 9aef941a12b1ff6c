from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """A full address for link previews: SITE_URL when set (the public name behind a proxy),
    else the address this page was asked on."""
    if settings.SITE_URL:
        return f"{settings.SITE_URL}{path}"
    return context["request"].build_absolute_uri(path)
