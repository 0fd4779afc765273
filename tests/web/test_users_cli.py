"""``veille users``: add, list, set-role, disable, enable, passwd; one-line errors and exit codes."""

from __future__ import annotations

import io

import pytest

from veille.archive import accounts as acc


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Give the next command this text on its standard input."""

    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def test_add_list_set_role_disable_enable_passwd(veille, stdin, archive) -> None:  # type: ignore[no-untyped-def]
    store = archive[0]
    stdin("mot-de-passe-1\n")
    code, out, err = veille("users", "add", "Amina@Example.MA", "--role", "analyste", "--password-stdin")
    assert (code, out.strip()) == (0, "Added amina@example.ma (analyste)")
    # the first command found web.toml's admin password hash and no admin: it became the account admin
    assert "now the account 'admin'" in err
    assert acc.authenticate(store, "amina@example.ma", "mot-de-passe-1") is not None
    code, out, _ = veille("users", "list")
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "2 accounts"
    assert any("admin" in ln and "active" in ln and ln.rstrip().endswith("last login never)") for ln in lines)
    assert any("analyste" in ln and "amina@example.ma" in ln for ln in lines)
    assert (
        veille("users", "set-role", "amina@example.ma", "admin")[1].strip() == "amina@example.ma is now admin"
    )
    token = acc.open_session(store, acc.get_account(store, "amina@example.ma"), hours=1)
    code, out, _ = veille("users", "disable", "AMINA@example.ma")
    assert (code, out.strip()) == (0, "Disabled amina@example.ma; 1 session(s) ended")
    assert acc.session_account(store, token) is None
    assert veille("users", "enable", "amina@example.ma")[1].strip() == "Enabled amina@example.ma (admin)"
    stdin("mot-de-passe-2\n")
    code, out, _ = veille("users", "passwd", "amina@example.ma", "--password-stdin")
    assert (code, out.strip()) == (0, "Password of amina@example.ma changed; 0 session(s) ended")
    assert acc.authenticate(store, "amina@example.ma", "mot-de-passe-1") is None
    assert acc.authenticate(store, "amina@example.ma", "mot-de-passe-2") is not None


@pytest.mark.parametrize(
    ("args", "stdin_text", "code", "message"),
    [
        (("add", "karim@example.ma", "--role", "chef"), "", 2,
         "Error: unknown role 'chef': use one of lecteur, analyste, admin"),
        (("add", "pas une adresse", "--role", "lecteur"), "", 2,
         "Error: 'pas une adresse' is not a valid email address"),
        (("add", "karim@example.ma", "--password-stdin"), "court\n", 2,
         "Error: password too short: use at least 8 characters"),
        (("add", "karim@example.ma"), "", 2,
         "Error: no terminal to ask for the password: pass it on stdin with --password-stdin"),
        (("set-role", "personne@example.ma", "admin"), "", 1,
         "Error: no account 'personne@example.ma': see `veille users list`"),
        (("set-role", "admin", "lecteur"), "", 1,
         "Error: admin is the last enabled admin: make another admin first (veille users add EMAIL --role admin)"),
        (("disable", "admin"), "", 1,
         "Error: admin is the last enabled admin: make another admin first (veille users add EMAIL --role admin)"),
        (("passwd", "personne@example.ma", "--password-stdin"), "mot-de-passe-1\n", 1,
         "Error: no account 'personne@example.ma': see `veille users list`"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_an_exit_code(veille, stdin, args, stdin_text, code, message) -> None:  # type: ignore[no-untyped-def]
    stdin(stdin_text)
    got, _out, err = veille("users", *args)
    lines = [ln for ln in err.splitlines() if ln.strip() and "now the account 'admin'" not in ln]
    assert (got, lines) == (code, [message])


def test_a_duplicate_is_refused(veille, stdin) -> None:  # type: ignore[no-untyped-def]
    stdin("mot-de-passe-1\n")
    assert veille("users", "add", "karim@example.ma", "--password-stdin")[0] == 0
    stdin("mot-de-passe-1\n")
    code, _out, err = veille("users", "add", "KARIM@example.ma", "--password-stdin")
    assert (code, err.strip()) == (
        1,
        "Error: an account karim@example.ma already exists: see `veille users list`",
    )
