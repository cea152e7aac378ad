"""HMRC Real Time Information (RTI) submissions: the Full Payment Submission (FPS).

A support package (no routes): pay runs map their figures into these records and call
`build_fps` when a run is finalised. See `fps.py` and `schemas/*/README.md`.
"""

from sop_payroll.rti.fps import (
    FPS_CLASS,
    GOVTALK_NS,
    TAX_YEARS,
    Employer,
    FpsAddress,
    FpsDocument,
    FpsEmployee,
    FpsEmployment,
    FpsFiguresToDate,
    FpsInvalid,
    FpsIssue,
    FpsNiLetter,
    FpsPayment,
    FpsStarter,
    FpsTaxYear,
    Gender,
    HoursWorked,
    PayFrequency,
    StarterDeclaration,
    StudentLoanPlanType,
    build_fps,
    fps_tax_year,
    irmark,
    validate_fps,
)

__all__ = [
    "FPS_CLASS",
    "GOVTALK_NS",
    "TAX_YEARS",
    "Employer",
    "FpsAddress",
    "FpsDocument",
    "FpsEmployee",
    "FpsEmployment",
    "FpsFiguresToDate",
    "FpsInvalid",
    "FpsIssue",
    "FpsNiLetter",
    "FpsPayment",
    "FpsStarter",
    "FpsTaxYear",
    "Gender",
    "HoursWorked",
    "PayFrequency",
    "StarterDeclaration",
    "StudentLoanPlanType",
    "build_fps",
    "fps_tax_year",
    "irmark",
    "validate_fps",
]
