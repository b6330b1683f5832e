"""SQLite persistence for the sandbox OpenMetadata server.

One table of entities (JSON documents keyed by id, with type, FQN, parent and deleted flag as columns for lookups),
plus tables for what OpenMetadata keeps beside entities: usage counts, lineage edges, table profiles, table joins
and test case results. One connection guarded by a lock: SQLite serialises writers anyway, and a single connection
keeps each write well under a millisecond.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_FILE = "openmetadata.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    fqn TEXT NOT NULL,
    parent_id TEXT,
    parent_fqn TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    version REAL NOT NULL,
    json TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS entities_type_fqn ON entities (type, fqn);
CREATE INDEX IF NOT EXISTS entities_parent ON entities (parent_id);
CREATE INDEX IF NOT EXISTS entities_type_parent_fqn ON entities (type, parent_fqn, fqn);
CREATE INDEX IF NOT EXISTS entities_query_checksum ON entities (json_extract(json, '$.checksum'))
    WHERE type = 'query';
CREATE TABLE IF NOT EXISTS entity_links (
    src_id TEXT NOT NULL,
    dst_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (src_id, dst_id, kind)
);
CREATE INDEX IF NOT EXISTS entity_links_dst ON entity_links (dst_id, kind);
CREATE TABLE IF NOT EXISTS usage (
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    date TEXT NOT NULL,
    count INTEGER NOT NULL,
    percentile1 REAL NOT NULL DEFAULT 0,
    percentile7 REAL NOT NULL DEFAULT 0,
    percentile30 REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, date)
);
CREATE INDEX IF NOT EXISTS usage_type_date ON usage (entity_type, date);
CREATE TABLE IF NOT EXISTS lineage (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    from_type TEXT NOT NULL,
    to_type TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX IF NOT EXISTS lineage_to ON lineage (to_id);
CREATE TABLE IF NOT EXISTS table_profiles (
    table_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (table_id, timestamp)
);
CREATE TABLE IF NOT EXISTS sample_data (
    table_id TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS table_joins (
    table_id TEXT NOT NULL,
    start_date TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (table_id, start_date)
);
CREATE TABLE IF NOT EXISTS test_results (
    test_case_fqn TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (test_case_fqn, timestamp)
);
"""


@dataclass
class StoredEntity:
    """One entity row: the JSON document plus the columns used to find it."""

    id: str
    type: str
    fqn: str
    parent_id: str | None
    deleted: bool
    version: float
    data: dict[str, Any]


@dataclass
class Page:
    entities: list[StoredEntity]
    total: int
    before: str | None
    after: str | None


def encode_cursor(fqn: str) -> str:
    return base64.urlsafe_b64encode(fqn.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"invalid paging cursor {cursor!r}") from error


def _include_clause(include: str) -> str:
    if include == "all":
        return ""
    if include == "deleted":
        return " AND deleted = 1"
    return " AND deleted = 0"


class Store:
    """Thread-safe access to the sandbox's SQLite database."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / DATABASE_FILE
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode loses at most the last commits on power loss, never corrupts: fine for a sandbox.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; re-entrant so helpers can be called inside a caller's transaction."""
        with self._lock:
            if self._conn.in_transaction:
                yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).rowcount

    # Entities

    @staticmethod
    def _entity(row: sqlite3.Row) -> StoredEntity:
        return StoredEntity(
            id=row["id"],
            type=row["type"],
            fqn=row["fqn"],
            parent_id=row["parent_id"],
            deleted=bool(row["deleted"]),
            version=row["version"],
            data=json.loads(row["json"]),
        )

    def get(self, entity_id: str) -> StoredEntity | None:
        rows = self._query("SELECT * FROM entities WHERE id = ?", (entity_id,))
        return self._entity(rows[0]) if rows else None

    def get_by_fqn(self, entity_type: str, fqn: str) -> StoredEntity | None:
        rows = self._query("SELECT * FROM entities WHERE type = ? AND fqn = ?", (entity_type, fqn))
        return self._entity(rows[0]) if rows else None

    def other_query_with_checksum(self, checksum: str, fqn: str) -> StoredEntity | None:
        """Another query (deleted ones included) with this text checksum; served by a partial index."""
        rows = self._query(
            "SELECT * FROM entities WHERE type = 'query' AND json_extract(json, '$.checksum') = ? AND fqn != ? LIMIT 1",
            (checksum, fqn),
        )
        return self._entity(rows[0]) if rows else None

    def save(self, entity: StoredEntity, parent_fqn: str | None = None) -> None:
        self._execute(
            "INSERT INTO entities (id, type, fqn, parent_id, parent_fqn, deleted, version, json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET fqn = excluded.fqn,"
            " parent_id = excluded.parent_id, parent_fqn = excluded.parent_fqn, deleted = excluded.deleted,"
            " version = excluded.version, json = excluded.json",
            (
                entity.id,
                entity.type,
                entity.fqn,
                entity.parent_id,
                parent_fqn,
                int(entity.deleted),
                entity.version,
                json.dumps(entity.data, separators=(",", ":")),
            ),
        )

    def hard_delete(self, entity_ids: list[str]) -> None:
        with self.transaction():
            for entity_id in entity_ids:
                self._execute("DELETE FROM entities WHERE id = ?", (entity_id,))
                self._execute("DELETE FROM entity_links WHERE src_id = ? OR dst_id = ?", (entity_id, entity_id))
                self._execute("DELETE FROM usage WHERE entity_id = ?", (entity_id,))
                self._execute("DELETE FROM lineage WHERE from_id = ? OR to_id = ?", (entity_id, entity_id))
                self._execute("DELETE FROM table_profiles WHERE table_id = ?", (entity_id,))
                self._execute("DELETE FROM table_joins WHERE table_id = ?", (entity_id,))

    def children(self, parent_id: str, include: str = "all") -> list[StoredEntity]:
        rows = self._query(f"SELECT * FROM entities WHERE parent_id = ?{_include_clause(include)}", (parent_id,))
        return [self._entity(row) for row in rows]

    def list_page(
        self,
        entity_type: str,
        *,
        include: str = "non-deleted",
        parent_fqn: str | None = None,
        linked_to: tuple[str, str] | None = None,
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
    ) -> Page:
        """A page of entities of one type ordered by FQN; cursors are base64 FQNs like OpenMetadata's."""
        where = "type = ?" + _include_clause(include)
        params: list[Any] = [entity_type]
        if parent_fqn is not None:
            where += " AND parent_fqn = ?"
            params.append(parent_fqn)
        if linked_to is not None:
            where += " AND id IN (SELECT src_id FROM entity_links WHERE dst_id = ? AND kind = ?)"
            params.extend(linked_to)
        total = self._query(f"SELECT COUNT(*) AS n FROM entities WHERE {where}", params)[0]["n"]
        if before is not None:
            rows = self._query(
                f"SELECT * FROM entities WHERE {where} AND fqn < ? ORDER BY fqn DESC LIMIT ?",
                [*params, decode_cursor(before), limit + 1],
            )
            more = len(rows) > limit
            rows = list(reversed(rows[:limit]))
            new_before = encode_cursor(rows[0]["fqn"]) if more and rows else None
            new_after = encode_cursor(rows[-1]["fqn"]) if rows else None
        else:
            cursor_sql, cursor_params = ("", []) if after is None else (" AND fqn > ?", [decode_cursor(after)])
            rows = self._query(
                f"SELECT * FROM entities WHERE {where}{cursor_sql} ORDER BY fqn LIMIT ?",
                [*params, *cursor_params, limit + 1],
            )
            more = len(rows) > limit
            rows = rows[:limit]
            new_after = encode_cursor(rows[-1]["fqn"]) if more and rows else None
            new_before = encode_cursor(rows[0]["fqn"]) if after is not None and rows else None
        return Page([self._entity(row) for row in rows], total, new_before, new_after)

    def count_by_type(self) -> dict[str, int]:
        rows = self._query("SELECT type, COUNT(*) AS n FROM entities WHERE deleted = 0 GROUP BY type")
        return {row["type"]: row["n"] for row in rows}

    def set_links(self, src_id: str, kind: str, dst_ids: list[str]) -> None:
        with self.transaction():
            self._execute("DELETE FROM entity_links WHERE src_id = ? AND kind = ?", (src_id, kind))
            for dst_id in dst_ids:
                self._execute(
                    "INSERT OR IGNORE INTO entity_links (src_id, dst_id, kind) VALUES (?, ?, ?)",
                    (src_id, dst_id, kind),
                )

    # Usage

    def add_usage(self, entity_id: str, entity_type: str, date: str, count: int, *, replace: bool) -> None:
        """Record a day's count: ``replace`` overwrites that day's count, otherwise it is added to it."""
        update = "excluded.count" if replace else "usage.count + excluded.count"
        self._execute(
            "INSERT INTO usage (entity_id, entity_type, date, count) VALUES (?, ?, ?, ?)"
            f" ON CONFLICT (entity_id, date) DO UPDATE SET count = {update}",
            (entity_id, entity_type, date, count),
        )

    def usage_sum(self, entity_id: str, first_date: str, last_date: str) -> int:
        rows = self._query(
            "SELECT COALESCE(SUM(count), 0) AS n FROM usage WHERE entity_id = ? AND date BETWEEN ? AND ?",
            (entity_id, first_date, last_date),
        )
        return int(rows[0]["n"])

    def usage_rows(self, entity_id: str, first_date: str, last_date: str) -> list[sqlite3.Row]:
        return self._query(
            "SELECT * FROM usage WHERE entity_id = ? AND date BETWEEN ? AND ? ORDER BY date DESC",
            (entity_id, first_date, last_date),
        )

    def latest_usage(self, entity_id: str) -> sqlite3.Row | None:
        rows = self._query("SELECT * FROM usage WHERE entity_id = ? ORDER BY date DESC LIMIT 1", (entity_id,))
        return rows[0] if rows else None

    def usage_on(self, entity_type: str, date: str) -> list[sqlite3.Row]:
        return self._query("SELECT * FROM usage WHERE entity_type = ? AND date = ?", (entity_type, date))

    def set_percentiles(self, entity_id: str, date: str, p1: float, p7: float, p30: float) -> None:
        self._execute(
            "UPDATE usage SET percentile1 = ?, percentile7 = ?, percentile30 = ? WHERE entity_id = ? AND date = ?",
            (p1, p7, p30, entity_id, date),
        )

    # Lineage

    def put_lineage(self, from_id: str, to_id: str, from_type: str, to_type: str, details: dict[str, Any]) -> None:
        self._execute(
            "INSERT INTO lineage (from_id, to_id, from_type, to_type, json) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (from_id, to_id) DO UPDATE SET json = excluded.json",
            (from_id, to_id, from_type, to_type, json.dumps(details)),
        )

    def get_lineage(self, from_id: str, to_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT json FROM lineage WHERE from_id = ? AND to_id = ?", (from_id, to_id))
        return json.loads(rows[0]["json"]) if rows else None

    def delete_lineage(self, from_id: str, to_id: str) -> bool:
        return self._execute("DELETE FROM lineage WHERE from_id = ? AND to_id = ?", (from_id, to_id)) > 0

    def lineage_edges(self, entity_id: str, *, upstream: bool) -> list[tuple[str, str, dict[str, Any]]]:
        column = "to_id" if upstream else "from_id"
        rows = self._query(f"SELECT from_id, to_id, json FROM lineage WHERE {column} = ?", (entity_id,))
        return [(row["from_id"], row["to_id"], json.loads(row["json"])) for row in rows]

    # Profiles and joins

    def put_profile(self, table_id: str, timestamp: int, profile: dict[str, Any]) -> None:
        self._execute(
            "INSERT INTO table_profiles (table_id, timestamp, json) VALUES (?, ?, ?)"
            " ON CONFLICT (table_id, timestamp) DO UPDATE SET json = excluded.json",
            (table_id, timestamp, json.dumps(profile)),
        )

    def profiles(self, table_id: str, start_ts: int, end_ts: int) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT json FROM table_profiles WHERE table_id = ? AND timestamp BETWEEN ? AND ? ORDER BY timestamp DESC",
            (table_id, start_ts, end_ts),
        )
        return [json.loads(row["json"]) for row in rows]

    def latest_profile(self, table_id: str) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT json FROM table_profiles WHERE table_id = ? ORDER BY timestamp DESC LIMIT 1", (table_id,)
        )
        return json.loads(rows[0]["json"]) if rows else None

    def put_sample_data(self, table_id: str, data: dict[str, Any]) -> None:
        self._execute(
            "INSERT INTO sample_data (table_id, json) VALUES (?, ?)"
            " ON CONFLICT (table_id) DO UPDATE SET json = excluded.json",
            (table_id, json.dumps(data)),
        )

    def sample_data(self, table_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT json FROM sample_data WHERE table_id = ?", (table_id,))
        return json.loads(rows[0]["json"]) if rows else None

    def put_joins(self, table_id: str, start_date: str, joins: dict[str, Any]) -> None:
        self._execute(
            "INSERT INTO table_joins (table_id, start_date, json) VALUES (?, ?, ?)"
            " ON CONFLICT (table_id, start_date) DO UPDATE SET json = excluded.json",
            (table_id, start_date, json.dumps(joins)),
        )

    def joins(self, table_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT json FROM table_joins WHERE table_id = ? ORDER BY start_date", (table_id,))
        return [json.loads(row["json"]) for row in rows]

    # Test case results

    def put_test_result(self, test_case_fqn: str, timestamp: int, result: dict[str, Any]) -> None:
        self._execute(
            "INSERT INTO test_results (test_case_fqn, timestamp, json) VALUES (?, ?, ?)"
            " ON CONFLICT (test_case_fqn, timestamp) DO UPDATE SET json = excluded.json",
            (test_case_fqn, timestamp, json.dumps(result)),
        )

    def test_results(self, test_case_fqn: str, start_ts: int, end_ts: int) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT json FROM test_results WHERE test_case_fqn = ? AND timestamp BETWEEN ? AND ?"
            " ORDER BY timestamp DESC",
            (test_case_fqn, start_ts, end_ts),
        )
        return [json.loads(row["json"]) for row in rows]

    def latest_test_result(self, test_case_fqn: str) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT json FROM test_results WHERE test_case_fqn = ? ORDER BY timestamp DESC LIMIT 1",
            (test_case_fqn,),
        )
        return json.loads(rows[0]["json"]) if rows else None

    # Whole store

    def counts(self) -> dict[str, int]:
        """Row counts of the non-entity tables, for the sandbox summary."""
        result = {}
        for table in ("usage", "lineage", "table_profiles", "table_joins", "test_results"):
            result[table] = self._query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
        return result

    def wipe(self) -> None:
        with self.transaction():
            for table in (
                "entities",
                "entity_links",
                "usage",
                "lineage",
                "table_profiles",
                "sample_data",
                "table_joins",
                "test_results",
            ):
                self._execute(f"DELETE FROM {table}")
