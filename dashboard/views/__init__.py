"""Every /host/ page: thin views (load with the access guard, a form, a service, a redirect).

- `episodes`: the host's list of episodes;
- `submissions`: the inbox, one submission, and a POST view per decision;
- `topics`: the essay's sections as topics, and the essay import;
- `runsheet`: the run-sheet page, its segments and questions, and the JSON reorder that drag
  and drop posts; `runsheet_exports`: its downloads (Markdown, CSV, audio bundle).
Audio streaming is in dashboard/media.py.
"""
