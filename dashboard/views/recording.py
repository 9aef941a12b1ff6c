"""Recording mode: the show caller's view of the run-sheet while the show is recorded
(/host/<slug>/runsheet/live/).

The page shows the live step large (the question to play or read, the essay passage, a
segment's talking points), what comes next, the item's countdown, the show's clock and its
projected over/under. Start, Next, Skip, Back, Pause/Resume and Stop are plain forms that post
to `recording_action` and come back to the page, so everything works without JavaScript;
each carries the step the page was drawn with (`expect`), so a press from a page that another
host has moved on since is refused instead of acting twice.

static/dashboard/recording.js adds the keys, posts the same forms with fetch (the action then
answers JSON: the state, 409 with it when someone moved on, 400 with the refusal), ticks the
clocks every second from the server's numbers (runsheet.show_clock's sums and thresholds, read
from the page's data attributes), and polls `recording_state` to redraw the page when another
laptop changed it. The services stamp every time on the server (runsheet.services.recording).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dashboard.access import host_episode_or_404
from episodes.formatting import clock
from episodes.models import Episode
from runsheet import selectors, services, show_clock

NO_STORE = {"Cache-Control": "no-store"}
# Every action the page posts: the services' (next, skip, back, pause, resume, stop) and Start.
ACTIONS = frozenset({"start", *services.RECORDING_ACTIONS})
# What recording.js needs to tick the same sums as runsheet.show_clock.
THRESHOLDS = {
    "warn_share": show_clock.WARN_SHARE,
    "warn_min": show_clock.WARN_MIN_SECONDS,
    "show_amber_share": show_clock.SHOW_AMBER_SHARE,
    "show_amber_min": show_clock.SHOW_AMBER_MIN_SECONDS,
}


def live_url(episode: Episode) -> str:
    return reverse("dashboard:recording_live", kwargs={"slug": episode.slug})


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def item_words(left: float) -> str:
    """The live item's countdown: "1:23 left", "0:12 over" (recording.js: itemWords)."""
    return f"{clock(abs(left))} {'over' if round(left) < 0 else 'left'}"


def over_words(over: float) -> str:
    """The show's projected end against its target: "2:10 over", "1:48 under", "on target"
    (recording.js: overWords)."""
    if round(over) == 0:
        return "on target"
    return f"{clock(abs(over))} {'over' if over > 0 else 'under'}"


def state_json(view: selectors.RecordingView) -> dict:
    """The small answer the page polls: enough to tick its clocks and to know when to redraw
    (the recording's or the run-sheet's version changed)."""
    current, following = view.current, view.next
    return {
        "phase": view.phase,
        "recording": view.recording.pk if view.recording else None,
        "recording_version": view.recording.version if view.recording else 0,
        "sheet_version": view.sheet.sheet.version if view.sheet.sheet else 0,
        "now": view.now.isoformat(),
        "clock": view.clock,
        "paused": view.phase == "paused",
        "current": current.key if current else "none",
        "current_title": current.title if current else "",
        "current_elapsed": view.current_elapsed,
        "current_planned": current.planned if current else 0,
        "current_level": view.current_level,
        "next": following.key if following else "none",
        "next_title": following.title if following else "",
        "planned": view.planned,
        "planned_after": view.planned_after,
        "projected": view.projected,
        "over": view.over,
        "target": view.target,
        "show_level": view.show_level,
    }


def _context(view: selectors.RecordingView) -> dict:
    current = view.current
    elapsed = view.current_elapsed or 0.0
    left = (current.planned - elapsed) if current else 0.0
    entries = [row for row in view.steps if row.entry is not None]
    number = next((n for n, row in enumerate(entries, start=1) if row is current), None)
    return {
        "episode": view.episode,
        "nav": "runsheet",
        "view": view,
        "state": state_json(view),
        "thresholds": THRESHOLDS,
        "current": current,
        "following": view.next,
        # Figures as the page words them; recording.js rewrites them every second.
        "item_words": item_words(left),
        "over_words": over_words(view.over),
        "can_go_back": view.can_go_back,
        "entry_number": number,
        "entry_count": len(entries),
    }


@login_required
@require_safe
def recording_live(request, slug: str):
    episode = host_episode_or_404(request, slug)
    view = selectors.recording_view(episode=episode)
    return render(request, "dashboard/recording_live.html", _context(view))


@login_required
@require_safe
def recording_state(request, slug: str):
    """The recording as the page last drew it should be: phase, clock, live step, levels and
    the two versions (a change to either means redraw)."""
    episode = host_episode_or_404(request, slug)
    return JsonResponse(state_json(selectors.recording_view(episode=episode)), headers=NO_STORE)


def _do(request, episode: Episode, action: str) -> str | None:
    """Run the action; the message to show when it starts or ends the recording."""
    if action == "start":
        again = request.POST.get("again") == "1"
        services.recording_start(episode=episode, by=request.user, again=again)
        return "Recording again from the top." if again else "Recording: the clock is running."
    expect = request.POST.get("expect") or None
    services.RECORDING_ACTIONS[action](episode=episode, expect=expect)
    return "Stopped: the recording is over." if action == "stop" else None


@login_required
@require_POST
def recording_action(request, slug: str, action: str):
    """Start, next, skip, back, pause, resume or stop. A plain form post comes back to the
    page (refusals as messages); a script's post (Accept: application/json) is answered with
    the state, 409 with it when someone moved the show on, 400 with the refusal."""
    episode = host_episode_or_404(request, slug)
    if action not in ACTIONS:
        raise Http404("No such recording action.")
    as_json = _wants_json(request)
    try:
        said = _do(request, episode, action)
    except services.RecordingMovedOn as error:
        text = " ".join(error.messages)
        if as_json:
            view = selectors.recording_view(episode=episode)
            return JsonResponse(
                {**state_json(view), "error": text, "moved_on": True}, status=409, headers=NO_STORE
            )
        messages.info(request, text)
        return redirect(live_url(episode))
    except ValidationError as error:
        text = " ".join(error.messages)
        if as_json:
            return JsonResponse({"error": text}, status=400, headers=NO_STORE)
        messages.error(request, text)
        return redirect(live_url(episode))
    if as_json:
        return JsonResponse(state_json(selectors.recording_view(episode=episode)), headers=NO_STORE)
    if said:
        messages.success(request, said)
    return redirect(live_url(episode))
