"""The floor plan holds: every package and module of Veille is named, with its layer, in
``docs/architecture.md``, and the imports read from the code (ast, every import statement,
those inside functions and ``TYPE_CHECKING`` blocks too) only go down a floor, never from one
stage to another, and never round in a circle between files."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

ROOTS = ("veille", "spiders", "pipeline", "digest")
RANK = {"ground": 0, "archive": 1, "stage": 2, "shell": 3}
# Alembic loads the revisions by path; they import the archive and the ground only (checked below)
REVISIONS = Path("veille/archive/migrations/versions")
ROW = re.compile(r"^\|\s*(ground|archive|stage|shell)\s*\|\s*`([\w.]+)`\s*\|(.*)\|\s*$")


def code_modules(repo: Path = REPO) -> dict[str, Path]:
    """Dotted name -> file, for every module of the four packages (a package is its __init__)."""
    out = {}
    for root in ROOTS:
        for path in sorted((repo / root).rglob("*.py")):
            rel = path.relative_to(repo)
            if REVISIONS in rel.parents:
                continue
            parts = rel.with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def layer_map(doc: Path = REPO / "docs" / "architecture.md") -> dict[str, tuple[str, str]]:
    """Module -> (layer, package) from the table of docs/architecture.md: a row per package,
    its layer, and its modules in backquotes (``__init__`` for the package's own file)."""
    out: dict[str, tuple[str, str]] = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if not m:
            continue
        layer, package, modules = m.groups()
        for mod in re.findall(r"`(\w+)`", modules):
            out[package if mod == "__init__" else f"{package}.{mod}"] = (layer, package)
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(module of ours imported, line) for each import in the file, resolved to the longest
    module name that exists (``from veille.archive.search import limits`` -> the limits module)."""

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ROOTS and (target := resolve(alias.name)):
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                full = ".".join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ""
            if full.split(".")[0] not in ROOTS:
                continue
            for alias in node.names:
                target = resolve(f"{full}.{alias.name}") if f"{full}.{alias.name}" in known else resolve(full)
                if target:
                    yield target, node.lineno


def graph(repo: Path = REPO) -> tuple[dict[str, Path], dict[str, dict[str, int]]]:
    known = code_modules(repo)
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges[name] = {t: line for t, line in imports(name, path, known) if t != name}
    return known, edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def violations(layers: dict[str, tuple[str, str]], edges: dict[str, dict[str, int]]) -> list[str]:
    """Each import that goes up a floor or from one stage to another, as "file:line: why"."""
    out = []
    for src, targets in sorted(edges.items()):
        s_layer, s_pkg = layers[src]
        for dst, line in sorted(targets.items()):
            d_layer, d_pkg = layers[dst]
            where = f"{src.replace('.', '/')}:{line}"
            if RANK[d_layer] > RANK[s_layer]:
                out.append(f"{where}: {s_layer} {src} imports {d_layer} {dst} (up a floor)")
            elif s_layer == d_layer == "stage" and s_pkg.split(".")[0] != d_pkg.split(".")[0]:
                out.append(f"{where}: stage {src} imports another stage's {dst}")
    return out


def test_every_package_and_module_has_its_layer_in_the_architecture_page() -> None:
    known = code_modules()
    layers = layer_map()
    missing = sorted(set(known) - set(layers))
    stale = sorted(set(layers) - set(known))
    assert not missing, f"not named in docs/architecture.md: {missing}"
    assert not stale, f"named in docs/architecture.md but not in the code: {stale}"
    # a module sits in its package's row (the map cannot put a file on a floor its folder is not)
    for name, (_, package) in layers.items():
        assert name == package or name.rpartition(".")[0] == package, name


def test_imports_only_go_down_and_no_stage_imports_another() -> None:
    _, edges = graph()
    bad = violations(layer_map(), edges)
    assert not bad, "\n".join(bad)


def test_no_import_cycle_between_files() -> None:
    _, edges = graph()
    found = cycles(edges)
    assert not found, f"import cycles: {found}"


def test_migration_revisions_import_only_the_archive_and_the_ground() -> None:
    for path in sorted((REPO / REVISIONS).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                )
                ours = [n for n in names if n.split(".")[0] in ROOTS]
                assert all(n.startswith(("veille.archive.", "veille.core.")) for n in ours), (
                    f"{path.name}:{node.lineno}: {ours}"
                )


def test_the_checks_catch_what_they_look_for() -> None:
    """The walker is not blind: an upward import, a stage-to-stage import and a cycle planted in
    a map of three modules are each reported."""
    layers = {
        "g": ("ground", "g"),
        "a": ("archive", "a"),
        "s1": ("stage", "s1"),
        "s2": ("stage", "s2"),
    }
    edges = {"g": {"a": 3}, "a": {"g": 1}, "s1": {"s2": 7}, "s2": {}}
    bad = violations(layers, edges)
    assert any("ground g imports archive a" in b for b in bad)
    assert any("stage s1 imports another stage's s2" in b for b in bad)
    assert cycles(edges) == [["a", "g"]]


def sql_doors(known: dict[str, Path], layers: dict[str, tuple[str, str]]) -> list[str]:
    """Code outside the archive that speaks SQL: imports SQLAlchemy, the schema or the engine
    module, or reaches for a store's ``.engine``."""
    out = []
    for name, path in sorted(known.items()):
        if layers[name][0] == "archive":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods: list[str] = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for m in mods:
                if m.split(".")[0] == "sqlalchemy" or m in ("veille.archive.schema", "veille.archive.engine"):
                    out.append(f"{name}:{node.lineno}: imports {m}")
            if isinstance(node, ast.Attribute) and node.attr == "engine":
                out.append(f"{name}:{node.lineno}: uses .engine")
    return out


def test_one_door_to_the_archive_nothing_else_speaks_sql() -> None:
    bad = sql_doors(code_modules(), layer_map())
    assert not bad, "\n".join(bad)


def test_the_sql_check_sees_a_planted_door(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("from veille.archive import schema\n\n\ndef f(store):\n    return store.engine\n")
    bad = sql_doors({"digest.planted": planted}, {"digest.planted": ("stage", "digest")})
    assert any("imports veille.archive.schema" in b for b in bad) and any(".engine" in b for b in bad)
