"""State the sandbox's moto patches share (the SQL engine, injected faults) and AWS-style paging of lists.

moto keeps its AWS state in process-wide backends, so the sandbox's extra state is process-wide too: one running
AwsSandbox per process. The patches read it here; ``extensions.install_extensions`` installs them.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine

T = TypeVar("T")


@dataclass
class SandboxHooks:
    """State the patched moto handlers consult: SQL engine and injected faults."""

    sql_engine: AthenaSqlEngine | None = None
    denied_databases: set[str] = field(default_factory=set)
    # "service:Operation" -> how many of the next calls must fail with ThrottlingException.
    throttles: dict[str, int] = field(default_factory=dict)
    # "service:Operation" the caller may not call: answered AccessDenied until allowed again.
    denied_operations: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_denied(self, operation: str) -> bool:
        """True if `operation` ("service:Operation") was denied with AwsSandbox.deny."""
        with self.lock:
            return operation in self.denied_operations

    def take_throttle(self, operation: str) -> bool:
        """Consume one injected throttle for `operation`; True if this call must be throttled."""
        with self.lock:
            left = self.throttles.get(operation, 0)
            if left <= 0:
                return False
            self.throttles[operation] = left - 1
            return True


HOOKS = SandboxHooks()


def encode_token(offset: int) -> str:
    """An opaque NextToken for a list offset."""
    return base64.urlsafe_b64encode(f"athena-om:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    """The list offset inside a NextToken; an unreadable token raises ValueError."""
    if not token:
        return 0
    text = base64.urlsafe_b64decode(token.encode()).decode()
    prefix, _, offset = text.partition(":")
    if prefix != "athena-om" or not offset.isdigit():
        raise ValueError(f"invalid NextToken {token!r}")
    return int(offset)


def paginate(
    items: Sequence[T], next_token: str | None, max_results: int | None, default: int, maximum: int
) -> tuple[list[T], str | None]:
    """Slice one page from `items` as AWS does: at most `maximum` per page, `default` when unasked."""
    start = decode_token(next_token)
    size = min(max(int(max_results), 1), maximum) if max_results else default
    page = list(items[start : start + size])
    end = start + size
    return page, (encode_token(end) if end < len(items) else None)
