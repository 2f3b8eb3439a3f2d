"""Admin: who is signed in, and the API tokens; end a user's sessions (or one session).

Admins only: other roles get 403 (the service layer refuses them too). The
tokens are listed by id, prefix and label; the token itself is never stored
in a readable form, so it cannot be shown.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from exportguard.service.auth import ForbiddenError, list_tokens
from exportguard.service.errors import NotFoundError
from exportguard.service.sessions import end_session, end_sessions, list_sessions
from exportguard.web.auth import WebSession, db_url, require_session
from exportguard.web.forms import posted, text
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


def _refused(request: Request, message: str, status: int = 403) -> Response:
    title = "Not allowed" if status == 403 else "Not found"
    return render(request, "error.html", {"status": status, "title": title,
                                          "message": message}, status_code=status)


@router.get("/admin/sessions", response_model=None)
def sessions_page(request: Request, ended: int | None = None, user: str | None = None,
                  session: WebSession = Depends(require_session)) -> Response:
    actor = session.user
    try:
        rows = list_sessions(actor=actor, db_url=db_url(request))
        tokens = list_tokens(actor=actor, db_url=db_url(request))
    except ForbiddenError as exc:
        return _refused(request, f"{exc}.")
    users = sorted({r["user"] for r in rows})
    done = None
    if ended is not None and user:
        done = f"Ended {ended} session{'' if ended == 1 else 's'} of {user[:200]}."
    return render(request, "admin_sessions.html", {
        "rows": rows, "tokens": tokens, "users": users, "done": done}, page="admin")


@router.post("/admin/sessions/end", response_model=None)
async def end_user_sessions(request: Request) -> Response:
    session, form = await posted(request)
    assert session is not None
    user = text(form, "user")
    try:
        n = await run_in_threadpool(end_sessions, user, session.user, db_url(request))
    except ForbiddenError as exc:
        return _refused(request, f"{exc}.")
    except NotFoundError as exc:
        return _refused(request, str(exc), 404)
    return RedirectResponse(f"/admin/sessions?ended={n}&user={_q(user)}", status_code=303)


@router.post("/admin/sessions/{session_pk}/end", response_model=None)
async def end_one_session(request: Request, session_pk: int) -> Response:
    session, _form = await posted(request)
    assert session is not None
    try:
        user, n = await run_in_threadpool(end_session, session_pk, session.user,
                                          db_url(request))
    except ForbiddenError as exc:
        return _refused(request, f"{exc}.")
    except NotFoundError as exc:
        return _refused(request, str(exc), 404)
    return RedirectResponse(f"/admin/sessions?ended={n}&user={_q(user)}", status_code=303)


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
