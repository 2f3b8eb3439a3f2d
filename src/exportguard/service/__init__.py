"""The one service layer the faces (CLI, HTTP API, web UI) and the Python API call.

Faces parse and shape; the rules live below this layer.
"""
