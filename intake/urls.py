"""The listener's pages (mounted at the site root, config/urls.py)."""

from django.urls import path

from intake import artwork, embed, views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("show/artwork", artwork.show_artwork, name="show_artwork"),
    path("ask/<slug:slug>/", views.ask, name="ask"),
    path("ask/<slug:slug>/thanks/", views.thanks, name="thanks"),
    # The embeddable widget: the same form inside a frame on the show's own site.
    path("ask/<slug:slug>/embed/", embed.embed_ask, name="embed_ask"),
    path("ask/<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed_thanks"),
    # The signed one-click opt-out link of "your question made the show" (intake.notice_optout).
    path("notices/stop/<str:token>/", views.notice_optout, name="notice_optout"),
]
