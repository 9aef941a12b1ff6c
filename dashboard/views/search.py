"""Finding a merge target: the search box beside the merge field (static/dashboard/merge.js).

GET `?q=` (words, or "#123") and optionally `exclude=<id>` (the submission being merged)
answers JSON with at most ten unmerged submissions of the episode, so a 10,000-question
mailbag never becomes a 10,000-option select. Without JavaScript the host types the number.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.access import host_episode_or_404
from dashboard.forms import merge_label
from intake import selectors

RESULTS = 10
QUERY_MAX_CHARS = 200


@login_required
@require_GET
def submission_search(request, slug: str):
    episode = host_episode_or_404(request, slug)
    query = request.GET.get("q", "")[:QUERY_MAX_CHARS]
    exclude = request.GET.get("exclude", "")
    rows = selectors.submission_search(
        episode=episode,
        query=query,
        exclude_pk=int(exclude) if exclude.isdigit() and len(exclude) < 19 else None,
        limit=RESULTS,
    )
    return JsonResponse(
        {
            "query": query,
            "results": [
                {
                    "id": row.pk,
                    "ref": f"#{row.pk}",
                    "label": merge_label(row),
                    "name": row.name or "Anonymous",
                    "status": row.status,
                    "status_label": row.get_status_display(),
                    "url": reverse(
                        "dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": row.pk}
                    ),
                }
                for row in rows
            ],
        }
    )
