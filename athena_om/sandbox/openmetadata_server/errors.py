"""The error the sandbox answers with, shaped like OpenMetadata's ``{"code": ..., "message": ...}``."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error with OpenMetadata's body shape."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        return {"code": self.status, "message": self.message}


def not_found(entity_type: str, key: str) -> ApiError:
    """OpenMetadata's wording: ``<type> instance for <key> not found``."""
    return ApiError(404, f"{entity_type} instance for {key} not found")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
