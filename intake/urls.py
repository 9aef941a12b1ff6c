from django.urls import include, path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/<slug:slug>/", views.ask, name="ask"),
    path("ask/<slug:slug>/thanks/", views.thanks, name="thanks"),
    # The host's moderation pages: intake:submission_list, intake:submission_detail, ...
    path("host/", include("intake.dashboard_urls")),
]
