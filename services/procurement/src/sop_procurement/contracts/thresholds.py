"""Procurement Act 2023 threshold amounts (VAT inclusive), as data: by the date the
procurement commenced, the contracting authority's type and the kind of contract.

Sources (copied into docs/procurement.md): the Procurement Act 2023 (Threshold Amounts)
(Amendment) Regulations 2025 (SI 2025/1200) and PPN 023: amounts from 1 January 2026 for
procurements commenced on or after that date; the amounts set on 1 January 2024 before it.
The Act applies to procurements commenced on or after 24 February 2025 (earlier ones stay
under the Public Contracts Regulations 2015, not modelled here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

AuthorityType = Literal["central_government", "sub_central", "utilities", "defence_and_security"]
ContractType = Literal["goods", "services", "works", "light_touch", "concession"]

ACT_IN_FORCE = date(2025, 2, 24)


@dataclass(frozen=True, slots=True)
class Schedule:
    """One set of threshold amounts and the day it applies from."""

    applies_from: date
    source: str
    goods_services: dict[str, Decimal]  # by authority type
    works: Decimal
    concession: Decimal
    light_touch: Decimal
    light_touch_utilities: Decimal


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        applies_from=date(2024, 1, 1),
        source="threshold amounts set 1 January 2024",
        goods_services={
            "central_government": Decimal("139688"),
            "sub_central": Decimal("214904"),
            "utilities": Decimal("429809"),
            "defence_and_security": Decimal("429809"),
        },
        works=Decimal("5372609"),
        concession=Decimal("5372609"),
        light_touch=Decimal("663540"),
        light_touch_utilities=Decimal("884720"),
    ),
    Schedule(
        applies_from=date(2026, 1, 1),
        source="SI 2025/1200 and PPN 023, from 1 January 2026",
        goods_services={
            "central_government": Decimal("135018"),
            "sub_central": Decimal("207720"),
            "utilities": Decimal("415440"),
            "defence_and_security": Decimal("415440"),
        },
        works=Decimal("5193000"),
        concession=Decimal("5193000"),
        # Light touch amounts are unchanged from 1 January 2026.
        light_touch=Decimal("663540"),
        light_touch_utilities=Decimal("884720"),
    ),
)


@dataclass(frozen=True, slots=True)
class Threshold:
    amount: Decimal
    basis: str


def threshold(commenced: date, authority: AuthorityType, kind: ContractType) -> Threshold:
    """The threshold for a procurement commenced on `commenced` (ValueError before the Act
    applies)."""
    if commenced < ACT_IN_FORCE:
        raise ValueError(
            f"procurements commenced before {ACT_IN_FORCE.isoformat()} are under the Public "
            "Contracts Regulations 2015, which this register does not model"
        )
    schedule = [s for s in SCHEDULES if s.applies_from <= commenced][-1]
    if kind in ("goods", "services"):
        amount = schedule.goods_services[authority]
        what = f"goods and services, {authority.replace('_', ' ')}"
    elif kind == "works":
        amount, what = schedule.works, "works"
    elif kind == "concession":
        amount, what = schedule.concession, "concession contracts"
    elif authority == "utilities":
        amount, what = schedule.light_touch_utilities, "light touch, utilities"
    else:
        amount, what = schedule.light_touch, "light touch"
    return Threshold(amount, f"{what} ({schedule.source})")
