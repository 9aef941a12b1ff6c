"""django-rq's queue pages (/admin/django-rq/), for superusers only.

django-rq lets any staff user in, and its pages empty queues, delete and requeue jobs: with
staff accounts given for the admin's other models, that is one click from losing every
listener's pending transcription. Other staff get 403; anyone not logged in as staff goes to
the admin's login page.
"""

from functools import wraps

from csp.decorators import csp_update
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns


def superuser_only(view):
    @wraps(view)
    def check(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied("The queues are for superusers only.")
        return view(request, *args, **kwargs)

    # django-rq's templates select jobs with a short inline script (jobs.html and others) and
    # lay out the stats with style attributes; these pages alone allow inline script and
    # style, and only superusers ever see them.
    inline = ["'self'", "'unsafe-inline'"]
    return admin.site.admin_view(csp_update({"script-src": inline, "style-src": inline})(check))


app_name = "django_rq"
# The stats JSON (and metrics, with prometheus_client) too: django-rq opens them to any staff
# user or an RQ_API_TOKEN, which Mailbag does not set.
urlpatterns = get_admin_urlpatterns(view_wrapper=superuser_only) + [
    URLPattern(pattern.pattern, superuser_only(pattern.callback), name=pattern.name)
    for pattern in get_api_urlpatterns()
]
