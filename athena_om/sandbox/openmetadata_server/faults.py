"""Fault injection for the sandbox server: latency, seeded random 429/503/500, and scripted failures.

Scripted failures (``fail_next``) are an explicit schedule: a rule lets the first ``skip`` requests it matches
through and fails the next ``count``. A failure happens either before the request is applied (the server refused
it) or after (``after_apply``: the write is done, then its answer is lost: an error, a broken body, a dropped
connection, or an answer that comes too late). Random faults draw from a seeded ``random.Random``; with a
concurrent client the order of draws depends on thread timing, so tests use schedules.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# How a failed request is answered:
# - error: ``status`` with OpenMetadata's JSON error body
# - html: ``status`` with an HTML page (a login proxy or a web server in front of the API)
# - broken_json: ``status`` with a truncated JSON body labelled application/json
# - disconnect: the connection drops in the middle of the answer
# - hang: the answer is held back ``hang_seconds`` (past a short client timeout), then sent as the app made it
FaultAnswer = Literal["error", "html", "broken_json", "disconnect", "hang"]


class FailNextRule(BaseModel):
    """Fail matching requests by schedule: let the first ``skip`` through, then fail the next ``count``.

    Every rule counts every request it matches, whether or not an earlier rule failed that request, so "the Nth
    request matching this rule" means the same thing however the rules are combined.
    """

    model_config = ConfigDict(extra="forbid")

    path_prefix: str = "/api/v1"
    count: int = Field(default=1, ge=0)
    status: int = Field(default=503, ge=200, le=599)
    method: str | None = None
    skip: int = Field(default=0, ge=0, description="matching requests to let through before failing")
    after_apply: bool = Field(default=False, description="apply the request, then lose its answer")
    answer: FaultAnswer = "error"
    hang_seconds: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _error_needs_error_status(self) -> FailNextRule:
        if self.answer == "error" and self.status < 400:
            raise ValueError(f"answer 'error' needs a status of 400 or more, not {self.status}")
        return self

    def matches(self, method: str, path: str) -> bool:
        if not path.startswith(self.path_prefix):
            return False
        return self.method is None or self.method.upper() == method.upper()


class FaultConfig(BaseModel):
    """What to inject; every field defaults to "no fault"."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(default=0.0, ge=0)
    rate_429: float = Field(default=0.0, ge=0, le=1)
    retry_after_seconds: int = Field(default=1, ge=0)
    rate_503: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    seed: int = 0
    path_prefix: str = Field(default="/api/v1", description="random faults only hit paths under this prefix")
    fail_next: list[FailNextRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Fault:
    """The decision for one request: a delay, and maybe a failure to answer with (before or after applying)."""

    delay_seconds: float
    status: int | None = None
    retry_after_seconds: int | None = None
    after_apply: bool = False
    answer: FaultAnswer = "error"
    hang_seconds: float = 0.0


class FaultInjector:
    """Decides, request by request, which fault to inject. Thread-safe."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self._config = config.model_copy(deep=True)
            self._random = random.Random(config.seed)

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return self._config.model_copy(deep=True)

    def decide(self, method: str, path: str) -> Fault:
        with self._lock:
            config = self._config
            delay = config.latency_ms / 1000.0 if path.startswith(config.path_prefix) else 0.0
            scheduled = self._scheduled(config, method, path, delay)
            if scheduled is not None:
                return scheduled
            if not path.startswith(config.path_prefix):
                return Fault(0.0)
            if config.rate_429 or config.rate_503 or config.rate_500:
                draw = self._random.random()
                if draw < config.rate_429:
                    return Fault(delay, 429, config.retry_after_seconds)
                if draw < config.rate_429 + config.rate_503:
                    return Fault(delay, 503, config.retry_after_seconds)
                if draw < config.rate_429 + config.rate_503 + config.rate_500:
                    return Fault(delay, 500)
            return Fault(delay)

    @staticmethod
    def _scheduled(config: FaultConfig, method: str, path: str, delay: float) -> Fault | None:
        chosen: Fault | None = None
        for rule in config.fail_next:
            if not rule.matches(method, path):
                continue
            if rule.skip > 0:
                rule.skip -= 1
            elif rule.count > 0 and chosen is None:
                rule.count -= 1
                retry = config.retry_after_seconds if rule.status in (429, 503) else None
                chosen = Fault(delay, rule.status, retry, rule.after_apply, rule.answer, rule.hang_seconds)
        return chosen
