"""The contracts register: the Procurement Act threshold that applies (by the date the
procurement commenced, the authority's type and the contract's kind), direct awards name
their ground, orders are linked only when they are with the contract's supplier."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from procurement_fakes import World, limits, line, requisition_body, supplier_body

from sop_procurement.contracts import service
from sop_procurement.contracts.schemas import ContractCreate, ContractUpdate, OrderLink
from sop_procurement.contracts.thresholds import threshold
from sop_procurement.orders import service as orders
from sop_procurement.orders.schemas import OrderCreate
from sop_procurement.problems import InvalidState
from sop_procurement.requisitions import service as requisitions
from sop_procurement.requisitions.schemas import Decision
from sop_procurement.suppliers import service as suppliers
from sop_shared.errors import ValidationFailed


@pytest.mark.parametrize(
    ("commenced", "authority", "kind", "amount"),
    [
        (date(2026, 1, 1), "central_government", "goods", "135018"),
        (date(2025, 12, 31), "central_government", "services", "139688"),
        (date(2026, 3, 1), "sub_central", "services", "207720"),
        (date(2025, 6, 1), "sub_central", "goods", "214904"),
        (date(2026, 3, 1), "utilities", "goods", "415440"),
        (date(2026, 3, 1), "central_government", "works", "5193000"),
        (date(2025, 3, 1), "sub_central", "works", "5372609"),
        (date(2026, 3, 1), "central_government", "concession", "5193000"),
        (date(2026, 3, 1), "central_government", "light_touch", "663540"),
        (date(2026, 3, 1), "utilities", "light_touch", "884720"),
    ],
)
def test_the_threshold_follows_the_date_the_authority_and_the_kind(
    commenced, authority, kind, amount
):
    assert threshold(commenced, authority, kind).amount == Decimal(amount)


def test_procurements_before_the_act_are_not_modelled():
    with pytest.raises(ValueError, match="Public Contracts Regulations 2015"):
        threshold(date(2025, 2, 23), "central_government", "goods")
    assert threshold(date(2025, 2, 24), "central_government", "goods").amount == Decimal("139688")


def _body(supplier_id: Any, **overrides: Any) -> ContractCreate:
    body: dict[str, Any] = {
        "title": "Laptop supply",
        "supplier_id": str(supplier_id),
        "cpv_code": "30213100-6",
        "contract_type": "goods",
        "value": "150000.00",
        "start_date": "2026-04-01",
        "end_date": "2028-03-31",
        "procedure": "open",
    }
    body.update(overrides)
    return ContractCreate.model_validate(body)


async def _world():
    world = World()
    supplier = (await suppliers.create_supplier(world.as_("buyer"), supplier_body())).supplier
    return world, supplier


async def test_a_contract_records_the_threshold_for_a_central_department():
    world, supplier = await _world()
    contract = await service.create_contract(world.as_("buyer"), _body(supplier.id))
    assert contract.number == "CON-000001"
    assert contract.threshold == Decimal("135018") and contract.above_threshold
    assert contract.authority_type == "central_government"
    assert "SI 2025/1200" in contract.threshold_basis
    assert contract.procurement_commenced_on == date(2026, 4, 1)
    assert world.event_types == [
        "uk.gov.sop.procurement.supplier.created.v1",
        "uk.gov.sop.procurement.contract.created.v1",
    ]


async def test_a_local_authority_has_the_sub_central_threshold():
    world, supplier = await _world()
    policy = await world.controls.ensure_policy()
    await world.controls.save_policy(replace(policy, authority_type="sub_central"))
    contract = await service.create_contract(world.as_("buyer"), _body(supplier.id))
    assert contract.threshold == Decimal("207720") and not contract.above_threshold


async def test_direct_awards_name_their_ground_and_dates_run_forwards():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    with pytest.raises(ValidationFailed) as refused:
        await service.create_contract(buyer, _body(supplier.id, procedure="direct_award"))
    assert refused.value.errors[0].field == "direct_award_justification"
    with pytest.raises(ValidationFailed):
        await service.create_contract(buyer, _body(supplier.id, end_date="2026-03-31"))
    with pytest.raises(ValidationFailed):
        await service.create_contract(
            buyer, _body(supplier.id, procurement_commenced_on="2024-06-01")
        )
    direct = await service.create_contract(
        buyer,
        _body(
            supplier.id,
            procedure="direct_award",
            direct_award_justification="s.41, Schedule 5 para 7: extreme urgency",
        ),
    )
    assert direct.procedure == "direct_award"


async def test_orders_link_only_with_the_contracts_supplier_and_a_terminated_contract_stays():
    world, supplier = await _world()
    world.ledger.budget("CC01", "41100000", "10000.00")
    await limits(world, director=("50000.00", ["boss"]))
    other = (
        await suppliers.create_supplier(
            world.as_("buyer"),
            supplier_body(legal_name="Other Ltd", company_number="12345678", vat_number=None),
        )
    ).supplier

    async def order_with(supplier_id):
        alice = world.as_("alice")
        req = await requisitions.create_requisition(alice, requisition_body(line()))
        req = await requisitions.approve(
            world.as_("boss"), await requisitions.submit(alice, req), Decision()
        )
        return await orders.create_order(
            world.as_("buyer"), OrderCreate(requisition_id=req.id, supplier_id=supplier_id)
        )

    buyer = world.as_("buyer")
    contract = await service.create_contract(buyer, _body(supplier.id))
    mine, theirs = await order_with(supplier.id), await order_with(other.id)
    linked = await service.link_order(buyer, contract, OrderLink(purchase_order_id=mine.id))
    assert linked.purchase_order_ids == [str(mine.id)]
    again = await service.link_order(buyer, linked, OrderLink(purchase_order_id=mine.id))
    assert again.version == linked.version
    with pytest.raises(InvalidState):
        await service.link_order(buyer, linked, OrderLink(purchase_order_id=theirs.id))
    ended = await service.update_contract(buyer, linked, ContractUpdate(status="terminated"))
    assert ended.status == "terminated"
    with pytest.raises(InvalidState):
        await service.update_contract(buyer, ended, ContractUpdate(value=Decimal("1.00")))
