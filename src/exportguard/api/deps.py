"""Small dependencies the routers share (the store URL of this app)."""

from __future__ import annotations

from fastapi import Request


async def db_url(request: Request) -> str:
    return str(request.app.state.settings.db_url)
