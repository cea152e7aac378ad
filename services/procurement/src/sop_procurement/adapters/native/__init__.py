"""The native adapter: every procurement port implemented on the service's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_procurement.adapters.native.contracts import NativeContracts
from sop_procurement.adapters.native.controls import NativeControls
from sop_procurement.adapters.native.orders import NativeOrders
from sop_procurement.adapters.native.receipts import NativeReceipts
from sop_procurement.adapters.native.requisitions import NativeRequisitions
from sop_procurement.adapters.native.suppliers import NativeSuppliers
from sop_procurement.ports import ProcurementBackend

if TYPE_CHECKING:
    from sop_procurement.adapters.registry import AdapterContext


def native_backend(context: AdapterContext) -> ProcurementBackend:
    """Every port on procurement's own database, in the request's session, for one tenant,
    stamping rows with the kernel clock."""
    session, tenant, clock = context.session, context.tenant, context.clock
    return ProcurementBackend(
        suppliers=NativeSuppliers(session, tenant, clock),
        requisitions=NativeRequisitions(session, tenant, clock),
        controls=NativeControls(session, tenant, clock),
        orders=NativeOrders(session, tenant, clock),
        receipts=NativeReceipts(session, tenant, clock),
        contracts=NativeContracts(session, tenant, clock),
    )
