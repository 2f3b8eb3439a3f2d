"""The HTTP API: FastAPI, versioned under ``/api/v1``, a thin face over the service layer.

Start it with ``exportguard serve``; build it in Python with
:func:`exportguard.api.app.create_app`.
"""
