"""The OData v2 error envelope SuccessFactors answers with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


class ODataError(Exception):
    """An error with its HTTP status, SuccessFactors error code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"code": self.code, "message": self.message, "severity": "error"}
        if self.target:
            detail["propertyref"] = self.target
        return {
            "error": {
                "code": self.code,
                "message": {"lang": "en", "value": self.message},
                "innererror": {
                    "transactionid": uuid.uuid4().hex.upper(),
                    "timestamp": datetime.now(UTC).strftime("%Y%m%d%H%M%S.%f"),
                    "errordetails": [detail],
                },
            }
        }


def bad_request(message: str, target: str | None = None) -> ODataError:
    return ODataError(400, "COE_GENERAL_BAD_REQUEST", message, target=target)


def not_found(message: str) -> ODataError:
    return ODataError(404, "COE_RESOURCE_NOT_FOUND", message)
