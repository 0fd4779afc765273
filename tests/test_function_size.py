"""No function of the code runs over 80 lines: a longer one mixes concerns (reading and deciding,
one field and the next, a setup and a loop) and is split into named steps. Read with ast over
every module the floor plan names (veille/, spiders/, pipeline/, digest/), methods and nested
functions included; a function's length runs from its ``def`` line to its last line, decorators
left out. Alembic's revisions are left out like in tests/test_layers.py: an applied revision is
history, never edited."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tests.conftest import REPO
from tests.test_layers import code_modules

LIMIT = 80
# Over the limit while another change to them is under way: each may not grow past the length
# written here, and leaves this list once it is split (the second test says when).
WAITING: dict[str, int] = {}  # "module Class.function": its length, while a split is pending


def functions(source: str) -> Iterator[tuple[str, int, int]]:
    """(qualified name, line, length in lines) of every function and method of a module's source."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                assert child.end_lineno is not None
                yield f"{prefix}{child.name}", child.lineno, child.end_lineno - child.lineno + 1
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(ast.parse(source), "")


def lengths() -> dict[str, tuple[int, int]]:
    """``"path name"`` -> (line, length) of every function of the code."""
    return {
        f"{path.relative_to(REPO)} {name}": (line, length)
        for path in code_modules().values()
        for name, line, length in functions(path.read_text(encoding="utf-8"))
    }


def test_no_function_runs_over_the_limit() -> None:
    long = [
        f"{key.replace(' ', f':{line} ', 1)} ({length} lines)"
        for key, (line, length) in lengths().items()
        if length > WAITING.get(key, LIMIT)
    ]
    assert not long, f"functions over {LIMIT} lines (split them by concern):\n" + "\n".join(long)


def test_the_waiting_list_names_only_functions_still_over_the_limit() -> None:
    found = lengths()
    done = [key for key in WAITING if key not in found or found[key][1] <= LIMIT]
    assert not done, f"now within {LIMIT} lines (or gone): remove from WAITING: {done}"


def test_the_measure_sees_methods_nested_functions_and_every_line() -> None:
    source = (
        "class A:\n"
        "    @property\n"
        "    async def m(self):\n"
        "        def inner():\n"
        "            return 1\n"
        "\n"
        "        return inner\n"
        "if True:\n"
        "    def f(): pass\n"
    )
    assert list(functions(source)) == [("A.m", 3, 5), ("A.m.inner", 4, 2), ("f", 9, 1)]
    page = (REPO / "spiders" / "page.py").read_text(encoding="utf-8")
    assert "extract_page" in {name for name, _, _ in functions(page)}
