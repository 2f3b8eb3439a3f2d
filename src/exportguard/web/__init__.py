"""The web UI for compliance officers and reviewers: server-rendered pages over the service layer.

Mounted at ``/`` by :func:`exportguard.api.app.create_app` (see
:func:`exportguard.web.app.install`); the JSON API stays under ``/api/v1``.
"""
