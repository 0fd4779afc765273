"""Exceptions the web layer turns into responses, and the error response itself (a French page,
or JSON under ``/api/``), shared by the app's handlers and the middleware."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response


class BadRequest(Exception):
    """A parameter the user can fix: answered with 400 and this (French) message."""


class LoginRequired(Exception):
    """The page needs the admin login: a redirect to the login page (401 on the API)."""


def french_query_error(exc: Exception) -> str:
    """The search module's one-line errors, for a French reader."""
    msg = str(exc)
    if "too long" in msg:
        return "Le texte recherché est trop long : raccourcissez-le."
    if "too many search terms" in msg:
        return "Trop de mots dans la recherche (32 au plus) : raccourcissez-la."
    if "only excludes" in msg:
        return "La recherche ne fait qu'exclure des mots : ajoutez au moins un mot à chercher."
    if "nothing to search for" in msg:
        return "Rien à chercher dans ce texte : tapez un ou plusieurs mots."
    return f"La recherche n'a pas pu être interprétée ({msg})."


STATUS_TITLES = {
    400: "Requête invalide",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    414: "Adresse trop longue",
    429: "Trop de tentatives",
    500: "Erreur interne",
}
STATUS_MESSAGES = {
    404: "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou repartez de la recherche.",
    405: "Cette adresse n'accepte pas cette méthode.",
    500: "Une erreur inattendue s'est produite ; elle a été consignée. Réessayez dans un instant.",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    message = message or STATUS_MESSAGES.get(status) or STATUS_TITLES.get(status, "Erreur")
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    renderer = request.app.state.renderer  # veille.web.render.Renderer
    return renderer.page(
        request,
        "error.html",
        {"status": status, "title": STATUS_TITLES.get(status, "Erreur"), "message": message},
        status=status,
    )
