"""The host's home: the episodes they host, with what is waiting in each."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from intake import selectors


@login_required
def episode_list(request):
    return render(
        request,
        "dashboard/episode_list.html",
        {"episodes": selectors.episode_list_for_host(user=request.user)},
    )
