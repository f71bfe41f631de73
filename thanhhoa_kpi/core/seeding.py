"""Loads ``fixtures/<set>/`` files by natural key: any order of sets, idempotent.

Django's ``loaddata`` needs primary keys or strict ordering and cannot build a treebeard
tree, so each fixture file kind has a loader that upserts by natural key (a unit's
``code``, a position's ``code``...). Apps register their loaders with a priority; the
seed command loads every file of every requested set, lowest priority first, so a
parent unit always exists before its children whatever the set order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
Loader = Callable[[list[dict[str, Any]]], int]


@dataclass(frozen=True)
class Registered:
    filename: str
    priority: int
    loader: Loader


_LOADERS: dict[str, Registered] = {}


def register_loader(filename: str, *, priority: int) -> Callable[[Loader], Loader]:
    def wrap(func: Loader) -> Loader:
        _LOADERS[filename] = Registered(filename, priority, func)
        return func

    return wrap


def read_file(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{path}: phải là một danh sách bản ghi")
    return data


def _loader_key(filename: str) -> str:
    """``roles.catalogue.yaml`` is loaded like ``roles.yaml``: apps ship their own parts."""
    if filename in _LOADERS:
        return filename
    return re.sub(r"^([A-Za-z_]+)\.[A-Za-z0-9_-]+(\.ya?ml|\.json)$", r"\1\2", filename)


@transaction.atomic
def seed(sets: list[str], *, log: Callable[[str], None] = print) -> dict[str, int]:
    """Load the named sets; returns the number of rows upserted per file."""
    files: list[tuple[int, str, Path]] = []
    for name in sets:
        folder = FIXTURES_DIR / name
        if not folder.is_dir():
            raise ValueError(f"Không có bộ dữ liệu '{name}' trong {FIXTURES_DIR}")
        for path in sorted(folder.iterdir()):
            if path.suffix not in {".yaml", ".yml", ".json"}:
                continue
            reg = _LOADERS.get(_loader_key(path.name))
            if reg is None:
                raise ValueError(f"Không có bộ nạp cho tệp {path.relative_to(FIXTURES_DIR)}")
            files.append((reg.priority, name, path))
    counts: dict[str, int] = {}
    for _priority, name, path in sorted(files, key=lambda f: (f[0], f[1])):
        count = _LOADERS[_loader_key(path.name)].loader(read_file(path))
        counts[f"{name}/{path.name}"] = count
        log(f"  {name}/{path.name}: {count}")
    return counts
