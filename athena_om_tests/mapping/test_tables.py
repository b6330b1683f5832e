import base64
import json
from dataclasses import replace
from typing import Any

import pytest

from athena_om.athena.catalog import glue_table_from_api
from athena_om.athena.models import GlueColumn, GlueDatabase, GlueStorage, GlueTable, GlueViewRepresentation, LFTag
from athena_om.mapping.tables import (
    TableMappingOptions,
    compute_source_hash,
    decode_view_text,
    glue_database_to_schema_request,
    glue_table_to_create_request,
    is_glue_view,
)
from athena_om.openmetadata.models import CreateTableRequest, EntityReference, TagLabel

SCHEMA = "athena.default.sales"
PARQUET = GlueStorage(
    location="s3://lake/sales/orders/",
    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    serde_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
)


def orders(**changes: Any) -> GlueTable:
    table = GlueTable(
        database="sales",
        name="orders",
        table_type="EXTERNAL_TABLE",
        columns=(
            GlueColumn("id", "bigint", comment="order id"),
            GlueColumn("address", "struct<street:string,zip:varchar(10)>"),
        ),
        partition_keys=(GlueColumn("dt", "string"), GlueColumn("region", "string")),
        parameters={"EXTERNAL": "TRUE", "classification": "parquet", "comment": "All orders"},
        storage=PARQUET,
    )
    return replace(table, **changes)


def mapped(table: GlueTable, **kwargs: Any) -> CreateTableRequest:
    result = glue_table_to_create_request(table, schema_fqn=SCHEMA, **kwargs)
    assert result.ok, result.error
    assert result.request is not None
    return result.request


def presto_view(document: dict[str, Any]) -> str:
    payload = base64.b64encode(json.dumps(document).encode()).decode()
    return f"/* Presto View: {payload} */"


def test_external_parquet_table() -> None:
    result = glue_table_to_create_request(orders(), schema_fqn=SCHEMA)
    assert result.warnings == []
    body = result.request.to_body() if result.request else {}
    assert body["name"] == "orders"
    assert body["databaseSchema"] == SCHEMA
    assert body["tableType"] == "External"
    assert body["description"] == "All orders"
    assert body["locationPath"] == "s3://lake/sales/orders/"
    assert body["fileFormat"] == "parquet"
    assert [(c["name"], c["dataType"], c["ordinalPosition"]) for c in body["columns"]] == [
        ("id", "BIGINT", 1),
        ("address", "STRUCT", 2),
        ("dt", "STRING", 3),
        ("region", "STRING", 4),
    ]
    assert body["columns"][0]["description"] == "order id"
    assert [c["name"] for c in body["columns"][1]["children"]] == ["street", "zip"]
    assert body["tablePartition"] == {
        "columns": [
            {"columnName": "dt", "intervalType": "COLUMN-VALUE"},
            {"columnName": "region", "intervalType": "COLUMN-VALUE"},
        ]
    }
    assert "schemaDefinition" not in body
    assert len(body["sourceHash"]) == 32


def test_partition_key_repeated_in_columns_is_kept_once() -> None:
    table = orders(columns=(*orders().columns, GlueColumn("DT", "string"), GlueColumn("id", "int")))
    result = glue_table_to_create_request(table, schema_fqn=SCHEMA)
    assert result.request is not None
    names = [c.name for c in result.request.columns]
    assert names == ["id", "address", "dt", "region"]
    assert [c.ordinalPosition for c in result.request.columns] == [1, 2, 3, 4]
    assert result.warnings == [
        "column 'DT' is also a partition key; kept the partition key",
        "column 'id' appears more than once (case-insensitively); kept the first",
    ]
    partition = result.request.tablePartition
    assert partition is not None
    assert [p.columnName for p in partition.columns] == ["dt", "region"]


def test_partition_key_named_like_a_data_column_wins_and_keeps_its_type() -> None:
    # Glue lets a crawler list the partition key among the data columns too, sometimes with another type.
    table = orders(columns=(GlueColumn("Region", "int", comment="data copy"), *orders().columns))
    request = mapped(table)
    assert [c.name for c in request.columns] == ["id", "address", "dt", "region"]
    region = request.columns[3]
    assert (region.dataType, region.description) == ("STRING", None)
    assert request.tablePartition is not None
    assert [p.columnName for p in request.tablePartition.columns] == ["dt", "region"]


@pytest.mark.parametrize(
    ("key_type", "parameters", "interval_type", "interval"),
    [
        ("string", {}, "COLUMN-VALUE", None),
        ("date", {}, "TIME-UNIT", None),
        ("timestamp", {}, "TIME-UNIT", None),
        ("int", {}, "INTEGER-RANGE", None),
        ("bigint", {}, "INTEGER-RANGE", None),
        ("not a type", {}, "COLUMN-VALUE", None),
        ("string", {"projection.enabled": "true", "projection.k.type": "enum"}, "COLUMN-VALUE", None),
        (
            "string",
            {"projection.enabled": "true", "projection.k.type": "integer", "projection.k.interval": "5"},
            "INTEGER-RANGE",
            "5",
        ),
        (
            "string",
            {"projection.enabled": "TRUE", "projection.k.type": "date", "projection.k.interval.unit": "HOURS"},
            "TIME-UNIT",
            "HOUR",
        ),
        (
            "string",
            {"projection.enabled": "true", "projection.k.type": "date", "projection.k.format": "yyyy-MM-dd"},
            "TIME-UNIT",
            "DAY",
        ),
        (
            "string",
            {"projection.enabled": "true", "projection.k.type": "date", "projection.k.format": "yyyy/MM"},
            "TIME-UNIT",
            "MONTH",
        ),
        ("string", {"projection.enabled": "true", "projection.k.type": "injected"}, "INJECTED", None),
        ("date", {"projection.enabled": "false", "projection.k.type": "enum"}, "TIME-UNIT", None),
        ("int", {"projection.enabled": "true"}, "INTEGER-RANGE", None),
    ],
)
def test_partition_interval_types(
    key_type: str, parameters: dict[str, str], interval_type: str, interval: str | None
) -> None:
    table = orders(partition_keys=(GlueColumn("k", key_type),), parameters=parameters)
    body = mapped(table).to_body()
    expected = {"columnName": "k", "intervalType": interval_type}
    if interval is not None:
        expected["interval"] = interval
    assert body["tablePartition"]["columns"] == [expected]


def test_unknown_projection_type_falls_back_with_a_warning() -> None:
    table = orders(
        partition_keys=(GlueColumn("k", "int"),),
        parameters={"projection.enabled": "true", "projection.k.type": "weird"},
    )
    result = glue_table_to_create_request(table, schema_fqn=SCHEMA)
    assert result.request is not None and result.request.tablePartition is not None
    assert result.request.tablePartition.columns[0].intervalType == "INTEGER-RANGE"
    assert "unknown projection type" in result.warnings[0]


def test_athena_view_is_decoded() -> None:
    document = {
        "originalSql": "SELECT id, total FROM orders",
        "catalog": "awsdatacatalog",
        "schema": "sales",
        "columns": [{"name": "id", "type": "bigint"}, {"name": "total", "type": "decimal(10,2)"}],
    }
    view = GlueTable(
        database="sales",
        name="order_totals",
        table_type="VIRTUAL_VIEW",
        parameters={"presto_view": "true", "comment": "Presto View", "table_type": "ICEBERG", "EXTERNAL": "TRUE"},
        view_original_text=presto_view(document),
        view_expanded_text="/* Presto View */",
        storage=GlueStorage(location="s3://ignored/"),
    )
    body = mapped(view).to_body()
    assert body["tableType"] == "View"
    assert body["schemaDefinition"] == "SELECT id, total FROM orders"
    assert "description" not in body  # Athena's "Presto View" comment is not a description
    assert "locationPath" not in body and "fileFormat" not in body
    assert [(c["name"], c["dataType"]) for c in body["columns"]] == [("id", "BIGINT"), ("total", "DECIMAL")]


def test_view_prefers_glue_columns_over_the_decoded_ones() -> None:
    view = GlueTable(
        database="sales",
        name="v",
        table_type="VIRTUAL_VIEW",
        columns=(GlueColumn("x", "int"),),
        view_original_text=presto_view({"originalSql": "SELECT 1 x", "columns": [{"name": "y", "type": "int"}]}),
    )
    assert [c.name for c in mapped(view).columns] == ["x"]


@pytest.mark.parametrize(
    ("text", "sql", "warning"),
    [
        ("SELECT * FROM t", "SELECT * FROM t", None),
        ("  select 1\n", "select 1", None),
        # A view header with a damaged payload is not SQL: keep no definition rather than store the comment.
        ("/* Presto View: %%%not-base64%%% */", None, "not base64"),
        ("/* Presto View: bm90IGpzb24= */", None, "not valid base64 JSON"),
        ("/* Presto View: ####### */", None, "not base64"),
        ("/* Presto View: e30= */", None, "no originalSql"),
        ("/* Presto View: WzFd */", None, "not an object"),
        (None, None, None),
    ],
)
def test_decode_view_text(text: str | None, sql: str | None, warning: str | None) -> None:
    view, warnings = decode_view_text(text)
    assert view.sql == sql
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warning in warnings[0]


def test_broken_view_is_still_mapped_without_definition() -> None:
    view = GlueTable(
        database="sales",
        name="broken",
        table_type="VIRTUAL_VIEW",
        columns=(GlueColumn("a", "int"),),
        view_original_text="/* Presto View: bm90IGpzb24= */",
    )
    result = glue_table_to_create_request(view, schema_fqn=SCHEMA)
    assert result.request is not None
    assert result.request.schemaDefinition is None
    assert result.request.tableType == "View"
    assert any("base64" in w for w in result.warnings)


def test_view_with_no_columns_anywhere_is_mapped_with_a_warning() -> None:
    view = GlueTable(database="sales", name="v", table_type="VIRTUAL_VIEW", view_original_text="SELECT 1")
    result = glue_table_to_create_request(view, schema_fqn=SCHEMA)
    assert result.request is not None and result.request.columns == []
    assert result.warnings == ["view has no columns in Glue nor in its definition"]


def test_iceberg_table_drops_non_current_columns() -> None:
    table = orders(
        table_type="EXTERNAL_TABLE",
        parameters={"table_type": "iceberg", "format": "parquet"},
        columns=(
            GlueColumn("id", "bigint", parameters={"iceberg.field.current": "true"}),
            GlueColumn("old", "string", parameters={"iceberg.field.current": "false"}),
            GlueColumn("new", "string"),
        ),
        partition_keys=(),
    )
    request = mapped(table)
    assert request.tableType == "Iceberg"
    assert [c.name for c in request.columns] == ["id", "new"]
    assert request.fileFormat == "parquet"


@pytest.mark.parametrize(
    ("table_type", "parameters", "expected"),
    [
        ("EXTERNAL_TABLE", {}, "External"),
        ("MANAGED_TABLE", {}, "Regular"),
        ("MANAGED_TABLE", {"EXTERNAL": "TRUE"}, "External"),
        (None, {}, "External"),
        ("GOVERNED", {}, "External"),
        ("EXTERNAL_TABLE", {"table_type": "ICEBERG"}, "Iceberg"),
    ],
)
def test_table_types(table_type: str | None, parameters: dict[str, str], expected: str) -> None:
    assert mapped(orders(table_type=table_type, parameters=parameters)).tableType == expected


OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
LAZY = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"


@pytest.mark.parametrize(
    ("serde", "input_format", "serde_parameters", "parameters", "expected"),
    [
        (None, None, {}, {"classification": "parquet"}, "parquet"),
        (None, None, {}, {"classification": "avro"}, "avro"),
        ("org.openx.data.jsonserde.JsonSerDe", None, {}, {}, "json"),
        ("org.apache.hive.hcatalog.data.JsonSerDe", None, {}, {"compressionType": "gzip"}, "json.gz"),
        (OPEN_CSV, None, {"separatorChar": ","}, {}, "csv"),
        (OPEN_CSV, None, {"separatorChar": "\t"}, {}, "tsv"),
        (None, None, {}, {"classification": "csv", "compressionType": "gzip"}, "csv.gz"),
        (LAZY, None, {"field.delim": "\t"}, {}, "tsv"),
        (LAZY, None, {"field.delim": ","}, {}, "csv"),
        (LAZY, None, {"serialization.format": ","}, {}, "csv"),
        (LAZY, None, {"field.delim": "|"}, {}, None),
        (LAZY, None, {}, {}, None),
        ("org.apache.hadoop.hive.ql.io.orc.OrcSerde", None, {}, {}, None),
        (None, None, {}, {"classification": "orc"}, None),
        ("com.amazon.ionhiveserde.IonHiveSerDe", None, {}, {}, None),
        (None, "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat", {}, {}, "avro"),
        (None, None, {}, {}, None),
    ],
)
def test_file_formats(
    serde: str | None,
    input_format: str | None,
    serde_parameters: dict[str, str],
    parameters: dict[str, str],
    expected: str | None,
) -> None:
    storage = GlueStorage(
        location="s3://x/", serde_library=serde, input_format=input_format, serde_parameters=serde_parameters
    )
    assert mapped(orders(storage=storage, parameters=parameters)).fileFormat == expected


def test_description_prefers_glue_description() -> None:
    assert mapped(orders(description="From Glue")).description == "From Glue"
    assert mapped(orders(parameters={})).description is None


def test_table_and_column_lf_tags_become_labels() -> None:
    table = orders(
        lf_tags=(LFTag("domain", ("sales",)), LFTag("tier", ("gold",))),
        columns=(GlueColumn("email", "string", lf_tags=(LFTag("pii", ("email",)),)),),
    )
    body = mapped(table).to_body()
    assert [t["tagFQN"] for t in body["tags"]] == ["domain.sales", "tier.gold"]
    assert body["columns"][0]["tags"] == [
        {"tagFQN": "pii.email", "source": "Classification", "labelType": "Automated", "state": "Confirmed"}
    ]
    untagged = mapped(table, options=TableMappingOptions(include_tags=False)).to_body()
    assert "tags" not in untagged and "tags" not in untagged["columns"][0]


def test_custom_tag_resolver_and_its_failures() -> None:
    def resolver(tag: LFTag) -> list[TagLabel]:
        if tag.key == "boom":
            raise RuntimeError("no such classification")
        return [TagLabel(tagFQN=f"LakeFormation.{tag.key}")]

    table = orders(lf_tags=(LFTag("boom", ("x",)), LFTag("ok", ("y",))))
    result = glue_table_to_create_request(table, schema_fqn=SCHEMA, tag_resolver=resolver)
    assert result.request is not None and result.request.tags is not None
    assert [t.tagFQN for t in result.request.tags] == ["LakeFormation.ok"]
    assert "no such classification" in result.warnings[0]


USER = EntityReference(id="5b0c8d5e-2f54-4c47-9a32-6c5a3f0b1f11", type="user", name="ana")


@pytest.mark.parametrize(
    ("owner", "parameters", "lf_tags", "options", "asked_for"),
    [
        ("ana", {}, (), TableMappingOptions(), "ana"),
        ("hadoop", {"owner_email": "ana@x.io"}, (), TableMappingOptions(owner_parameter="owner_email"), "ana@x.io"),
        ("hadoop", {}, (), TableMappingOptions(owner_parameter="owner_email"), "hadoop"),
        ("hadoop", {}, (LFTag("Owner", ("team-a",)),), TableMappingOptions(owner_lf_tag_key="owner"), "team-a"),
    ],
)
def test_owner_source(
    owner: str, parameters: dict[str, str], lf_tags: tuple[LFTag, ...], options: TableMappingOptions, asked_for: str
) -> None:
    asked: list[str] = []

    def resolver(value: str) -> EntityReference | None:
        asked.append(value)
        return USER

    request = mapped(
        orders(owner=owner, parameters=parameters, lf_tags=lf_tags),
        owner_resolver=resolver,
        options=replace(options, include_tags=False),
    )
    assert asked == [asked_for]
    assert request.owners == [USER]


def test_no_owner_without_a_resolver_or_when_unresolved() -> None:
    assert mapped(orders(owner="ana")).owners is None
    assert mapped(orders(owner="ana"), owner_resolver=lambda _: None).owners is None


def test_source_hash_is_stable_and_tracks_every_change() -> None:
    base = mapped(orders()).sourceHash
    assert base == mapped(orders()).sourceHash
    assert base is not None and len(base) == 32 and int(base, 16) >= 0
    variants = [
        orders(description="changed"),
        orders(columns=(GlueColumn("id", "int"),)),
        orders(columns=(GlueColumn("id", "bigint", comment="new comment"),)),
        orders(lf_tags=(LFTag("domain", ("sales",)),)),
        orders(storage=replace(PARQUET, location="s3://lake/elsewhere/")),
    ]
    hashes = {mapped(table).sourceHash for table in variants}
    hashes.add(mapped(orders(owner="ana"), owner_resolver=lambda _: USER).sourceHash)
    assert base not in hashes and len(hashes) == len(variants) + 1


def test_source_hash_ignores_lf_tag_order() -> None:
    tags = (LFTag("a", ("1",)), LFTag("b", ("2",)))
    first = mapped(orders(lf_tags=tags)).sourceHash
    assert first == mapped(orders(lf_tags=tags[::-1])).sourceHash


def test_compute_source_hash_excludes_itself() -> None:
    request = mapped(orders())
    assert compute_source_hash(request) == request.sourceHash


def test_table_without_columns_is_an_error_not_an_exception() -> None:
    result = glue_table_to_create_request(orders(columns=(), partition_keys=()), schema_fqn=SCHEMA)
    assert result.request is None and not result.ok
    assert result.error is not None
    assert str(result.error) == "cannot map Glue table sales.orders: it has no columns and is not a view"


def test_table_with_an_unusable_name_is_an_error() -> None:
    result = glue_table_to_create_request(orders(name="x" * 300), schema_fqn=SCHEMA)
    assert result.error is not None and "too long" in result.error.reason


def test_unparseable_column_type_does_not_fail_the_table() -> None:
    table = orders(columns=(GlueColumn("ok", "int"), GlueColumn("bad", "struct<a:int")))
    result = glue_table_to_create_request(table, schema_fqn=SCHEMA)
    assert result.request is not None
    assert [(c.name, c.dataType) for c in result.request.columns[:2]] == [("ok", "INT"), ("bad", "UNKNOWN")]
    assert result.request.columns[1].dataTypeDisplay == "struct<a:int"
    assert len(result.warnings) == 1 and "'bad'" in result.warnings[0]


def test_special_characters_in_names_are_encoded() -> None:
    table = orders(name="odd::name", columns=(GlueColumn('col"1', "int"),), partition_keys=(GlueColumn("p>q", "int"),))
    body = mapped(table).to_body()
    assert body["name"] == "odd__reserved__colon__name"
    assert [c["name"] for c in body["columns"]] == ["col__reserved__quote__1", "p__reserved__arrow__q"]
    assert body["tablePartition"]["columns"][0]["columnName"] == "p__reserved__arrow__q"


def test_database_to_schema_request() -> None:
    db = GlueDatabase(
        name="sales",
        description="Sales data",
        location_uri="s3://lake/sales/",
        parameters={"owner": "ana"},
        lf_tags=(LFTag("domain", ("sales",)),),
    )
    request = glue_database_to_schema_request(db, database_fqn="athena.default")
    body = request.to_body()
    assert body["name"] == "sales"
    assert body["database"] == "athena.default"
    assert body["description"] == "Sales data"
    assert [t["tagFQN"] for t in body["tags"]] == ["domain.sales"]
    assert "owners" not in body
    assert "s3://lake/sales/" not in json.dumps(body)  # location is deliberately not sent
    assert len(body["sourceHash"]) == 32
    assert request.sourceHash == glue_database_to_schema_request(db, database_fqn="athena.default").sourceHash

    owned = glue_database_to_schema_request(
        replace(db, description=None, parameters={"owner": "ana", "comment": "from comment"}),
        database_fqn="athena.default",
        owner_resolver=lambda name: USER if name == "ana" else None,
        options=TableMappingOptions(owner_parameter="owner"),
    )
    assert owned.owners == [USER]
    assert owned.description == "from comment"
    assert owned.sourceHash != request.sourceHash


def catalog_view(*representations: GlueViewRepresentation, table_type: str | None = "VIRTUAL_VIEW") -> GlueTable:
    """A Glue Data Catalog view as GetTable returns it: SQL only in ViewDefinition.Representations."""
    return GlueTable(
        database="sales",
        name="big_orders",
        table_type=table_type,
        columns=(GlueColumn("id", "bigint"),),
        parameters={"comment": "Orders over 100"},
        view_representations=representations,
    )


ATHENA_SQL = "SELECT id FROM sales.orders WHERE total > 100"
SPARK_SQL = "SELECT id FROM spark_catalog.sales.orders WHERE total > 100"


@pytest.mark.parametrize("table_type", ["VIRTUAL_VIEW", None, "EXTERNAL_TABLE"])
def test_glue_catalog_view_takes_the_athena_representation(table_type: str | None) -> None:
    view = catalog_view(
        GlueViewRepresentation("SPARK", SPARK_SQL, SPARK_SQL),
        GlueViewRepresentation("ATHENA", ATHENA_SQL, ATHENA_SQL, dialect_version="3"),
        table_type=table_type,
    )
    result = glue_table_to_create_request(view, schema_fqn=SCHEMA)
    assert result.request is not None and result.warnings == []
    assert result.request.tableType == "View"
    assert result.request.schemaDefinition == ATHENA_SQL
    assert result.request.locationPath is None and result.request.fileFormat is None
    assert is_glue_view(view)


def test_glue_catalog_view_falls_back_to_the_expanded_text() -> None:
    view = catalog_view(GlueViewRepresentation("ATHENA", None, f"  {ATHENA_SQL}\n"))
    assert mapped(view).schemaDefinition == ATHENA_SQL


def test_glue_catalog_view_with_only_spark_sql_says_so() -> None:
    view = catalog_view(GlueViewRepresentation("SPARK", SPARK_SQL, None), GlueViewRepresentation("REDSHIFT", "x"))
    result = glue_table_to_create_request(view, schema_fqn=SCHEMA)
    assert result.request is not None
    assert result.request.schemaDefinition == SPARK_SQL
    assert result.warnings == ["view has no Athena SQL in Glue; schemaDefinition holds its SPARK dialect SQL"]


def test_glue_catalog_view_without_usable_sql_is_kept_with_a_warning() -> None:
    result = glue_table_to_create_request(catalog_view(GlueViewRepresentation("REDSHIFT", "x")), schema_fqn=SCHEMA)
    assert result.request is not None
    assert result.request.tableType == "View" and result.request.schemaDefinition is None
    assert result.warnings == [
        "view has no ATHENA or SPARK SQL in its Glue ViewDefinition (dialects: REDSHIFT); no SQL kept"
    ]


def test_athena_representation_wins_over_the_presto_header() -> None:
    view = replace(
        catalog_view(GlueViewRepresentation("ATHENA", ATHENA_SQL)),
        view_original_text=presto_view({"originalSql": "SELECT 1", "columns": []}),
    )
    assert mapped(view).schemaDefinition == ATHENA_SQL


def test_table_without_view_definition_is_not_a_view() -> None:
    assert not is_glue_view(orders())
    assert mapped(orders()).tableType == "External"


def test_read_view_definition_from_the_glue_api() -> None:
    item = {
        "Name": "big_orders",
        "TableType": "VIRTUAL_VIEW",
        "ViewDefinition": {
            "IsProtected": True,
            "Definer": "arn:aws:iam::123456789012:role/analyst",
            "SubObjects": ["arn:aws:glue:us-east-1:123456789012:table/sales/orders"],
            "Representations": [
                {
                    "Dialect": "athena",
                    "DialectVersion": "3",
                    "ViewOriginalText": ATHENA_SQL,
                    "ViewExpandedText": ATHENA_SQL,
                    "ValidationConnection": "conn",
                    "IsStale": False,
                }
            ],
        },
    }
    table = glue_table_from_api(item, "sales")
    assert table.view_representations == (GlueViewRepresentation("ATHENA", ATHENA_SQL, ATHENA_SQL, "3"),)
    assert glue_table_from_api({"Name": "t"}, "sales").view_representations == ()
