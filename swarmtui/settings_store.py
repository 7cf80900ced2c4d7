"""What the TUI remembers in config.toml: the theme, the layout, each table's sort order.

Only the key that changed is written; the user's comments, order and other keys stay as they
are (tomlkit round-trips a TOML document; tomllib can only read).  The file is read again
before each write, so an edit made while swarmtui runs is kept, and it is replaced in one
rename: an error half-way never leaves a cut or empty config behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from swarmtui.config import ConfigError


class SettingsStore:
    """Writes remembered values into one config file (None: remembers nothing, e.g. in tests)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def remember(self, section: str | None, key: str, value: Any) -> None:
        """Set `key` (in `[section]`, or at the top when None) to `value`; None removes it.
        Raises ConfigError, naming the file, when it cannot be read back or written."""
        if self.path is None:
            return
        doc = self._read()
        table = doc if section is None else doc.get(section)
        if value is None:
            if table is not None and key in table:
                del table[key]
                if section is not None and not table:
                    del doc[section]
            else:
                return
        else:
            if table is None:
                table = doc[section] = tomlkit.table()
            elif not hasattr(table, "get"):
                raise ConfigError(f"{self.path}: {section} is not a table; not writing {section}.{key}")
            if table.get(key) == value:
                return
            table[key] = value
        self._write(tomlkit.dumps(doc))

    def _read(self) -> tomlkit.TOMLDocument:
        try:
            return tomlkit.parse(self.path.read_text())
        except FileNotFoundError:
            return tomlkit.document()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot be read ({exc.strerror}); nothing written") from exc
        except (TOMLKitError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: not valid TOML now ({exc}); nothing written, fix it first") from exc

    def _write(self, text: str) -> None:
        path = self.path.resolve()  # a symlinked config (dotfiles) stays a symlink: its target is replaced
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o600  # it may hold a Redis password
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be written ({exc.strerror})") from exc
        try:
            with os.fdopen(fd, "w") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ConfigError(f"{path}: cannot be written ({exc.strerror}); the old file is unchanged") from exc
