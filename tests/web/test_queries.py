"""One search-query builder: the pages, the API and the commands build the same query from the
same values, check them against the same limits, and say the same error each its own way."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from veille import queries
from veille.queries import ParameterError, figure_query, search_query
from veille.web.params import figure_params, search_params


def test_the_pages_build_what_the_builder_builds() -> None:
    web = search_params(
        QueryParams("q=emploi&since=2025-01-01&source=a&source=b&statut=target&min_value=1+000%2C5")
    )
    assert web.query() == search_query(
        text="emploi", since=date(2025, 1, 1), sources=["a", "b"], status=["target"], min_value=1000.5
    )
    web_figures = figure_params(
        QueryParams("unit=MAD&indicateur=exportations&per_page=25&page=3&order=value")
    )
    assert web_figures.query() == figure_query(
        unit="MAD", indicator="exportations", limit=25, offset=50, order="value"
    )
    assert (web_figures.page, web_figures.per_page, web_figures.unit) == (3, 25, "MAD")


def test_one_error_said_three_ways(client: TestClient, veille) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError) as caught:
        figure_query(indicator="emplois")
    assert (caught.value.field, caught.value.reason, caught.value.value) == ("indicator", "choice", "emplois")
    page = client.get("/chiffres", params={"indicateur": "emplois"})
    assert page.status_code == 400 and "« indicateur » : « emplois » inconnu" in page.text
    api = client.get("/api/figures", params={"indicator": "emplois"})
    assert api.status_code == 400 and api.json()["detail"].startswith("« indicator » : « emplois » inconnu")
    code, _, err = veille("figures", "--indicator", "emplois")
    assert code == 2 and err.startswith("Error: --indicator: unknown indicator 'emplois' (known: ")
    # a range names both ends
    assert "« depuis » est postérieure à « jusqu'au »" in client.get(
        "/chiffres", params={"since": "2025-05-01", "until": "2025-01-01"}
    ).text.replace("&#39;", "'")
    api = client.get("/api/search", params={"min_value": "5", "max_value": "1"})
    assert api.json()["detail"] == "« min_value » est supérieure à « max_value »."
    code, _, err = veille("search", "emploi", "--min-value", "5", "--max-value", "1")
    assert code == 2 and err == "Error: --min-value is above --max-value\n"
    code, _, err = veille("search", "emploi", "--unit", "bananes")
    assert code == 2 and "--unit: unknown unit 'bananes'" in err


def test_one_set_of_limits(client: TestClient, veille) -> None:  # type: ignore[no-untyped-def]
    most = queries.MAX_HITS
    assert client.get("/", params={"per_page": most}).status_code == 200
    assert client.get("/", params={"per_page": most + 1}).status_code == 400
    assert client.get("/api/search", params={"limit": most}).status_code == 200
    assert client.get("/api/search", params={"limit": most + 1}).status_code == 400
    assert veille("search", "emploi", "--limit", str(most))[0] == 0
    assert veille("search", "emploi", "--limit", str(most + 1))[0] == 2
    rows = queries.MAX_ROWS
    assert client.get("/chiffres", params={"per_page": rows + 1}).status_code == 400
    assert client.get("/api/figures", params={"limit": rows + 1}).status_code == 400
    assert veille("figures", "--limit", str(rows + 1))[0] == 2
    long = "x" * (queries.MAX_TEXT + 1)
    assert "trop long" in client.get("/", params={"q": long}).text
    assert client.get("/api/search", params={"q": long}).status_code == 400
    code, _, err = veille("search", long)
    assert code == 2 and f"the query: too long ({len(long)} characters, at most {queries.MAX_TEXT})" in err
    # a page beyond the last one a listing can reach
    last = queries.last_page(20)
    with pytest.raises(ParameterError):
        search_query(page=last + 1, limit=20)
    assert search_query(page=last, limit=20).offset == queries.MAX_OFFSET
    schema = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    limit = next(p for p in schema if p["name"] == "limit")["schema"]
    assert limit["maximum"] == most  # the API's schema says the builder's limits


@pytest.mark.parametrize(
    "values, field, reason",
    [
        ({"since": "hier"}, "since", "date"),
        ({"since": "1800-01-01"}, "since", "year"),
        ({"min_value": "beaucoup"}, "min_value", "number"),
        ({"min_value": float("nan")}, "min_value", "number"),
        ({"page": "deux"}, "page", "whole"),
        ({"limit": 0}, "limit", "bounds"),
        ({"offset": queries.MAX_OFFSET + 1}, "offset", "bounds"),
        ({"status": ["fini"]}, "status", "choice"),
        ({"order": "hasard"}, "order", "choice"),
        ({"org": "x" * (queries.MAX_NAME + 1)}, "org", "long"),
        ({"sources": ["s"] * 3 + [f"s{i}" for i in range(queries.MAX_SOURCES)]}, "sources", "many"),
        ({"until": "2025-01-01", "since": "2025-02-01"}, "since", "order"),
    ],
)
def test_what_the_builder_refuses(values: dict, field: str, reason: str) -> None:
    with pytest.raises(ParameterError) as caught:
        search_query(**values)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert caught.value.french({}) and caught.value.english({})  # a message in each language


def test_empty_values_mean_no_filter() -> None:
    assert (
        search_query(text=" ", since="", unit="", status=["", " "], min_value="", page="") == search_query()
    )
    assert search_query().order == "date" and search_query(text="emploi").order == "relevance"
    assert figure_query(article_id="", limit="") == figure_query()


def test_the_orders_are_the_searchs() -> None:
    from veille.archive import search as s

    assert (queries.SEARCH_ORDERS, queries.FIGURE_ORDERS) == (s.ORDERS, s.FIGURE_ORDERS)


def test_web_toml_per_page_stops_where_the_builder_does() -> None:
    """The ground cannot import the shell's limits: web.toml's bound is written there again,
    and held equal to the builder's here."""
    from pydantic import ValidationError

    from veille.core.conf.web import WebSection

    assert WebSection(per_page=queries.MAX_HITS).per_page == queries.MAX_HITS
    with pytest.raises(ValidationError):
        WebSection(per_page=queries.MAX_HITS + 1)
