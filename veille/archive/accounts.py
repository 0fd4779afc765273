"""Named accounts of the web UI: add, list, change a role or a password, disable, log in.

Each account has a role, and each role can do what the ones before it can:

- ``lecteur`` reads (search, articles, figures, organisations, sources, digests, the API);
- ``analyste`` also corrects what the extraction got wrong;
- ``admin`` also administers: sources, subscribers, the digest review and the accounts.

The login is the email address folded to lower case (unique). Passwords are stored as hashes
(:mod:`veille.core.passwords`: argon2id; an older scrypt or PBKDF2 hash still verifies and is
replaced by an argon2id one at its next successful login). An account is never deleted, only
disabled, so that what it did keeps a name; disabling it or changing its password revokes its
sessions. The last enabled admin can be neither disabled nor demoted.

Before named accounts, one admin password hash was configured (``VEILLE_ADMIN_PASSWORD_HASH``
or ``web.toml``): :func:`adopt_admin_hash` turns it into the account ``admin`` the first time
the web or a ``veille users`` command starts with it and finds no admin account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive import sessions
from veille.archive.store import Store, utcnow
from veille.archive.subscribers import InvalidEmail, normalise_email
from veille.core import passwords
from veille.core.errors import VeilleError

A = t.accounts
ROLES = ("lecteur", "analyste", "admin")  # each can do what the ones before it can
ADMIN_LOGIN = "admin"  # the account a configured admin password hash becomes


class AccountError(VeilleError):
    """An account operation cannot be done."""


class UsageError(AccountError):
    """A value the user can fix (exit 2, as a usage error)."""

    exit_code = 2


class UnknownRole(UsageError):
    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


class InvalidLogin(UsageError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"{email!r} is not a valid email address")


class WeakPassword(UsageError):
    pass


class DuplicateAccount(AccountError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"an account {email} already exists: see `veille users list`")


class AccountNotFound(AccountError):
    def __init__(self, key: str | int) -> None:
        self.key = key
        super().__init__(f"no account {key!r}: see `veille users list`")


class LastAdmin(AccountError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(
            f"{email} is the last enabled admin: make another admin first "
            "(veille users add EMAIL --role admin)"
        )


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str
    password_hash: str = field(repr=False)
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def credential(self) -> str:
        """The tag of its current password: sessions opened with another one are over."""
        return sessions.fingerprint(self.password_hash)

    def can(self, role: str) -> bool:
        """Whether this account may do what ``role`` may."""
        return role_allows(self.role, role)


# -- roles and logins ------------------------------------------------------------------------
def check_role(role: str) -> str:
    """The role named (trimmed, lower case); :class:`UnknownRole` otherwise."""
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise UnknownRole(role)
    return value


def role_allows(role: str | None, needed: str) -> bool:
    """Whether ``role`` (None: nobody) may do what ``needed`` may."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(check_role(needed))


def normalise_login(email: str, *, reserved: bool = False) -> str:
    """An address folded to lower case (``admin`` too, with ``reserved``); :class:`InvalidLogin`."""
    value = (email or "").strip().lower()
    if reserved and value == ADMIN_LOGIN:
        return value
    try:
        return normalise_email(value).lower()
    except InvalidEmail:
        raise InvalidLogin(email) from None


def _row(row: Any) -> Account:
    return Account(
        id=row.id, email=row.email, role=row.role, password_hash=row.password_hash,
        created_at=row.created_at, last_login_at=row.last_login_at, disabled_at=row.disabled_at,
    )  # fmt: skip


def _where(key: str | int) -> Any:
    if isinstance(key, int):
        return A.c.id == key
    return A.c.email == (key or "").strip().lower()


def _hash_of(password: str) -> str:
    problem = passwords.password_problem(password)
    if problem:
        raise WeakPassword(problem)
    return passwords.hash_password(password)


# -- queries -------------------------------------------------------------------------------
def find_account(store: Store, key: str | int) -> Account | None:
    """By id or login (case-insensitive); None when there is none."""
    with store.engine.connect() as conn:
        row = conn.execute(select(A).where(_where(key))).first()
    return _row(row) if row is not None else None


def get_account(store: Store, key: str | int) -> Account:
    account = find_account(store, key)
    if account is None:
        raise AccountNotFound(key)
    return account


def count_accounts(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(A)).scalar_one())


def list_accounts(store: Store) -> list[Account]:
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(A).order_by(A.c.email))]


# -- changes -------------------------------------------------------------------------------
def add_account(
    store: Store, email: str, *, role: str, password: str | None = None, password_hash: str | None = None
) -> Account:
    """A new account; its password given as is (hashed here) or already hashed."""
    login = normalise_login(email)
    role = check_role(role)
    if password_hash is None:
        password_hash = _hash_of(password or "")
    try:
        with store.engine.begin() as conn:
            if conn.execute(select(A.c.id).where(A.c.email == login)).first() is not None:
                raise DuplicateAccount(login)
            conn.execute(
                insert(A).values(email=login, role=role, password_hash=password_hash, created_at=utcnow())
            )
    except IntegrityError:  # added at the same moment elsewhere
        raise DuplicateAccount(login) from None
    return get_account(store, login)


def _other_enabled_admins(conn: Any, account_id: int) -> int:
    q = select(func.count()).where(A.c.role == "admin", A.c.disabled_at.is_(None), A.c.id != account_id)
    # lock the other admins' rows (PostgreSQL) so two admins cannot demote each other at once
    conn.execute(select(A.c.id).where(A.c.role == "admin", A.c.id != account_id).with_for_update()).all()
    return int(conn.execute(q).scalar_one())


def _locked(conn: Any, key: str | int) -> Account:
    row = conn.execute(select(A).where(_where(key)).with_for_update()).first()
    if row is None:
        raise AccountNotFound(key)
    return _row(row)


def set_role(store: Store, key: str | int, role: str) -> Account:
    role = check_role(role)
    with store.engine.begin() as conn:
        account = _locked(conn, key)
        if account.role == "admin" and role != "admin" and not account.disabled:
            if not _other_enabled_admins(conn, account.id):
                raise LastAdmin(account.email)
        conn.execute(update(A).where(A.c.id == account.id).values(role=role))
    return get_account(store, account.id)


def disable_account(store: Store, key: str | int) -> tuple[Account, int]:
    """Disable the account and revoke its sessions: ``(account, sessions revoked)``."""
    with store.engine.begin() as conn:
        account = _locked(conn, key)
        if account.role == "admin" and not account.disabled and not _other_enabled_admins(conn, account.id):
            raise LastAdmin(account.email)
        if not account.disabled:
            conn.execute(update(A).where(A.c.id == account.id).values(disabled_at=utcnow()))
        revoked = sessions.revoke_in(conn, user_id=account.id)
    return get_account(store, account.id), revoked


def enable_account(store: Store, key: str | int) -> Account:
    with store.engine.begin() as conn:
        account = _locked(conn, key)
        conn.execute(update(A).where(A.c.id == account.id).values(disabled_at=None))
    return get_account(store, account.id)


def set_password(store: Store, key: str | int, password: str) -> tuple[Account, int]:
    """A new password; every session of the account is revoked: ``(account, sessions revoked)``."""
    encoded = _hash_of(password)
    with store.engine.begin() as conn:
        account = _locked(conn, key)
        conn.execute(update(A).where(A.c.id == account.id).values(password_hash=encoded))
        revoked = sessions.revoke_in(conn, user_id=account.id)
    return get_account(store, account.id), revoked


def adopt_admin_hash(store: Store, encoded: str | None) -> Account | None:
    """The configured admin password hash becomes the account ``admin``, once: only when there
    is a hash and no admin account (nor an account ``admin``) yet. The account made, or None."""
    if not encoded:
        return None
    try:
        with store.engine.begin() as conn:
            admins = select(A.c.id).where((A.c.role == "admin") | (A.c.email == ADMIN_LOGIN))
            if conn.execute(admins.limit(1)).first() is not None:
                return None
            conn.execute(
                insert(A).values(
                    email=ADMIN_LOGIN, role="admin", password_hash=encoded.strip(), created_at=utcnow()
                )
            )
    except IntegrityError:  # another process (a second web worker) adopted it first
        return None
    return get_account(store, ADMIN_LOGIN)


# -- logging in ----------------------------------------------------------------------------
def authenticate(store: Store, email: str, password: str) -> Account | None:
    """The enabled account whose login and password these are, or None. A login records its
    time, and replaces an older kind of hash by an argon2id one."""
    key = (email or "").strip().lower()[:320]
    account = find_account(store, key) if key else None
    if account is None or account.disabled:
        passwords.verify_password(password, passwords.decoy_hash())  # the same time either way
        return None
    if not passwords.verify_password(password, account.password_hash):
        return None
    values: dict[str, Any] = {"last_login_at": utcnow()}
    with store.engine.begin() as conn:
        conn.execute(update(A).where(A.c.id == account.id).values(**values))
        if passwords.needs_rehash(account.password_hash):  # unless another login did it meanwhile
            conn.execute(
                update(A)
                .where(A.c.id == account.id, A.c.password_hash == account.password_hash)
                .values(password_hash=passwords.hash_password(password))
            )
    return get_account(store, account.id)


def open_session(store: Store, account: Account, *, hours: float, client: str | None = None) -> str:
    """A session of ``account`` (with its current password); the token for the browser."""
    return sessions.open_session(
        store, account.email, credential=account.credential, hours=hours, client=client, user_id=account.id
    )


def session_account(store: Store, token: str, *, now: datetime | None = None) -> Account | None:
    """Who a session token logs in: None when the session is unknown, revoked or expired, names
    no account, or its account is disabled or has had a new password since."""
    now = now or utcnow()
    S = t.sessions
    with store.engine.connect() as conn:
        row = conn.execute(
            select(A, S.c.credential, S.c.expires_at, S.c.revoked_at)
            .select_from(S.join(A, S.c.user_id == A.c.id))
            .where(S.c.token_hash == sessions.token_hash(token))
        ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    account = _row(row)
    if account.disabled or row.credential != account.credential:
        return None
    return account
