"""The run-sheet page and its actions. (Stubs: being built.)"""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


runsheet_page = runsheet_start = runsheet_reorder = _todo
segment_create = segment_update = segment_move = segment_delete = segment_add_all = _todo
entry_add = entry_update = entry_move = entry_remove = entry_passage = _todo
