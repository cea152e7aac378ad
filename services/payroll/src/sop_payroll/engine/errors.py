"""Typed errors raised by the payroll engine, each naming the input field at fault."""

from __future__ import annotations


class PayrollEngineError(ValueError):
    """Bad input to the engine. `field` names the offending input, for a 422 problem."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def at(self, field: str) -> PayrollEngineError:
        """The same error reported against another field name (a caller's own name for it)."""
        return type(self)(field, self.message)


class UnknownTaxYear(PayrollEngineError):
    """The tax year has no rule data (or is not written like "2025-26")."""


class MalformedTaxCode(PayrollEngineError):
    """The tax code cannot be parsed, or is not valid in its regime for the tax year."""


class UnknownNICategory(PayrollEngineError):
    """The National Insurance category letter is not one HMRC defines."""


class InvalidPeriod(PayrollEngineError):
    """The pay period number is outside the range for the pay frequency."""


class InvalidFrequency(PayrollEngineError):
    """The pay frequency is not weekly, fortnightly, four_weekly or monthly."""


class InvalidAmount(PayrollEngineError):
    """A money amount is not a Decimal with at most two places, or has the wrong sign."""


class InvalidInput(PayrollEngineError):
    """Any other input the engine cannot calculate with."""


class RuleDataError(Exception):
    """A tax-year rule file is missing a value or holds an invalid one (a deployment fault)."""
