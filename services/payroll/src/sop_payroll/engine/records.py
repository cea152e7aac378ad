"""Frozen records: `@record` makes a frozen, slotted dataclass with a quicker constructor."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True)`, constructed about twice as fast.

    A frozen dataclass's __init__ assigns each field through object.__setattr__; a pay run
    builds dozens of these per payslip, so that lookup dominates. Assigning through each
    slot's own descriptor stores the same values, and the class stays frozen: equality,
    hashing, repr and the FrozenInstanceError on later assignment are the dataclass's own.
    """
    cls = dataclasses.dataclass(frozen=True, slots=True)(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    namespace: dict[str, Any] = {}
    params, body = [], []
    for index, f in enumerate(fields):
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
    cls.__init__ = init  # type: ignore[misc]
    return cls
