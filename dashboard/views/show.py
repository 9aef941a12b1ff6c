"""The show's own page in the dashboard: its name, tagline, artwork, website and contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dashboard.forms.show import ShowForm
from episodes import services


@login_required  # any host: there is one show per install, and every host works on it
@require_http_methods(["GET", "POST"])
def show_update(request):
    show = services.show_get()
    if request.method == "POST":
        form = ShowForm(request.POST, request.FILES, instance=show)
        if form.is_valid():
            data = form.cleaned_data
            services.show_update(
                name=data["name"],
                tagline=data["tagline"],
                website=data["website"],
                contact_email=data["contact_email"],
                artwork=request.FILES.get("artwork"),
                remove_artwork=data["remove_artwork"],
            )
            messages.success(request, "Saved the show's details.")
            return redirect("dashboard:show_update")
        show.refresh_from_db()  # the bound form may have changed the instance in memory
    else:
        form = ShowForm(instance=show)
    return render(request, "dashboard/show_form.html", {"form": form, "show": show})
