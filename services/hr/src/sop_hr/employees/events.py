"""The events HR publishes about employees. Their data is the employee's public representation
without the sensitive fields (NI number, date of birth, bank details): an event says which of
those changed (`sensitive_changed`), never their values."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field, create_model

from sop_hr.context import HRContext
from sop_hr.employees.ports import Employee
from sop_hr.employees.schemas import SENSITIVE_FIELDS, EmployeeOut, employee_out

CREATED: Final = "uk.gov.sop.hr.employee.created.v1"
UPDATED: Final = "uk.gov.sop.hr.employee.updated.v1"
LEFT: Final = "uk.gov.sop.hr.employee.left.v1"


# An employee as events carry them: the response's fields less the sensitive ones (so the
# published schema does not even name them), and which sensitive fields changed.
EmployeeEventData: type[BaseModel] = create_model(
    "EmployeeEventData",
    __doc__="An employee as events carry them: never a sensitive value.",
    **{  # type: ignore[call-overload]
        name: (field.annotation, field)
        for name, field in EmployeeOut.model_fields.items()
        if name not in SENSITIVE_FIELDS
    },
    sensitive_changed=(
        list[str],
        Field(
            default_factory=list,
            description="Which sensitive fields changed (their values never travel in events).",
        ),
    ),
)


CATALOGUE = {
    CREATED: ("An employee was created.", EmployeeEventData),
    UPDATED: ("An employee's details changed.", EmployeeEventData),
    LEFT: ("An employee's leaving date was recorded.", EmployeeEventData),
}


async def publish(
    hr: HRContext, type: str, employee: Employee, *, before: Employee | None = None
) -> None:
    public = employee_out(employee, None, hr.today(), sensitive=False)
    changed = [
        name
        for name in SENSITIVE_FIELDS
        if (before is None and getattr(employee, name) is not None)
        or (before is not None and getattr(before, name) != getattr(employee, name))
    ]
    data = EmployeeEventData.model_validate(
        {**public.model_dump(exclude=set(SENSITIVE_FIELDS)), "sensitive_changed": changed}
    ).model_dump(mode="json")
    await hr.events.publish(
        type,
        subject=f"employees/{employee.id}",
        aggregate=f"employee:{employee.id}",
        data=data,
        dataschema=f"urn:sop:events:{type}",  # its message in /events/asyncapi.json
    )
