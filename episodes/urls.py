"""The host's episode pages, mounted at /host/ (see config/urls.py)."""

from django.urls import path

from episodes import views

app_name = "episodes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/topics/", views.topic_list, name="topic_list"),
    path("<slug:slug>/topics/add", views.topic_create, name="topic_create"),
    path("<slug:slug>/topics/import", views.essay_import, name="essay_import"),
    path("<slug:slug>/topics/<int:pk>/edit", views.topic_update, name="topic_update"),
    path("<slug:slug>/topics/<int:pk>/move", views.topic_move, name="topic_move"),
    path("<slug:slug>/topics/<int:pk>/delete", views.topic_delete, name="topic_delete"),
]
