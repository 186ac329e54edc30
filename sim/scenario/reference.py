"""Generate docs/scenario-reference.md from the schema (``python -m sim.scenario.reference``).

A test compares the committed file with this output, so the reference cannot drift.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario.schema import Scenario

HEADER = """# Scenario file reference

Generated from the schema in `sim/scenario/` by `make docs`; do not edit by hand.

A scenario is a YAML mapping. Unknown keys, wrong types and impossible values are errors that name
the file and the key (`file: key.path: what is wrong`). `extends: other.yaml` (a path relative to
the file) starts from another scenario: mappings merge key by key, lists of items with an `id`
merge by id, other values are replaced. `replace: [communities, ...]` beside `extends:` takes the
keys named whole from this file instead: `replace: [communities]` keeps only this file's
communities, not the base's plus these. A grid file (`grid_file:`) replaces the grids its
communities inherit.

Tables can live in files beside the scenario (paths relative to the file that names them):
`communities_file:`, `grid_file:` and `pay_file:`, each a CSV file (UTF-8, with or without a
byte-order mark, or GB18030/GBK as Chinese Excel saves it) or an Excel workbook, given as
`file.xlsx` (the sheet named `communities`/`社区`, `grids`/`网格` or `pay`/`薪酬`, or the only
sheet) or `{path: file.xlsx, sheet: NAME}`; `grid_file:` also takes GeoJSON. Their columns and
checks are in docs/grids.md; every problem names the file, sheet, row and column.

A scenario that leaves out a staffed role's `calendar` or `travel` loads with a warning saying
what the model assumes (on duty around the clock; no travel time): `gridsim validate` and
`gridsim run` print it, Python has it in `LoadedScenario.warnings`. Write `calendar: always` or
`travel: null` to mean it.

`[]` after a key means a list of such items; `{name}` a mapping from code names to such items.
"""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin is None:
        return []
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out.extend(_models_in(arg))
    return out


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        return f"mapping of {_type_name(typing.get_args(annotation)[1])}"
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return getattr(annotation, "__name__", str(annotation))


def _metadata(field: FieldInfo) -> list[Any]:
    """Constraint objects of a field, including those inside ``Annotated[...] | None``."""
    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in arg.__metadata__:
                found.extend(meta.metadata if isinstance(meta, FieldInfo) else [meta])
    return found


def _constraints(field: FieldInfo) -> str:
    parts = []
    for meta in _metadata(field):
        for attr, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"),
                           ("min_length", "length ≥"), ("max_length", "length ≤"),
                           ("pattern", "matches")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{sign} `{value}`" if attr == "pattern" else f"{sign} {value}")
    return ", ".join(parts)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        return "(defaults below)"
    if field.default is None or field.default is PydanticUndefined:
        return "none"
    return f"`{field.default}`"


def _rows(model: type[BaseModel], prefix: str, seen: set[str]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        suffix = "[]" if origin is list and _models_in(annotation) else ""
        suffix = "{name}" if origin is dict else suffix
        rows.append(
            f"| `{key}{suffix}` | {_type_name(annotation)} | {_default(field)} | "
            f"{_constraints(field)} | {field.description or ''} |"
        )
        for sub in _models_in(annotation):
            if sub.__name__ in seen and sub.__name__ != "Distribution":
                continue
            rows.extend(_rows(sub, f"{key}{suffix}.", seen | {sub.__name__}))
    return rows


def reference() -> str:
    """The whole reference page as Markdown."""
    lines = [HEADER, "| key | type | default | constraints | meaning |", "|---|---|---|---|---|"]
    lines.extend(_rows(Scenario, "", {"Scenario"}))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
