"""Reading the files a scenario is made of (YAML scenarios, grid tables) safely and within
limits: regular files only (no FIFOs or devices), at most :data:`MAX_FILE_BYTES`, YAML without
duplicate keys and without code (safe tags only). Every problem names the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest scenario or grid file read (50 MB; a grid CSV of 100,000 rows is about 6 MB)."""


def check_regular(path: Path, what: str, named_by: str = "") -> None:
    """Refuse ``path`` unless it is an existing regular file of at most MAX_FILE_BYTES."""
    where = f"{path}"
    via = f" ({named_by})" if named_by else ""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError([f"{where}: no such file{via}"]) from None
    except OSError as exc:
        raise ScenarioError([f"{where}: cannot be read ({exc.strerror or exc}){via}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError([f"{where}: is a folder, not a {what}{via}"])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([f"{where}: is not a regular file (a pipe or a device?), so it is "
                             f"not read as a {what}{via}"])
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError([f"{where}: {info.st_size / 2**20:.0f} MB is larger than the "
                             f"{MAX_FILE_BYTES // 2**20} MB a {what} may have{via}"])


def read_text(path: Path, what: str, named_by: str = "", encoding: str = "utf-8") -> str:
    """The text of a regular file (see :func:`check_regular`), or ScenarioError."""
    check_regular(path, what, named_by)
    try:
        with open(path, encoding=encoding) as f:
            return f.read(MAX_FILE_BYTES + 1)
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{path}: is not UTF-8 text (byte {exc.start}): save it as "
                             "UTF-8"]) from None
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping and naming the line of
    a date that does not exist."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # merge keys (<<) first, as the base class does
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice (first on line {first + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({exc})", node.start_mark) from None


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                 _UniqueKeyLoader.construct_yaml_timestamp)


def parse_yaml(text: str, where: str) -> Any:
    """``text`` as YAML (safe tags only, no duplicate keys), or ScenarioError naming ``where``
    and the line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"{where}: {at}malformed YAML: {problem}"]) from None
    except ValueError as exc:  # e.g. a date that does not exist: 2026-02-30
        raise ScenarioError([f"{where}: malformed YAML: {exc}"]) from None
    except RecursionError:
        raise ScenarioError([f"{where}: nested too deeply to be a scenario"]) from None


def is_regular(path: Path) -> bool:
    """Whether ``path`` is an existing regular file (follows links)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
