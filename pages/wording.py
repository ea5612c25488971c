"""The manual's wording (pages/wording.toml), optionally overridden by a vendor's file.

    wording = Wording.load()                 # wording.toml + the file named by IBCERT_WORDING, if set
    wording = Wording.load("vendor.toml")    # wording.toml + vendor.toml
    wording["activation.heading"]            # -> "開通確認"

The override is deep-merged: a vendor's file names only the keys whose wording differs.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

DEFAULT_PATH = Path(__file__).with_name("wording.toml")
ENV_VARIABLE = "IBCERT_WORDING"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class Wording:
    def __init__(self, data: Mapping[str, Any], sources: tuple[Path, ...] = ()):
        self.data = dict(data)
        self.sources = sources

    @classmethod
    def load(cls, override: str | os.PathLike | None = None) -> "Wording":
        """wording.toml, deep-merged with `override` or else with the file named by IBCERT_WORDING."""
        data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
        sources = [DEFAULT_PATH]
        override = override or os.environ.get(ENV_VARIABLE) or None
        if override:
            path = Path(override)
            if not path.is_file():
                raise FileNotFoundError(f"wording override {path} (from --wording / {ENV_VARIABLE}) does not exist")
            data = deep_merge(data, tomllib.loads(path.read_text(encoding="utf-8")))
            sources.append(path)
        return cls(data, tuple(sources))

    def __getitem__(self, key: str) -> Any:
        """A dotted key, e.g. "logon.admin_heading"."""
        node: Any = self.data
        for part in key.split("."):
            try:
                node = node[part]
            except (KeyError, TypeError):
                raise KeyError(f"wording key {key!r} is not defined in {', '.join(map(str, self.sources))}") from None
        return node

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def format(self, key: str, **values: Any) -> str:
        return str(self[key]).format(**values)

    def __repr__(self) -> str:
        return f"Wording({', '.join(p.name for p in self.sources)})"
