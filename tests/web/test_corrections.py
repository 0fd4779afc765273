"""Corrections on the web: an analyste confirms, corrects, rejects and adds figures, marks an
article "vérifié", merges and splits organisations; bad values are refused with one message; a
lecteur cannot correct; two analysts on one figure: the later one sees the earlier change."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.archive import EXPORT_TEXT, Fixture
from tests.web.conftest import csrf_of, login
from veille.archive import accounts as acc
from veille.archive.store import Store

ANALYSTE, AUTRE, LECTEUR = ("nadia@example.ma", "analyse-2026"), ("karim@example.ma", "analyse-2027"), ("lea@example.ma", "lecture-2026")  # fmt: skip
S18 = EXPORT_TEXT.index("18 milliards de DH")
KEY = f"{S18}-{S18 + len('18 milliards de DH')}"
FIELDS = {"value": "20 000 000 000", "unit": "MAD", "period": "2024", "indicator": "exportations", "status": "actual",
          "organisations": "Agence de développement du digital"}  # fmt: skip


@pytest.fixture
def analyst(client: TestClient, archive: tuple[Store, Fixture]) -> TestClient:
    store = archive[0]
    for email, password, role in (ANALYSTE + ("analyste",), AUTRE + ("analyste",), LECTEUR + ("lecteur",)):
        acc.add_account(store, email, role=role, password=password)
    login(client, ANALYSTE[1], ANALYSTE[0])
    return client


def _text(client: TestClient, path: str) -> str:
    """A page's text, its non-breaking spaces plain ones."""
    return html.unescape(client.get(path).text).replace("\u00a0", " ").replace("\u202f", " ")


def _form(client: TestClient, path: str) -> tuple[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    version = re.search(r'name="version" value="(\d+)"', page.text)
    return csrf_of(page.text), version.group(1) if version else "0"


def test_correct_a_figure_and_every_page_shows_it(analyst: TestClient, fx: Fixture) -> None:
    aid = fx.ids["export"]
    article = analyst.get(f"/articles/{aid}").text
    assert f'href="/articles/{aid}/chiffres/{KEY}">Corriger' in article and "Marquer « vérifié »" in article
    token, version = _form(analyst, f"/articles/{aid}/chiffres/{KEY}")
    r = analyst.post(
        f"/articles/{aid}/chiffres/{KEY}",
        data={"csrf": token, "version": version, "action": "correct", **FIELDS},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?ok=correct")
    page = _text(analyst, r.headers["location"])
    assert "Chiffre corrigé." in page and "corrigé par nadia@example.ma" in page and "20 milliards" in page
    assert "20 milliards" in _text(analyst, f"/articles/{aid}")
    csv = analyst.get("/chiffres.csv?copies=1").text
    assert "20000000000" in csv.replace(".0", "")
    assert "nadia@example.ma" in analyst.get("/corrections").text


def test_bad_values_are_refused_and_a_lecteur_cannot_correct(analyst: TestClient, fx: Fixture) -> None:
    aid = fx.ids["export"]
    token, version = _form(analyst, f"/articles/{aid}/chiffres/{KEY}")
    for change, said in (({"unit": "tonnes"}, "l'unité « tonnes » est inconnue"),
                         ({"unit": "jobs", "value": "-3", "indicator": "effectif"}, "ne peut pas être négative")):  # fmt: skip
        r = analyst.post(f"/articles/{aid}/chiffres/{KEY}",
                         data={"csrf": token, "version": version, "action": "correct", **FIELDS, **change})  # fmt: skip
        assert r.status_code == 400 and said in html.unescape(r.text)
    assert "18 milliards" in _text(analyst, f"/articles/{aid}")  # nothing changed
    analyst.cookies.clear()
    login(analyst, LECTEUR[1], LECTEUR[0])
    assert "Corriger" not in _text(analyst, f"/articles/{aid}")
    token = csrf_of(analyst.get("/").text)
    r = analyst.post(
        f"/articles/{aid}/chiffres/{KEY}", data={"csrf": token, "version": "0", "action": "reject"}
    )
    assert r.status_code == 403 and "réservée aux analystes" in r.text
    assert analyst.get(f"/articles/{aid}/chiffres/{KEY}").status_code == 403


def test_two_analysts_on_one_figure(analyst: TestClient, fx: Fixture, web_settings, archive) -> None:  # type: ignore[no-untyped-def]
    from veille.web import create_app

    aid = fx.ids["export"]
    token, version = _form(analyst, f"/articles/{aid}/chiffres/{KEY}")  # Nadia opens the form
    with TestClient(create_app(web_settings, store=archive[0]), follow_redirects=False) as other:
        login(other, AUTRE[1], AUTRE[0])
        t2, v2 = _form(other, f"/articles/{aid}/chiffres/{KEY}")
        r = other.post(
            f"/articles/{aid}/chiffres/{KEY}", data={"csrf": t2, "version": v2, "action": "reject"}
        )
        assert r.status_code == 303  # Karim rejects it first
    r = analyst.post(
        f"/articles/{aid}/chiffres/{KEY}",
        data={"csrf": token, "version": version, "action": "correct", **FIELDS},
    )
    assert r.status_code == 409
    assert "karim@example.ma l'a rejeté" in html.unescape(r.text) and "Confirmer ma correction" in r.text
    assert 'name="version" value="1"' in r.text and 'value="20 000 000 000"' in r.text  # her values kept
    r = analyst.post(
        f"/articles/{aid}/chiffres/{KEY}", data={"csrf": token, "version": "1", "action": "correct", **FIELDS}
    )
    assert r.status_code == 303
    assert "20 milliards" in _text(analyst, f"/articles/{aid}")


def test_add_a_missed_figure_and_mark_verified(analyst: TestClient, fx: Fixture) -> None:
    aid = fx.ids["export"]
    token = csrf_of(_text(analyst, f"/articles/{aid}"))
    start = EXPORT_TEXT.index("2030")
    data = {
        "csrf": token,
        "words": "2030",
        "start": str(start),
        "end": str(start + 4),
        "value": "2030",
        "unit": "count",
    }
    r = analyst.post(f"/articles/{aid}/chiffres", data=data)
    assert (
        r.status_code == 303
        and r.headers["location"] == f"/articles/{aid}/chiffres/{start}-{start + 4}?ok=add"
    )
    r = analyst.post(f"/articles/{aid}/chiffres", data={**data, "words": "130 000", "start": "0", "end": "0"})
    assert r.status_code == 303 and "erreur=" in r.headers["location"]
    assert "recouvrent le chiffre" in analyst.get(r.headers["location"]).text
    r = analyst.post(f"/articles/{aid}/verifie", data={"csrf": token})
    assert r.status_code == 303
    page = analyst.get(r.headers["location"]).text
    assert "Vérifié par nadia@example.ma" in page and page.count("confirmé par nadia@example.ma") == 2
    assert "ajouté par nadia@example.ma" in page


def test_merge_and_split_organisations(analyst: TestClient, fx: Fixture) -> None:
    page = analyst.get("/regroupements?org=APEBI")
    assert page.status_code == 200 and "Scinder" in page.text
    token = csrf_of(page.text)
    mention = re.search(r'name="mention" value="([\d:]+)"', page.text).group(1)
    r = analyst.post("/regroupements/scission", data={"csrf": token, "source": "APEBI", "target": "Apebi Services",
                                                      "kind": "company", "mention": mention})  # fmt: skip
    assert r.status_code == 303
    assert analyst.get("/organisations/Apebi%20Services").status_code == 200
    r = analyst.post(
        "/regroupements/fusion", data={"csrf": token, "source": "Apebi Services", "target": "Inconnue"}
    )
    assert r.status_code == 400 and "Organisation inconnue" in html.unescape(r.text)
    r = analyst.post(
        "/regroupements/fusion", data={"csrf": token, "source": "Apebi Services", "target": "MedZ"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/organisations/MedZ")
    page = analyst.get(r.headers["location"]).text
    assert "Organisations fusionnées." in page and 'href="/regroupements?org=MedZ"' in page


def test_cli_lists_exports_the_verified_articles_and_folds_the_gazetteer(
    analyst: TestClient, fx: Fixture, veille, web_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from pipeline.evaluation import realpress as rp

    aid = fx.ids["export"]
    token, version = _form(analyst, f"/articles/{aid}/chiffres/{KEY}")
    analyst.post(
        f"/articles/{aid}/chiffres/{KEY}",
        data={"csrf": token, "version": version, "action": "correct", **FIELDS},
    )
    analyst.post(f"/articles/{aid}/verifie", data={"csrf": token})
    page = analyst.get("/regroupements?org=MedZ").text
    analyst.post("/regroupements/fusion", data={"csrf": csrf_of(page), "source": "MedZ", "target": "APEBI"})

    code, out, err = veille("corrections", "list")
    assert code == 0 and out.count("nadia@example.ma") == 2 and "correct" in out and "confirm" in out, err
    code, out, _ = veille("corrections", "list", "--stale")
    assert code == 0 and "nadia" not in out
    code, out, err = veille("corrections", "export", str(tmp_path / "gold"))
    assert code == 0 and out.startswith("1 verified articles, 2 figures written"), (out, err)
    (excerpt,) = rp.load_half(tmp_path / "gold")  # the gold format the scorers read
    assert sorted((f.text, f.value) for f in excerpt.article.figures) == [
        ("130 000 personnes", 130000.0),
        ("18 milliards de DH", 2e10),
    ]
    assert excerpt.meta["annotator"].startswith("nadia@example.ma ")
    # the extractor scored against them: the figure the analyst corrected is one it misses
    import subprocess
    import sys

    from tests.conftest import REPO

    bench = [
        sys.executable,
        str(REPO / "bench" / "extraction_quality.py"),
        "--corrections",
        str(tmp_path / "gold"),
    ]
    done = subprocess.run(bench, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "== corrections: " in done.stdout, done.stdout + done.stderr
    assert "(tp=1 fp=1 fn=1)" in done.stdout  # 130 000 personnes found; 18 milliards is not the 20 kept
    assert re.search(r"MAD +P=0\.000 R=0\.000 .*\(tp=0 fp=1 fn=1\)", done.stdout), done.stdout
    code, out, err = veille("orgs", "export-gazetteer", "-o", str(tmp_path / "organisations.toml"))
    assert code == 0 and "merged MedZ into Fédération marocaine des technologies de l'information" in out, (
        out,
        err,
    )
    import tomllib

    entries = tomllib.loads((tmp_path / "organisations.toml").read_text(encoding="utf-8"))["organisation"]
    # the archive's name is an alias of the file's entry for the APEBI: MedZ joins that entry
    (apebi,) = [e for e in entries if "APEBI" in e.get("acronyms", [])]
    assert "medz" in {f.lower() for f in apebi.get("aliases", []) + apebi.get("acronyms", [])}
    assert not [
        e for e in entries if "MEDZ" in e.get("acronyms", []) and e is not apebi
    ]  # its own entry went
    assert "# Gazetteer" in (tmp_path / "organisations.toml").read_text(encoding="utf-8")  # comments kept
