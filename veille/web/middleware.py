"""One ASGI middleware for what every response needs.

- refuses query strings or paths over 2 KB with a polite 414, before any routing;
- loads the signed session (``scope["state"]["session"]``) and sends it back when it changed;
- adds the security headers: a CSP without inline scripts or styles, nosniff,
  Referrer-Policy, frame-ancestors 'none' (X-Frame-Options DENY for old browsers).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille.web.errors import error_response

MAX_URL_PART = 2048
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The digest's unsubscribe pages (veille/web/unsubscribe.py) are self-contained with an
# inline <style>: they get inline styles, still no script.
CSP_INLINE_STYLE = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class VeilleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        sessions = scope["app"].state.sessions
        session = sessions.load(request, scope["app"].state.store)
        state["session"] = session
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if path.startswith("/unsubscribe/") and headers["content-security-policy"] == CSP:
                    headers["content-security-policy"] = CSP_INLINE_STYLE
                if https:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if path.startswith("/admin") or path == "/connexion":
                    headers["cache-control"] = "no-store"
                if session.dirty:
                    cookie = Response()
                    cookie.set_cookie(value=sessions.dump(session), **sessions.cookie_kwargs(request))
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        query: bytes = scope.get("query_string", b"")
        raw_path: bytes = scope.get("raw_path") or path.encode()
        if len(query) > MAX_URL_PART or len(raw_path) > MAX_URL_PART:
            response = error_response(
                request,
                414,
                "La requête est trop longue (plus de 2 Ko) : raccourcissez le texte recherché ou retirez des filtres.",
            )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
