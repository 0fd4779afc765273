"""The digest review in the admin (/admin/lettre): login, CSRF, pin, exclude, restore, preview."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from digest.review import compose_reviewed
from tests.web.archive import Fixture
from tests.web.conftest import csrf_of, login
from veille.archive import schema as t
from veille.archive.digests import digest_of
from veille.archive.store import Store
from veille.core.conf.digest import DigestConfig
from veille.web.review import coming_week

WEEK = "2025-W12"  # Teleperformance/Majorel (0.85) and the trapped article (0.6)
CONFIG = DigestConfig()


@pytest.fixture
def store(archive: tuple[Store, Fixture]) -> Store:
    """The archive without the fixture's digest of 2025-W12 (sent): that week is still to review."""
    with archive[0].engine.begin() as conn:
        conn.execute(sa.delete(t.digests).where(t.digests.c.period == WEEK))
    return archive[0]


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def _post(client: TestClient, action: str, article: int, week: str = WEEK, csrf: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf if csrf is not None else csrf_of(client.get(f"/admin/lettre?semaine={week}").text)
    return client.post(
        f"/admin/lettre/{action}", data={"csrf": token, "semaine": week, "article": str(article)}
    )


def test_review_needs_the_login(client: TestClient) -> None:
    r = client.get("/admin/lettre?semaine=2025-W12")
    assert r.status_code == 303
    assert r.headers["location"] == "/connexion?suite=%2Fadmin%2Flettre%3Fsemaine%3D2025-W12"
    assert client.get("/admin/lettre/apercu").status_code == 303
    r = client.post("/admin/lettre/epingler", data={"semaine": WEEK, "article": "1"})
    assert r.status_code in (303, 403)


def test_review_page_shows_the_week(client: TestClient, store: Store, fx: Fixture) -> None:
    login(client)
    r = client.get(f"/admin/lettre?semaine={WEEK}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "semaine 12 (17–23 mars 2025)" in r.text
    assert f'id="article-{fx.ids["majorel"]}"' in r.text
    assert "Épingler" in r.text and "Retirer" in r.text
    assert "Chiffres clés" in r.text and "1,2 milliard" in r.text
    assert "Organisations de la semaine" in r.text and "Teleperformance" in r.text
    assert 'src="/admin/lettre/apercu?semaine=2025-W12"' in r.text
    assert "<script>window.pwned" not in r.text  # scraped titles are escaped
    assert client.get("/admin/lettre?semaine=2025-W99").status_code == 400
    # a target is labelled as one in the draft's key figures, after the realised figures
    fes = client.get("/admin/lettre?semaine=2025-W06").text
    assert '<span class="statut statut-target">Objectif</span><br>3\u00a0000\u00a0emplois' in fes
    assert fes.index("250\u00a0000\u00a0m²") < fes.index("statut-target")
    assert client.get("/admin/lettre?semaine=n'importe quoi").status_code == 400


def test_default_week_is_the_coming_digest(client: TestClient) -> None:
    login(client)
    r = client.get("/admin/lettre")
    assert r.status_code == 200
    assert f'name="semaine" value="{coming_week(CONFIG).id}"' in r.text
    # Sunday 23:30 UTC is already Monday in Casablanca (UTC+1): the next week
    assert coming_week(CONFIG, datetime(2026, 11, 29, 23, 30, tzinfo=UTC)).id == "2026-W49"
    assert coming_week(CONFIG, datetime(2026, 11, 29, 22, 30, tzinfo=UTC)).id == "2026-W48"


def test_forms_need_the_csrf_token(client: TestClient, store: Store, fx: Fixture) -> None:
    login(client)
    r = _post(client, "epingler", fx.ids["evil"], csrf="forgé")
    assert r.status_code == 403 and "Jeton de sécurité" in r.text
    r = client.post("/admin/lettre/epingler", data={"semaine": WEEK, "article": str(fx.ids["evil"])})
    assert r.status_code == 403
    r = client.post("/admin/lettre/preparer", data={"semaine": WEEK})
    assert r.status_code == 403
    assert digest_of(store, WEEK) is None


def test_pin_puts_the_article_first_for_the_send(client: TestClient, store: Store, fx: Fixture) -> None:
    login(client)
    before = compose_reviewed(store, CONFIG, WEEK)
    evil = fx.ids["evil"]
    assert not any(s.pinned for s in before.stories)
    r = _post(client, "epingler", evil)
    assert (
        r.status_code == 303
        and r.headers["location"] == f"/admin/lettre?semaine={WEEK}&ok=epingler#article-{evil}"
    )
    draft = digest_of(store, WEEK)
    assert draft is not None and draft.pinned == (evil,) and draft.status == "draft"
    assert draft.html and draft.built_at  # the stored draft was rebuilt with the pin
    after = compose_reviewed(store, CONFIG, WEEK)  # what `veille digest send` composes
    section = next(x for x in after.sections if evil in [s.article_id for s in x.stories])
    assert section.stories[0].article_id == evil and section.stories[0].pinned  # first of its theme
    talents = fx.ids["talents"]  # from another week: pinning brings it into this one
    _post(client, "epingler", talents)
    assert digest_of(store, WEEK).pinned == (evil, talents)  # type: ignore[union-attr]
    stories = compose_reviewed(store, CONFIG, WEEK).stories
    assert next(s for s in stories if s.article_id == talents).pinned
    _post(client, "desepingler", talents)
    page = client.get(r.headers["location"])
    assert "Article épinglé" in page.text and "Désépingler" in page.text
    r = _post(client, "desepingler", evil)
    assert digest_of(store, WEEK).pinned == ()  # type: ignore[union-attr]


def test_exclude_removes_then_restore_brings_back(client: TestClient, store: Store, fx: Fixture) -> None:
    login(client)
    majorel = fx.ids["majorel"]
    assert majorel in [s.article_id for s in compose_reviewed(store, CONFIG, WEEK).stories]
    r = _post(client, "retirer", majorel)
    assert r.status_code == 303
    assert digest_of(store, WEEK).excluded == (majorel,)  # type: ignore[union-attr]
    assert majorel not in [s.article_id for s in compose_reviewed(store, CONFIG, WEEK).stories]
    page = client.get(f"/admin/lettre?semaine={WEEK}").text
    retired = page.split("Articles retirés", 1)[1]
    assert f'id="article-{majorel}"' in retired and "Rétablir" in retired
    assert "Teleperformance et Majorel" not in client.get(f"/admin/lettre/apercu?semaine={WEEK}").text
    _post(client, "retablir", majorel)
    assert digest_of(store, WEEK).excluded == ()  # type: ignore[union-attr]
    assert majorel in [s.article_id for s in compose_reviewed(store, CONFIG, WEEK).stories]


def test_unknown_article_and_sent_digest_are_refused(client: TestClient, store: Store, fx: Fixture) -> None:
    login(client)
    r = _post(client, "epingler", 999999)
    assert r.status_code == 400 and "Aucun article n° 999999" in r.text
    assert _post(client, "effacer", fx.ids["evil"]).status_code == 404
    from veille.archive.digests import save_digest

    save_digest(store, WEEK, status="sent", html="<p>envoyée</p>")
    r = _post(client, "retirer", fx.ids["majorel"])
    assert r.status_code == 409 and "déjà partie" in r.text
    r = _post(client, "retablir", fx.ids["majorel"])  # would rebuild the stored email: refused too
    assert r.status_code == 409
    draft = digest_of(store, WEEK)
    assert draft is not None and draft.excluded == () and draft.html == "<p>envoyée</p>"
    assert re.search(r"<button type=\"submit\" class=\"danger\" disabled>Retirer", r.text)


def test_preview_is_sanitised_and_framable(client: TestClient, store: Store) -> None:
    login(client)
    r = client.get(f"/admin/lettre/apercu?semaine={WEEK}")
    assert r.status_code == 200
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert "Bonjour Lectrice Exemple" in r.text and "Teleperformance" in r.text
    tags = _tags(r.text)
    assert tags and "script" not in {tag for tag, _ in tags}
    assert not [
        a for _, attrs in tags for a, v in attrs if a.startswith("on") or (v or "").startswith("javascript:")
    ]


def test_prepare_stores_the_draft(client: TestClient, store: Store) -> None:
    login(client)
    token = csrf_of(client.get(f"/admin/lettre?semaine={WEEK}").text)
    r = client.post("/admin/lettre/preparer", data={"csrf": token, "semaine": WEEK})
    assert r.status_code == 303
    draft = digest_of(store, WEEK)
    assert draft is not None and draft.status == "draft" and "Teleperformance" in (draft.html or "")
    assert "Brouillon préparé" in client.get(r.headers["location"]).text
