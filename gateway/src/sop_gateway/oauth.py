"""OAuth 2.0 token endpoint errors (RFC 6749 5.2), shared by the development identity
provider and the token exchange endpoint: `{"error": ..., "error_description": ...}` as JSON,
never cached."""

from __future__ import annotations

from starlette.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An RFC 6749 error response (`{"error": ..., "error_description": ...}`)."""

    def __init__(
        self, error: str, description: str, status: int = 400, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after


def oauth_error_response(exc: OAuthError, *, basic_realm: str | None = None) -> JSONResponse:
    """The error as JSON: 401 for `invalid_client`-like failures, 503 when the server cannot
    decide now (with Retry-After), 400 otherwise."""
    headers = dict(NO_STORE)
    if exc.status == 401 and basic_realm:
        headers["WWW-Authenticate"] = f'Basic realm="{basic_realm}"'
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    status = exc.status if exc.status in (401, 503) else 400
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=status,
        headers=headers,
    )
