"""Plumbing shared by the simulated vendor suites: settings, storage, auth, fault injection."""

from sop_simulation.auth import authenticate
from sop_simulation.faults import (
    FaultConfig,
    FaultInjectionMiddleware,
    FaultInjector,
    SimulatedOutage,
    sim_router,
)
from sop_simulation.settings import SimulatorSettings
from sop_simulation.storage import (
    ROWID,
    VERSION,
    RowStore,
    create_sim_engine,
    ensure_schema,
    read_connection,
    write_transaction,
)

__all__ = [
    "ROWID",
    "VERSION",
    "FaultConfig",
    "FaultInjectionMiddleware",
    "FaultInjector",
    "RowStore",
    "SimulatedOutage",
    "SimulatorSettings",
    "authenticate",
    "create_sim_engine",
    "ensure_schema",
    "read_connection",
    "sim_router",
    "write_transaction",
]
