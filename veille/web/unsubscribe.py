"""``/unsubscribe/{token}``: the digest's unsubscribe link (GET) and one-click POST (RFC 8058).

GET shows a confirmation page with a button (link scanners and previews fetch GET, so it
never unsubscribes by itself); POST unsubscribes, with or without the
``List-Unsubscribe=One-Click`` body mail clients send. The signed token is the only
credential: no cookie, no CSRF token, no redirect (RFC 8058 §3). Unsubscribing twice is
not an error. Uses ``request.app.state.store`` and the links' key the settings carry
(``request.app.state.settings.secrets``).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from veille.archive.subscribers import (
    InvalidToken,
    SecretKeyMissing,
    set_status,
    verify_unsubscribe_token,
)

router = APIRouter()

_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:Arial,Helvetica,sans-serif;max-width:640px;margin:0 auto;padding:24px 16px;color:#1f2933;line-height:1.5}}
button{{font-size:16px;padding:10px 18px;background:#1f5f8b;color:#fff;border:0;border-radius:4px;cursor:pointer}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(title=escape(title), body=body),
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _invalid() -> HTMLResponse:
    return _page(
        "Lien de désinscription invalide",
        "<p>Ce lien ne correspond à aucun abonnement. Il a peut-être été copié incomplètement : "
        "utilisez le lien du dernier courriel reçu, ou répondez à ce courriel pour être désinscrit.</p>",
        404,
    )


def _unavailable() -> HTMLResponse:
    return _page(
        "Désinscription momentanément indisponible",
        "<p>Le service ne peut pas vérifier ce lien pour le moment. Réessayez plus tard "
        "ou répondez au courriel pour être désinscrit.</p>",
        503,
    )


def _key(request: Request) -> bytes:
    """``VEILLE_SECRET_KEY`` from the app's settings; ``SecretKeyMissing`` when it is not set."""
    return bytes(request.app.state.settings.secrets.link_key())


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm_page(request: Request, token: str) -> HTMLResponse:
    try:
        sub = verify_unsubscribe_token(request.app.state.store, token, secret=_key(request))
    except InvalidToken:
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    if not sub.active:
        return _page(
            "Vous êtes désinscrit", f"<p>L'adresse {escape(sub.email)} ne reçoit plus la veille.</p>"
        )
    return _page(
        "Se désinscrire de la veille",
        f"<p>L'adresse <strong>{escape(sub.email)}</strong> ne recevra plus la lettre hebdomadaire.</p>"
        f'<form method="post" action="/unsubscribe/{escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Confirmer la désinscription</button></form>',
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def one_click(request: Request, token: str) -> HTMLResponse:
    try:
        sub = verify_unsubscribe_token(request.app.state.store, token, secret=_key(request))
    except InvalidToken:
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    set_status(request.app.state.store, sub.id, "unsubscribed")
    return _page(
        "Vous êtes désinscrit",
        f"<p>L'adresse {escape(sub.email)} ne recevra plus la veille. Pour vous réabonner, écrivez-nous.</p>",
    )
