"""One typed model per config file (pydantic, frozen, unknown keys refused), and the one way
they are read: :func:`load_file` turns a TOML file into its model, or raises one
:class:`~veille.core.errors.ConfigError` line naming the file, the table and the field.

:class:`veille.core.config.Settings` loads each file once and passes the models down;
the stages take the part they need and read no file themselves.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Strict, ValidationError

from veille.core.errors import ConfigError

Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # an int is a float too (TOML "20" for 20.0)
Bool = Annotated[bool, Strict()]
Str = Annotated[str, Strict()]


class Model(BaseModel):
    """A table of a config file: frozen, typed strictly, no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)

PACKAGE_CONFIG = Path(__file__).resolve().parents[3] / "config"


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


def _message(error: Any) -> str:
    kind, msg = error.get("type", ""), error.get("msg", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing key"
    if "value" in error.get("ctx", {}) or kind.startswith(("int_", "float_", "bool", "string_")):
        got = error.get("input")
        return f"{msg[0].lower()}{msg[1:]}" + (f", got {got!r}" if not isinstance(got, dict | list) else "")
    return msg[0].lower() + msg[1:] if msg else kind


def validate(model: type[M], data: Any, path: Path, where: str = "") -> M:
    """``model`` from ``data``; the first problem as one line naming file, table and field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(x) for x in error.get("loc", ()) if x != "__root__"]
        field = ".".join(x for x in (where, *loc) if x) or None
        message = _message(error).removeprefix("value error, ")
        raise ConfigError(path, message, field=field) from None


def load_file(model: type[M], path: Path, *, required: bool = False) -> M:
    """The file's model; a missing file means the defaults (unless ``required``), an empty one
    or one with only comments is refused (it is a file someone emptied by mistake)."""
    if not path.exists() and not required:
        return model()
    data = read_toml(path)
    if not data:
        raise ConfigError(path, "the file is empty: delete it to use the defaults, or fill it in")
    return validate(model, data, path)


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
