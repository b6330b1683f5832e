"""Fault injection for the sandbox server: latency, random 429/503/500 and scripted failures.

Random faults draw from a seeded ``random.Random`` so a test that sets the seed sees the same sequence every run.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class FailNextRule(BaseModel):
    """Fail the next ``count`` requests whose path starts with ``path_prefix`` with ``status``."""

    model_config = ConfigDict(extra="forbid")

    path_prefix: str = "/api/v1"
    count: int = Field(default=1, ge=0)
    status: int = Field(default=503, ge=400, le=599)
    method: str | None = None


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
    """The decision for one request: a delay, and maybe a status to answer with instead of serving it."""

    delay_seconds: float
    status: int | None = None
    retry_after_seconds: int | None = None


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
            for rule in config.fail_next:
                if rule.count > 0 and path.startswith(rule.path_prefix):
                    if rule.method is not None and rule.method.upper() != method.upper():
                        continue
                    rule.count -= 1
                    retry = config.retry_after_seconds if rule.status in (429, 503) else None
                    return Fault(delay, rule.status, retry)
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
