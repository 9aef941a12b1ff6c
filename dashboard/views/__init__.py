"""Every /host/ page: thin views (load with the access guard, a form, a service, a redirect).

- `episodes`: the host's list of episodes;
- `submissions`: the inbox, one submission, and a POST view per decision;
- `topics`: the essay's sections as topics, and the essay import.
Audio streaming is in dashboard/media.py.
"""
