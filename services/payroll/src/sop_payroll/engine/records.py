"""Frozen records: `@record` makes a frozen, slotted dataclass with a quicker constructor.

Kept on purpose, and only here. A frozen dataclass's `__init__` assigns each field through
`object.__setattr__`; the engine builds dozens of records per payslip, so that call dominates.
`@record` compiles an `__init__` that stores each field through its slot's own descriptor
instead: the same values, and the class stays the dataclass it was (equality, hashing, repr,
`__match_args__`, FrozenInstanceError on later assignment). The source is generated from the
class's own field names, as the standard library's `dataclasses` generates its `__init__`.

Measured (December 2026, `make bench`'s payroll engine and callgrind on the same inputs): with
plain `@dataclass(frozen=True, slots=True)` a payslip costs 348k instructions instead of 274k
(+27%), ~30,000 payslips/s/core instead of ~39,000; the engine's target is 25,000, and a pay run
for a large department is bound by exactly this loop.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True)`, constructed about a quarter faster."""
    cls = dataclasses.dataclass(frozen=True, slots=True)(cls)
    namespace: dict[str, Any] = {}
    params, body = [], []
    for index, f in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        if f.default_factory is not dataclasses.MISSING or not f.init:
            return cls  # not needed here; keep the dataclass's own __init__
        namespace[f"_set{index}"] = getattr(cls, f.name).__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default{index}"] = f.default
            params.append(f"{f.name}=_default{index}")
        body.append(f"    _set{index}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - replacing the dataclass's generated method
    return cls
