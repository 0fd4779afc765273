"""The analysts' web UI: server-rendered pages (FastAPI + Jinja2), a JSON API, an admin.

``create_app(settings)`` builds the application; ``veille serve`` runs it with uvicorn.
"""

from __future__ import annotations

from veille.web.app import create_app

__all__ = ["create_app"]
