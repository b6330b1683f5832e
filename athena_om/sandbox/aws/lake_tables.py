"""Which S3 objects hold a Glue table's rows, read as Athena reads them: format, SerDe options, partitions.

A table's rows are the objects under its StorageDescriptor.Location; a partitioned table's are those under its
Glue partitions' locations, or, with partition projection (``projection.enabled``), those whose folders match the
projected layout (``key=value/`` or ``storage.location.template``) and the projection's ranges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from moto.glue.exceptions import DatabaseNotFoundException, TableNotFoundException
from moto.glue.models import glue_backends
from moto.s3.models import FakeKey, s3_backends

READABLE_FORMATS = ("parquet", "csv", "json")


class LakeReadError(ValueError):
    """A table's objects cannot be read by the sandbox (an unsupported format or a broken location)."""


@dataclass(frozen=True)
class CsvOptions:
    """How a text table's lines split into fields (LazySimpleSerDe or OpenCSVSerde)."""

    delimiter: str = ","
    quote: str = ""
    escape: str = ""
    skip_header: int = 0
    null_string: str = "\\N"


@dataclass(frozen=True)
class LakeFile:
    """One S3 object of a table, with the raw partition values its folder stands for (in partition key order)."""

    bucket: str
    key: str
    etag: str
    size: int
    partition: tuple[str, ...] = ()

    @property
    def uri(self) -> str:
        """s3://bucket/key."""
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class LakeTable:
    """A Glue table as Athena reads it: columns and partition keys as (name, Hive type), format and objects."""

    database: str
    name: str
    location: str
    data_format: str  # parquet, csv, json, orc, avro, ion or unknown
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    files: tuple[LakeFile, ...]
    csv: CsvOptions | None = None
    iceberg: bool = False  # an Iceberg table: its "$files" metadata table is queryable

    def fingerprint(self) -> str:
        """Changes whenever the schema, the format or any object (by ETag) changes."""
        digest = hashlib.sha1(repr((self.data_format, self.columns, self.partition_keys, self.csv)).encode())
        for file in self.files:
            digest.update(f"{file.uri}|{file.etag}|{file.partition}".encode())
        return digest.hexdigest()


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key prefix) of an s3:// URI; the prefix of a folder ends with "/"."""
    match = re.match(r"^s3a?n?://([^/]+)/?(.*)$", uri or "")
    if not match:
        raise LakeReadError(f"{uri!r} is not an s3:// location; set StorageDescriptor.Location to s3://bucket/prefix/")
    prefix = match.group(2)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return match.group(1), prefix


def data_format_of(table: dict[str, Any]) -> str:
    """The file format of a Glue table, from its SerDe, input format and classification."""
    parameters = {k.lower(): str(v) for k, v in (table.get("Parameters") or {}).items()}
    if parameters.get("table_type", "").upper() == "ICEBERG":
        return parameters.get("write_format", parameters.get("write.format.default", "parquet")).lower()
    descriptor = table.get("StorageDescriptor") or {}
    serde = ((descriptor.get("SerdeInfo") or {}).get("SerializationLibrary") or "").lower()
    input_format = (descriptor.get("InputFormat") or "").lower()
    hints = f"{serde} {input_format}"
    for needle, data_format in (
        ("parquet", "parquet"),
        ("orc", "orc"),
        ("avro", "avro"),
        ("ion", "ion"),
        ("json", "json"),
        ("opencsv", "csv"),
        ("lazysimpleserde", "csv"),
    ):
        if needle in hints:
            return data_format
    classification = parameters.get("classification", "")
    if classification in ("parquet", "orc", "avro", "json", "csv"):
        return classification
    return "csv" if "textinputformat" in input_format else "unknown"


def csv_options(table: dict[str, Any]) -> CsvOptions:
    """Field delimiter, quoting, header lines and NULL spelling of a text table's SerDe."""
    parameters = table.get("Parameters") or {}
    serde = (table.get("StorageDescriptor") or {}).get("SerdeInfo") or {}
    serde_params = serde.get("Parameters") or {}
    skip = int(str(parameters.get("skip.header.line.count") or serde_params.get("skip.header.line.count") or 0))
    if "opencsv" in (serde.get("SerializationLibrary") or "").lower():
        return CsvOptions(
            delimiter=serde_params.get("separatorChar", ","),
            quote=serde_params.get("quoteChar", '"'),
            escape=serde_params.get("escapeChar", "\\"),
            skip_header=skip,
            null_string="",
        )
    delimiter = serde_params.get("field.delim") or serde_params.get("serialization.format") or "\x01"
    return CsvOptions(
        delimiter=delimiter,
        escape=serde_params.get("escape.delim", ""),
        skip_header=skip,
        null_string=serde_params.get("serialization.null.format", "\\N"),
    )


def _projection(parameters: dict[str, str]) -> bool:
    return str(parameters.get("projection.enabled", "")).lower() == "true"


def partition_folder(keys: list[str], values: list[str], parameters: dict[str, str], location: str) -> str:
    """The folder (relative to the table location, ending "/") where a partition's objects live.

    With partition projection and ``storage.location.template`` it follows the template; otherwise ``k=v/``.
    Projected integers are padded to ``projection.<key>.digits``.
    """
    rendered = []
    for key, value in zip(keys, values, strict=True):
        digits = parameters.get(f"projection.{key}.digits") if _projection(parameters) else None
        rendered.append(str(value).zfill(int(digits)) if digits and str(value).lstrip("-").isdigit() else str(value))
    template = parameters.get("storage.location.template") if _projection(parameters) else None
    if template:
        path = template
        for key, value in zip(keys, rendered, strict=True):
            path = path.replace("${" + key + "}", value)
        _, template_prefix = split_s3_uri(path)
        _, table_prefix = split_s3_uri(location)
        relative = template_prefix[len(table_prefix) :] if template_prefix.startswith(table_prefix) else ""
        return relative
    return "".join(f"{key}={value}/" for key, value in zip(keys, rendered, strict=True))


def _template_pattern(template: str, keys: list[str]) -> tuple[str, str, re.Pattern[str]]:
    """(bucket, listing prefix, pattern with one group per key) of a storage.location.template."""
    bucket, prefix = split_s3_uri(template)
    first = min((prefix.find("${" + k + "}") for k in keys if "${" + k + "}" in prefix), default=len(prefix))
    listing = prefix[:first]
    listing = listing[: listing.rfind("/") + 1]
    pattern = re.escape(prefix[len(listing) :])
    for key in keys:
        pattern = pattern.replace(re.escape("${" + key + "}"), f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', key)}>[^/]+)", 1)
    return bucket, listing, re.compile("^" + pattern)


_JAVA_DATE_TOKENS = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))


def _in_projection(key: str, value: str, parameters: dict[str, str]) -> bool:
    """Whether a folder's value is one partition projection would enumerate."""
    kind = parameters.get(f"projection.{key}.type", "").lower()
    bounds = [b.strip() for b in parameters.get(f"projection.{key}.range", "").split(",")]
    if kind == "enum":
        return value in [v.strip() for v in parameters.get(f"projection.{key}.values", "").split(",")]
    if kind == "integer" and len(bounds) == 2:
        try:
            return int(bounds[0]) <= int(value) <= int(bounds[1])
        except ValueError:
            return False
    if kind == "date" and len(bounds) == 2:
        java = parameters.get(f"projection.{key}.format", "yyyy-MM-dd")
        for token, directive in _JAVA_DATE_TOKENS:
            java = java.replace(token, directive)
        try:
            day = dt.datetime.strptime(value, java)
        except ValueError:
            return False
        try:
            low = dt.datetime.strptime(bounds[0], java)
        except ValueError:
            low = dt.datetime.min
        high = dt.datetime.now() if bounds[1].upper().startswith("NOW") else dt.datetime.strptime(bounds[1], java)
        return low <= day <= high
    return True  # injected, or a projection the sandbox does not check


def _is_data_object(key: str) -> bool:
    # Athena skips folder markers and files whose name starts with "_" or "." (e.g. _SUCCESS, .crc).
    name = key.rsplit("/", 1)[-1]
    return bool(name) and not name.startswith(("_", ".")) and not key.endswith("_$folder$")


class LakeCatalog:
    """Reads Glue tables and their S3 objects from moto's in-process backends of one account and region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def _objects(self, bucket: str, prefix: str) -> list[tuple[str, FakeKey]]:
        s3 = s3_backends[self.account_id]["aws"]
        found = s3.buckets.get(bucket)
        if found is None:
            return []
        return sorted(
            (name, key)
            for name, key in found.keys.items()
            if name.startswith(prefix) and isinstance(key, FakeKey) and _is_data_object(name) and key.size > 0
        )

    def read(self, file: LakeFile) -> bytes:
        """The bytes of one object."""
        s3 = s3_backends[self.account_id]["aws"]
        key = s3.buckets[file.bucket].keys[file.key]
        return bytes(key.value)

    def resolve(self, database: str, name: str) -> LakeTable | None:
        """The table's objects and schema; None when Glue has no such table or it is a view."""
        glue = glue_backends[self.account_id][self.region]
        try:
            fake = glue.get_table(database.lower(), name.lower())
        except (DatabaseNotFoundException, TableNotFoundException):
            return None
        table = fake.as_dict()
        if (table.get("TableType") or "").upper() == "VIRTUAL_VIEW" or table.get("ViewOriginalText"):
            return None
        descriptor = table.get("StorageDescriptor") or {}
        location = descriptor.get("Location") or ""
        if not location:
            return None
        parameters = {k: str(v) for k, v in (table.get("Parameters") or {}).items()}
        current = [
            c
            for c in descriptor.get("Columns") or []
            if (c.get("Parameters") or {}).get("iceberg.field.current") != "false"
        ]
        columns = tuple((c["Name"], c["Type"]) for c in current)
        keys = tuple((c["Name"], c["Type"]) for c in table.get("PartitionKeys") or [])
        data_format = data_format_of(table)
        if parameters.get("table_type", "").upper() == "ICEBERG":
            # The sandbox reads an Iceberg table's data files under data/ (no snapshots, no delete files).
            location = location.rstrip("/") + "/data/"
        files = self._files(fake, location, [k for k, _ in keys], parameters)
        return LakeTable(
            database=database.lower(),
            name=name.lower(),
            location=location,
            data_format=data_format,
            columns=columns,
            partition_keys=keys,
            files=tuple(files),
            csv=csv_options(table) if data_format == "csv" else None,
            iceberg=parameters.get("table_type", "").upper() == "ICEBERG",
        )

    def _files(self, fake: Any, location: str, keys: list[str], parameters: dict[str, str]) -> list[LakeFile]:
        bucket, prefix = split_s3_uri(location)
        if not keys:
            return [
                LakeFile(bucket, name, key.etag.strip('"'), key.size) for name, key in self._objects(bucket, prefix)
            ]
        if _projection(parameters):
            return self._projected_files(bucket, prefix, keys, parameters)
        files = []
        for partition in fake.partitions.values():
            values = tuple(str(v) for v in partition.values)
            part_location = ((partition.as_dict().get("StorageDescriptor") or {}).get("Location")) or ""
            if not part_location:
                part_location = f"s3://{bucket}/{prefix}" + "".join(
                    f"{k}={v}/" for k, v in zip(keys, values, strict=False)
                )
            part_bucket, part_prefix = split_s3_uri(part_location)
            for name, key in self._objects(part_bucket, part_prefix):
                files.append(LakeFile(part_bucket, name, key.etag.strip('"'), key.size, values))
        return sorted(files, key=lambda f: f.uri)

    def _projected_files(self, bucket: str, prefix: str, keys: list[str], parameters: dict[str, str]) -> list[LakeFile]:
        template = parameters.get("storage.location.template")
        if template:
            bucket, listing, pattern = _template_pattern(template, keys)
        else:
            listing = prefix
            pattern = re.compile(
                "^" + "".join(f"{re.escape(k)}=(?P<{re.sub(r'[^A-Za-z0-9_]', '_', k)}>[^/]+)/" for k in keys)
            )
        files = []
        for name, key in self._objects(bucket, listing):
            match = pattern.match(name[len(listing) :])
            if not match:
                continue
            values = tuple(match.group(re.sub(r"[^A-Za-z0-9_]", "_", k)) for k in keys)
            if all(_in_projection(k, v, parameters) for k, v in zip(keys, values, strict=True)):
                files.append(LakeFile(bucket, name, key.etag.strip('"'), key.size, values))
        return files
