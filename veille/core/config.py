"""Configuration: TOML files under ``config/`` loaded once into frozen dataclasses.

Nothing here is a module-level global: callers load a :class:`Settings` and pass it on.
Secrets (SMTP password, web secret) are read from environment variables only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.core.errors import ConfigError

PACKAGE_CONFIG = Path(__file__).resolve().parents[2] / "config"


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file; any problem becomes a one-line :class:`ConfigError` naming the file."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(p, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(p, "is a directory, expected a TOML file") from None
    except PermissionError:
        raise ConfigError(p, "permission denied") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(p, f"invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(p, "not UTF-8 text") from None


def table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    """``data[key]`` as a TOML table (empty when absent); anything else is a one-line error."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"[{key}] must be a table", field=key)
    return value


def file_table(path: Path, key: str) -> dict[str, Any] | None:
    """The ``[key]`` table of the TOML file at ``path``; None when there is no such file."""
    return table(read_toml(path), key, path) if path.exists() else None


def require(data: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    """Fetch ``data[key]`` checking its type; errors name the file and the field."""
    if key not in data:
        raise ConfigError(path, f"missing field '{key}'", field=where)
    value = data[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(path, f"field '{key}' must be {names}, got {type(value).__name__}", field=where)
    return value


def optional(
    data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, path: Path, where: str
) -> Any:
    if key not in data:
        return default
    return require(data, key, kind, path, where)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("veille", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where things are, and the general settings of ``config/veille.toml``.

    Feature modules parse their own section (``settings.section("smtp")``) into their own
    frozen dataclass; nothing reads the environment behind the caller's back except for
    secrets, which only ever come from environment variables.
    """

    data_dir: Path
    config_dir: Path
    database_url: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        config_dir: str | os.PathLike[str] | None = None,
        database_url: str | None = None,
    ) -> Settings:
        data = Path(data_dir or os.environ.get("VEILLE_DATA_DIR") or default_data_dir()).expanduser()
        conf = Path(config_dir or os.environ.get("VEILLE_CONFIG_DIR") or PACKAGE_CONFIG).expanduser()
        if not conf.is_dir():
            raise ConfigError(conf, "config directory not found (set --config-dir or VEILLE_CONFIG_DIR)")
        main = conf / "veille.toml"
        raw = read_toml(main) if main.exists() else {}
        url = database_url or os.environ.get("VEILLE_DATABASE_URL") or ""
        if not url:
            url = f"sqlite:///{(data / 'veille.db').resolve()}"
        return cls(data_dir=data, config_dir=conf, database_url=url, raw=raw)

    def path(self, name: str) -> Path:
        """A config file by name, e.g. ``settings.path("sources.toml")``."""
        return self.config_dir / name

    def section(self, name: str) -> dict[str, Any]:
        return table(self.raw, name, self.path("veille.toml"))

    def ensure_data_dir(self) -> Path:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(self.data_dir, f"cannot create the data directory: {exc.strerror}") from None
        return self.data_dir
