"""Exceptions the web layer turns into responses (see :func:`veille.web.app.create_app`)."""

from __future__ import annotations


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
