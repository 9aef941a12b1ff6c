"""The listener's pages (mounted at the site root, config/urls.py)."""

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/<slug:slug>/", views.ask, name="ask"),
    path("ask/<slug:slug>/thanks/", views.thanks, name="thanks"),
]
