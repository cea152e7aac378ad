"""The supplier switch: move a cluster's HR records from one backend to another while the
service stays up (`migrate_cluster`, or `python -m sop_hr.switch --cluster C --to ADAPTER`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sop_hr.switch.migrate import (
        SwitchFailed,
        SwitchReport,
        migrate_cluster,
        unfreeze_cluster,
    )

__all__ = ["SwitchFailed", "SwitchReport", "migrate_cluster", "unfreeze_cluster"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the composition root imports this package's bindings module,
    # and the switch itself imports the composition root.
    if name in __all__:
        from sop_hr.switch import migrate

        return getattr(migrate, name)
    raise AttributeError(name)
