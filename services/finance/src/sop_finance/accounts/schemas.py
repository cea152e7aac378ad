"""Request and response bodies for accounts, cost centres and analysis codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sop_finance.accounts.ports import AccountType, ControlRole, Dimension
from sop_finance.http import Code, In, Name, Out


class AccountCreate(In):
    code: Code
    name: Name
    type: AccountType
    parent_code: Code | None = None
    postable: bool = True
    active: bool = True
    control_role: ControlRole | None = None


class AccountUpdate(In):
    """Code and type never change: both are quoted by other systems and by posted history."""

    name: Name | None = None
    parent_code: Code | None = None
    postable: bool | None = None
    active: bool | None = None
    control_role: ControlRole | None = None


class AccountOut(Out):
    id: uuid.UUID
    code: str
    name: str
    type: AccountType
    parent_code: str | None
    postable: bool
    active: bool
    control_role: ControlRole | None
    version: int
    created_at: datetime
    updated_at: datetime


class CostCentreCreate(In):
    code: Code
    name: Name
    active: bool = True


class CostCentreUpdate(In):
    name: Name | None = None
    active: bool | None = None


class CostCentreOut(Out):
    id: uuid.UUID
    code: str
    name: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class AnalysisCodeCreate(In):
    dimension: Dimension
    code: Code
    name: Name
    active: bool = True


class AnalysisCodeUpdate(In):
    name: Name | None = None
    active: bool | None = None


class AnalysisCodeOut(Out):
    id: uuid.UUID
    dimension: Dimension
    code: str
    name: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
