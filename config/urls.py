from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from intake import dashboard_urls
from intake import urls as intake_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/django-rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("host/", include("episodes.urls")),
    # The host's moderation pages (/host/<slug>/...) share the `intake` namespace with the public
    # pages, and a namespace can be registered only once: intake:ask, intake:submission_list, ...
    path(
        "",
        include(([path("host/", include(dashboard_urls)), *intake_urls.urlpatterns], "intake")),
    ),
]
