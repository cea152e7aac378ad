"""Wire formats: *UniqID keys, change indicators (ETags), and attribute values in and out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sop_oracle_like.errors import OracleError
from sop_oracle_like.model import Attr

OPEN_END = date(4712, 12, 31)
_EPOCH = date(1970, 1, 1)

# Oracle's UniqIDs are hex-encoded Java serialisations of the key attributes; these markers
# imitate that shape (a long, a java.sql.Date, a string) so the keys look and behave alike.
_UNIQ_PREFIX = "00020000000EACED0005"
_LONG = "7708"
_DATE = "7372000D6A6176612E73716C2E44617465"
_STRING = "74"

# A serialised java.util.ArrayList holding one Integer: the row's object version number.
_CHANGE_PREFIX = (
    "ACED0005737200136A6176612E7574696C2E41727261794C6973747881D21D99C7619D03000149000473697A6578"
    "7000000001770400000001737200116A6176612E6C616E672E496E746567657212E2A0A4F78187380200014900"
    "0576616C7565787200106A6176612E6C616E672E4E756D62657286AC951D0B94E08B0200007870"
)


def encode_uniq_id(values: list[Any]) -> str:
    parts = [_UNIQ_PREFIX]
    for value in values:
        if isinstance(value, date):
            parts.append(_DATE + f"{(value - _EPOCH).days * 86_400_000 & (2**64 - 1):016X}")
        elif isinstance(value, int):
            parts.append(_LONG + f"{value & (2**64 - 1):016X}")
        else:
            raw = str(value).encode()
            parts.append(_STRING + f"{len(raw):04X}" + raw.hex().upper())
    return "".join(parts)


def decode_uniq_id(uniq: str) -> list[Any] | None:
    """The key values inside a UniqID, or None if it is not one of ours."""
    text = uniq.upper()
    if not text.startswith(_UNIQ_PREFIX):
        return None
    pos = len(_UNIQ_PREFIX)
    values: list[Any] = []
    try:
        while pos < len(text):
            if text.startswith(_DATE, pos):
                pos += len(_DATE)
                millis = _signed(int(text[pos : pos + 16], 16))
                values.append(_EPOCH + timedelta(days=millis // 86_400_000))
                pos += 16
            elif text.startswith(_LONG, pos):
                pos += len(_LONG)
                values.append(_signed(int(text[pos : pos + 16], 16)))
                pos += 16
            elif text.startswith(_STRING, pos):
                pos += len(_STRING)
                length = int(text[pos : pos + 4], 16)
                pos += 4
                values.append(bytes.fromhex(text[pos : pos + 2 * length]).decode())
                pos += 2 * length
            else:
                return None
    except (ValueError, OverflowError):
        return None
    return values


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def change_indicator(version: int) -> str:
    return f"{_CHANGE_PREFIX}{version:08X}78"


def etag_matches(if_match: str, version: int) -> bool:
    """Whether an If-Match header names this version (`*` matches any)."""
    current = change_indicator(version)
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        if tag == "*" or tag.upper() == current:
            return True
    return False


# --- values ------------------------------------------------------------------------------


def format_value(attr: Attr, value: Any) -> Any:
    """A stored value as Oracle writes it in JSON."""
    if value is None:
        return None
    if attr.kind == "date":
        return value.isoformat()
    if attr.kind == "datetime":
        return format_datetime(value)
    if attr.kind == "number":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if attr.kind == "integer":
        return int(value)
    if attr.kind == "boolean":
        return bool(value)
    return value


def format_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+00:00"


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "+" in a query string arrives as a space; accept "...T10:00:00 00:00" as the offset it was.
_SPACED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_date(text: str) -> date:
    text = text.strip()
    if _DATE_RE.match(text):
        return date.fromisoformat(text)
    if "T" in text:
        return parse_datetime(text).date()
    raise ValueError(f"{text!r} is not a date in the format yyyy-MM-dd")


def parse_datetime(text: str) -> datetime:
    """A naive UTC datetime from ISO 8601 text (date-only means midnight UTC)."""
    text = _SPACED_OFFSET.sub(r"\1+\2", text.strip())
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def coerce(attr: Attr, value: Any, *, path: str | None = None) -> Any:
    """A JSON value converted to the attribute's storage type, or a 400 naming the attribute."""
    if value is None:
        return None
    error_path = path or f"/{attr.name}"
    try:
        if attr.kind == "string":
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError("expected a string")
            text = str(value)
            if attr.max_length is not None and len(text) > attr.max_length:
                raise ValueError(f"the value is longer than {attr.max_length} characters")
            return text
        if attr.kind == "integer":
            if isinstance(value, bool):
                raise ValueError("expected an integer")
            if isinstance(value, float) and not value.is_integer():
                raise ValueError("expected an integer")
            return int(value)
        if attr.kind == "number":
            if isinstance(value, bool):
                raise ValueError("expected a number")
            return Decimal(str(value))
        if attr.kind == "date":
            if not isinstance(value, str):
                raise ValueError("expected a date")
            return parse_date(value)
        if attr.kind == "datetime":
            if not isinstance(value, str):
                raise ValueError("expected a timestamp")
            return parse_datetime(value)
        if attr.kind == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError("expected true or false")
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise OracleError(
            400,
            f"The value {value!r} of the attribute {attr.name} is not valid: {exc}.",
            code="27014",
            path=error_path,
        ) from exc
    raise AssertionError(attr.kind)
