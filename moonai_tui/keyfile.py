"""The API key file (``config/api_keys.yaml``): read only when no other user can.

Format (see config/api_keys.example.yaml)::

    bybit:
      api_key: "..."
      api_secret: "..."

Every error names the file and the key, never a value: a message about a
malformed key file must not itself leak the key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from moonai_tui.errors import ConfigError
from moonai_tui.redact import register_secret

KEY_FIELDS = ("api_key", "api_secret")


def check_private(path: Path) -> None:
    """Refuse a key file that a group or other users can read or write, or that we do not own.

    Raises:
        ConfigError: one line with the ``chmod``/``chown`` that fixes it.
    """
    st = path.stat()
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path}: mode {mode:03o} lets other users read the API keys; "
            f"allow only yourself with: chmod 600 {path}"
        )
    if st.st_uid != os.geteuid():
        raise ConfigError(
            f"{path}: owned by uid {st.st_uid}, not by you (uid {os.geteuid()}); "
            f"the key file must be yours: chown $(id -u) {path} && chmod 600 {path}"
        )


def read_key_file(path: Path) -> dict[str, str]:
    """The ``bybit`` keys in ``path`` (absent keys left out; an empty file gives none).

    Raises:
        ConfigError: the file is readable by others, not valid YAML, or not shaped as above.
    """
    check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # The problem text can quote the offending token, which may be a key.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"bybit"}:
        raise ConfigError(f"{path}: expected only a 'bybit:' section with api_key and api_secret")
    section = data.get("bybit")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: bybit: expected a mapping with api_key and api_secret")
    keys: dict[str, str] = {}
    for name, value in section.items():
        if name not in KEY_FIELDS:
            raise ConfigError(f"{path}: unknown key 'bybit.{name}'; expected api_key, api_secret")
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: bybit.{name}: expected a non-empty quoted string")
        keys[name] = value.strip()
    register_secret(*keys.values())
    return keys
