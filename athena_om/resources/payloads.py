"""Where the IO manager keeps payloads (typed values one asset hands the next, e.g. a day's parsed query log).

On one machine a folder under ``$DAGSTER_HOME`` does. Once runs get their own containers (a Kubernetes, Docker or
ECS run launcher), a downstream run no longer sees the upstream run's disk, so the payloads go to S3 instead
(``athenaOm.payloadStorage: s3://bucket/prefix``), read and written through the AWS resource's S3 client.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from botocore.exceptions import ClientError


class PayloadStore(Protocol):
    def put(self, key: tuple[str, ...], value: Any) -> None: ...

    def get(self, key: tuple[str, ...]) -> Any | None:
        """The value stored under ``key``, or None when nothing is."""
        ...


def _name(key: tuple[str, ...]) -> tuple[str, ...]:
    """Path parts for a key: the last part (a partition key) gets the file suffix; parts are length-capped."""
    *folders, last = key
    return (*(part[:150] for part in folders), f"{last[:150]}.pickle")


class LocalPayloadStore:
    """Pickles under a local folder: right when every run of the code location shares one disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: tuple[str, ...], value: Any) -> None:
        path = self.root.joinpath(*_name(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(value))

    def get(self, key: tuple[str, ...]) -> Any | None:
        path = self.root.joinpath(*_name(key))
        return pickle.loads(path.read_bytes()) if path.exists() else None


class S3PayloadStore:
    """Pickles under an S3 prefix: every run, in whatever container, reads what upstream runs wrote."""

    def __init__(self, s3: Any, uri: str) -> None:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"athenaOm.payloadStorage {uri!r} is not an s3://bucket/prefix URI")
        self.s3 = s3
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")

    def _object_key(self, key: tuple[str, ...]) -> str:
        return "/".join(part for part in (self.prefix, *_name(key)) if part)

    def put(self, key: tuple[str, ...], value: Any) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=pickle.dumps(value))

    def get(self, key: tuple[str, ...]) -> Any | None:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return pickle.loads(answer["Body"].read())
