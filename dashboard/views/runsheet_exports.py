"""Run-sheet downloads: Markdown, CSV and the audio bundle. (Stub: being built.)"""

from django.http import HttpResponse


def runsheet_export(request, slug: str, fmt: str):
    return HttpResponse("Not built yet", status=501)
