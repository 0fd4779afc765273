"""The secrets are read from the environment in one place, the settings
(``veille/core/conf/secrets.py``, called by ``Settings.load``), travel on the settings object,
and never show in a repr.

The code is read with ast, like tests/test_layers.py: outside that module, no ``os.environ``
look-up (``.get``, ``[...]``, ``in``, ``.pop``, ``os.getenv``, through an alias of the mapping
too) names a secret variable, written as a string or through a constant bound to one anywhere
in the code. Writing one into a child process's environment is not a read and stays allowed."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_layers import code_modules
from veille.core.conf.secrets import SECRET_VARIABLES, Secrets
from veille.core.config import Settings

NAMES = frozenset({"VEILLE_SECRET_KEY", "VEILLE_SMTP_PASSWORD", "VEILLE_ADMIN_PASSWORD_HASH"})
READER = Path("veille/core/conf/secrets.py")  # the one module that reads them
LOOKUPS = frozenset({"get", "pop", "getenv", "setdefault"})


def constants(sources: Iterable[str]) -> frozenset[str]:
    """Identifiers bound, at a module's top level, to a secret variable's name, or imported
    under another name from one that is (followed until nothing new is found)."""
    trees = [ast.parse(s) for s in sources]
    found: set[str] = set()
    while True:
        before = len(found)
        for tree in trees:
            for node in tree.body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and _names_secret(node.value, found):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    found.update(t.id for t in targets if isinstance(t, ast.Name))
                elif isinstance(node, ast.ImportFrom):
                    found.update(a.asname for a in node.names if a.name in found and a.asname)
        if len(found) == before:
            return frozenset(found)


def _names_secret(node: ast.AST | None, aliases: frozenset[str] | set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in NAMES
    if isinstance(node, ast.Name):
        return node.id in aliases
    if isinstance(node, ast.Attribute):
        return node.attr in aliases
    return False


def secret_reads(source: str, aliases: frozenset[str]) -> Iterator[int]:
    """Lines of ``source`` that look a secret variable up in a mapping or with ``getenv``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and _names_secret(node.args[0], aliases):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in LOOKUPS:
                yield node.lineno
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if _names_secret(node.slice, aliases):
                yield node.lineno
        elif isinstance(node, ast.Compare) and _names_secret(node.left, aliases):
            if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                yield node.lineno


def test_only_the_settings_read_the_secret_variables() -> None:
    modules = {path.relative_to(REPO): path.read_text(encoding="utf-8") for path in code_modules().values()}
    aliases = constants(modules.values())
    assert aliases, "the secrets' names are bound to constants somewhere (veille/core/conf/secrets.py)"
    readers = [
        f"{rel}:{line}"
        for rel, source in modules.items()
        if rel != READER
        for line in secret_reads(source, aliases)
    ]
    assert not readers, "secrets read from the environment outside the settings:\n" + "\n".join(readers)
    assert list(secret_reads(modules[READER], aliases)), "the settings read them (or this test sees nothing)"
    assert set(SECRET_VARIABLES) == NAMES


def test_the_reader_sees_every_way_of_reading_and_lets_writes_be() -> None:
    aliases = constants(['KEY = "VEILLE_SECRET_KEY"\n', "from x import KEY as OTHER\n"])
    assert aliases == {"KEY", "OTHER"}
    flagged = (
        'os.environ.get("VEILLE_SECRET_KEY")\n'  # 1
        "env = os.environ\n"
        "env[KEY]\n"  # 3
        'os.getenv("VEILLE_SMTP_PASSWORD", "")\n'  # 4
        "if OTHER in os.environ: pass\n"  # 5
        "environ.pop(secrets.KEY, None)\n"  # 6
        'getenv("VEILLE_ADMIN_PASSWORD_HASH")\n'  # 7
    )
    assert list(secret_reads(flagged, aliases)) == [1, 3, 4, 5, 6, 7]
    allowed = (
        'os.environ["VEILLE_SECRET_KEY"] = key\n'  # a child process's environment
        'env = {**os.environ, "VEILLE_SECRET_KEY": key}\n'
        'os.environ.get("VEILLE_DATA_DIR")\n'  # not a secret
        'message = f"{KEY} is not set"\n'
    )
    assert not list(secret_reads(allowed, aliases))


SECRET_VALUES = {
    "VEILLE_SECRET_KEY": "clé-de-signature-très-secrète",
    "VEILLE_SMTP_PASSWORD": "mot-de-passe-smtp-secret",
}


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Settings, dict[str, str]]:
    from veille.web.auth import hash_password

    env = {
        **SECRET_VALUES,
        "VEILLE_ADMIN_PASSWORD_HASH": hash_password("mot-de-passe-admin"),
        "VEILLE_DATABASE_URL": "postgresql+psycopg://veille:mot-de-passe-pg@db.example:5432/veille",
    }
    return Settings.load(data_dir=tmp_path / "data", config_dir=REPO / "config", environ=env), env


def test_a_secret_never_shows_in_a_repr(loaded: tuple[Settings, dict[str, str]]) -> None:
    from veille.web.config import WebConfig

    settings, env = loaded
    digest = settings.digest
    shown = [
        repr(settings),
        str(settings),
        repr(settings.secrets),
        repr(digest),
        str(digest.model_dump()),
        digest.model_dump_json(),
        repr(digest.smtp),
        repr(WebConfig.load(settings)),
    ]
    for value in (*SECRET_VALUES.values(), env["VEILLE_ADMIN_PASSWORD_HASH"], "mot-de-passe-pg"):
        leaks = [text for text in shown if value in text]
        assert not leaks, f"{value!r} shows in {leaks[0][:200]}"
    assert "veille:***@db.example:5432/veille" in repr(settings)  # the URL is still told, masked


def test_the_secrets_travel_on_the_settings(
    loaded: tuple[Settings, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest.smtp import SmtpSender
    from veille.web.config import WebConfig

    settings, env = loaded
    for name in NAMES:  # what the process's environment says later does not count
        monkeypatch.setenv(name, "autre-valeur")
    assert settings.secrets.link_key() == SECRET_VALUES["VEILLE_SECRET_KEY"].encode()
    assert settings.digest.link_key() == SECRET_VALUES["VEILLE_SECRET_KEY"].encode()
    assert SmtpSender.from_config(settings.digest.smtp).password == SECRET_VALUES["VEILLE_SMTP_PASSWORD"]
    web = WebConfig.load(settings)
    assert web.secret_from_env and web.secret_key == SECRET_VALUES["VEILLE_SECRET_KEY"]
    assert web.admin_password_hash == env["VEILLE_ADMIN_PASSWORD_HASH"]


def test_unset_or_blank_secrets_are_none() -> None:
    secrets = Secrets.from_environ({"VEILLE_SECRET_KEY": "   ", "VEILLE_SMTP_PASSWORD": ""})
    assert secrets == Secrets()
    assert Secrets.from_environ({"VEILLE_SMTP_PASSWORD": " a b "}).smtp_password is not None
