"""Host moderation pages, mounted at /host/ in the `intake` namespace (see intake/urls.py)."""

from django.urls import path

from intake import dashboard_views as views

submission = "<slug:slug>/submissions/<int:pk>/"

urlpatterns = [
    path("<slug:slug>/", views.submission_list, name="submission_list"),
    path(submission, views.submission_detail, name="submission_detail"),
    path(f"{submission}audio", views.submission_audio, name="submission_audio"),
    path(f"{submission}approve", views.submission_approve, name="submission_approve"),
    path(f"{submission}decline", views.submission_decline, name="submission_decline"),
    path(f"{submission}reopen", views.submission_reopen, name="submission_reopen"),
    path(f"{submission}transcript", views.submission_transcript, name="submission_transcript"),
    path(f"{submission}topics", views.submission_tag, name="submission_tag"),
    path(f"{submission}merge", views.submission_merge, name="submission_merge"),
    path(f"{submission}retry", views.submission_retry, name="submission_retry"),
]
