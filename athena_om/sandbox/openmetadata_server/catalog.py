"""Entities of the sandbox OpenMetadata: building them from create requests, versioning, soft and hard delete.

Each collection (``tables``, ``databaseSchemas``, ...) is described by a ``Collection``: the kind of its request
body (checked against OpenMetadata's model for it, see ``schema.py``), the request field naming its parent and the
builder turning an accepted body into the entity's content. The
``Catalog`` does what is common: parent, tag and owner lookups, create-or-update with OpenMetadata's versioning
(0.1 on create, +0.1 on each real change, unchanged bodies keep their version) and rendering with ``fields``.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from athena_om.sandbox.openmetadata_server import rules
from athena_om.sandbox.openmetadata_server.bot_merge import bot_put_content
from athena_om.sandbox.openmetadata_server.errors import ApiError, bad_request, not_found
from athena_om.sandbox.openmetadata_server.fqn import child_fqn, parse_entity_link, quote_name
from athena_om.sandbox.openmetadata_server.schema import BodyKind, RequestSchema
from athena_om.sandbox.openmetadata_server.store import Page, Store, StoredEntity

UPDATED_BY = "admin"
META_KEYS = frozenset({"id", "version", "updatedAt", "updatedBy", "deleted", "href", "changeDescription"})
# Fields OpenMetadata only returns when asked for with ``fields=``.
OPTIONAL_FIELDS = frozenset({"owners", "tags"})
# Fields a client may ask for that OpenMetadata knows; anything else is a 400 like OpenMetadata's.
COMMON_FIELDS = frozenset(
    {
        "owners",
        "tags",
        "followers",
        "votes",
        "extension",
        "domain",
        "domains",
        "dataProducts",
        "lifeCycle",
        "certification",
        "sourceHash",
        "reviewers",
        "experts",
        "usageSummary",
    }
)
TYPE_FIELDS: dict[str, frozenset[str]] = {
    # OpenMetadata's DatabaseService has no ``databases`` field (its client refuses one): list databases by service.
    "databaseService": frozenset({"pipelines", "ingestionRunner"}),
    "database": frozenset({"databaseSchemas", "location", "databaseProfilerConfig"}),
    "databaseSchema": frozenset({"tables", "databaseSchemaProfilerConfig"}),
    "table": frozenset(
        {
            "columns",
            "tableConstraints",
            "tablePartition",
            "joins",
            "schemaDefinition",
            "dataModel",
            "testSuite",
            "customMetrics",
            "profile",
            "sampleData",
            "tableProfilerConfig",
            "queries",
        }
    ),
    "classification": frozenset({"termCount", "usageCount"}),
    "glossary": frozenset({"termCount", "usageCount", "reviewers"}),
    "glossaryTerm": frozenset({"children", "childrenCount", "relatedTerms", "reviewers", "usageCount"}),
    "tag": frozenset({"children", "usageCount"}),
    "query": frozenset({"users", "queryUsedIn", "usedBy"}),
    "user": frozenset({"teams", "roles", "personas", "defaultPersona", "profile", "follows", "owns"}),
    "team": frozenset({"users", "parents", "children", "defaultRoles", "policies", "userCount", "childrenCount"}),
    "testSuite": frozenset({"tests", "summary", "pipelines"}),
    "testCase": frozenset({"testSuite", "testCaseResult", "testDefinition", "testSuites", "incidentId"}),
}
CHILD_LIST_FIELDS = {"database": "databaseSchemas", "databaseSchema": "tables"}
CONTAINER_TYPES = frozenset({"databaseService", "database", "databaseSchema", "classification", "glossary"})

TABLE_TEST_DEFINITIONS = (
    "tableRowCountToBeBetween",
    "tableRowCountToEqual",
    "tableColumnCountToBeBetween",
    "tableColumnCountToEqual",
    "tableColumnNameToExist",
    "tableColumnToMatchSet",
    "tableRowInsertedCountToBeBetween",
    "tableCustomSQLQuery",
    "tableDiff",
)
COLUMN_TEST_DEFINITIONS = (
    "columnValuesToBeNotNull",
    "columnValuesToBeUnique",
    "columnValuesToBeBetween",
    "columnValuesToBeInSet",
    "columnValuesToBeNotInSet",
    "columnValuesToMatchRegex",
    "columnValuesToNotMatchRegex",
    "columnValueLengthsToBeBetween",
    "columnValueMaxToBeBetween",
    "columnValueMinToBeBetween",
    "columnValueMeanToBeBetween",
    "columnValueMedianToBeBetween",
    "columnValueStdDevToBeBetween",
    "columnValuesSumToBeBetween",
    "columnValuesMissingCount",
)
TEST_DEFINITION_NAMESPACE = uuid.UUID("8b3f3c3e-5c1f-4c0a-9a8e-0a3b2f6d7e11")


def test_definition(name: str) -> dict[str, Any]:
    """The built-in test definition of that name, with a stable id; 404 like OpenMetadata when unknown."""
    if name in TABLE_TEST_DEFINITIONS:
        entity_type = "TABLE"
    elif name in COLUMN_TEST_DEFINITIONS:
        entity_type = "COLUMN"
    else:
        raise not_found("testDefinition", name)
    return {
        "id": str(uuid.uuid5(TEST_DEFINITION_NAMESPACE, name)),
        "type": "testDefinition",
        "name": name,
        "fullyQualifiedName": name,
        "entityType": entity_type,
    }


def user_test_definition(catalog: Catalog, name: str) -> dict[str, Any] | None:
    """A test definition a client created (dbt's), in the shape ``test_definition`` answers; None when none."""
    stored = catalog.store.get_by_fqn("testDefinition", quote_name(name))
    if stored is None or stored.deleted:
        return None
    return {
        "id": stored.id,
        "type": "testDefinition",
        "name": stored.data["name"],
        "fullyQualifiedName": stored.fqn,
        "entityType": stored.data["entityType"],
    }


def now_ms() -> int:
    return int(time.time() * 1000)


def entity_ref(entity: StoredEntity) -> dict[str, Any]:
    """An EntityReference to a stored entity, as OpenMetadata embeds them."""
    ref = {
        "id": entity.id,
        "type": entity.type,
        "name": entity.data.get("name"),
        "fullyQualifiedName": entity.fqn,
    }
    if entity.data.get("displayName"):
        ref["displayName"] = entity.data["displayName"]
    if entity.deleted:
        ref["deleted"] = True
    return ref


@dataclass
class Draft:
    """What a builder produces: the entity's content and where it hangs in the tree."""

    name: str
    fqn: str
    content: dict[str, Any]
    parent: StoredEntity | None = None
    links: dict[str, list[str]] = field(default_factory=dict)


# A request body its OpenMetadata model accepted, read as JSON.
Body = dict[str, Any]
Builder = Callable[["Catalog", Body], Draft]


@dataclass(frozen=True)
class Collection:
    """One REST collection of entities."""

    path: str
    entity_type: str
    body_kind: BodyKind
    builder: Builder
    list_filters: tuple[tuple[str, str], ...] = ()


class Catalog:
    """Entity operations shared by every collection."""

    def __init__(self, store: Store, schema: RequestSchema) -> None:
        self.store = store
        self.schema = schema

    # Lookups

    def find(self, entity_type: str, fqn: str, include: str = "non-deleted") -> StoredEntity:
        entity = self.store.get_by_fqn(entity_type, fqn)
        if entity is None or not _included(entity, include):
            raise not_found(entity_type, fqn)
        return entity

    def find_id(self, entity_type: str, entity_id: str, include: str = "non-deleted") -> StoredEntity:
        entity = self.store.get(entity_id)
        if entity is None or entity.type != entity_type or not _included(entity, include):
            raise not_found(entity_type, entity_id)
        return entity

    def resolve_tags(self, tags: list[Body] | None, path: str) -> list[dict[str, Any]] | None:
        if tags is None:
            return None
        labels = []
        for tag in tags:
            # A glossary term is applied as a tag label whose source is Glossary (404 when it does not exist).
            stored = self.find("glossaryTerm" if tag.get("source") == "Glossary" else "tag", tag["tagFQN"])
            label = {key: value for key, value in tag.items() if value is not None}
            label.setdefault("name", stored.data["name"])
            label.setdefault("description", stored.data.get("description"))
            labels.append(label)
        return labels

    def resolve_owners(self, owners: list[Body] | None) -> list[dict[str, Any]] | None:
        if owners is None:
            return None
        refs = []
        for index, owner in enumerate(owners):
            if owner["type"] not in ("user", "team"):
                raise bad_request(f"[owners[{index}].type {owner['type']!r} is not a valid owner type: user or team]")
            refs.append(entity_ref(self.find_id(owner["type"], str(owner["id"]))))
        return refs

    def resolve_ref(self, ref: Body) -> StoredEntity:
        return self.find_id(ref["type"], str(ref["id"]))

    # Writes

    def put(
        self, collection: Collection, body: Any, *, create_only: bool = False, override_metadata: bool = False
    ) -> tuple[dict[str, Any], str]:
        """Create or update from a create request; returns the entity and ``created``/``updated``/``unchanged``.

        An update is the ingestion bot's PUT: what people wrote is kept as OpenMetadata keeps it (``bot_merge``).
        """
        draft = collection.builder(self, self.schema.check(collection.body_kind, body))
        with self.store.transaction():
            existing = self.store.get_by_fqn(collection.entity_type, draft.fqn)
            if existing is not None and create_only:
                raise ApiError(409, f"Entity already exists: {collection.entity_type} {draft.fqn}")
            if existing is not None:
                draft.content = bot_put_content(draft.content, existing.data, override=override_metadata)
            checksum = draft.content.get("checksum") if collection.entity_type == "query" else None
            if checksum and self.store.other_query_with_checksum(checksum, draft.fqn) is not None:
                # OpenMetadata keeps query text unique (constraint unique_query_checksum): the same SQL under
                # another name is a conflict, not a second query.
                raise ApiError(409, "Entity already exists")
            change = self._apply(collection.entity_type, draft, existing)
        return change

    def _apply(self, entity_type: str, draft: Draft, existing: StoredEntity | None) -> tuple[dict[str, Any], str]:
        content = {key: value for key, value in draft.content.items() if value is not None}
        if existing is None:
            entity = StoredEntity(
                id=str(uuid.uuid4()),
                type=entity_type,
                fqn=draft.fqn,
                parent_id=draft.parent.id if draft.parent else None,
                deleted=False,
                version=0.1,
                data={**content, "version": 0.1, "updatedAt": now_ms(), "updatedBy": UPDATED_BY, "deleted": False},
            )
            outcome = "created"
        else:
            old_content = {key: value for key, value in existing.data.items() if key not in META_KEYS}
            if old_content == content and not existing.deleted:
                return existing.data | {"id": existing.id}, "unchanged"
            version = round(existing.version + 0.1, 1)
            change = _change_description(old_content, content, existing.version)
            if existing.deleted:
                change["fieldsUpdated"].append({"name": "deleted", "oldValue": "true", "newValue": "false"})
            entity = StoredEntity(
                id=existing.id,
                type=entity_type,
                fqn=draft.fqn,
                parent_id=draft.parent.id if draft.parent else None,
                deleted=False,
                version=version,
                data={
                    **content,
                    "version": version,
                    "updatedAt": now_ms(),
                    "updatedBy": UPDATED_BY,
                    "deleted": False,
                    "changeDescription": change,
                },
            )
            outcome = "updated"
        entity.data["id"] = entity.id
        self.store.save(entity, parent_fqn=draft.parent.fqn if draft.parent else None)
        for kind, ids in draft.links.items():
            self.store.set_links(entity.id, kind, ids)
        return entity.data, outcome

    def delete(self, entity: StoredEntity, *, hard: bool, recursive: bool) -> dict[str, Any]:
        """Soft delete (``deleted=true``, version bumped) or hard delete, recursively for containers."""
        with self.store.transaction():
            children = self.store.children(entity.id, include="all" if hard else "non-deleted")
            if children and entity.type in CONTAINER_TYPES and not recursive:
                raise bad_request(f"{entity.type} is not empty; delete its children first or use recursive=true")
            descendants = self._descendants(entity)
            if hard:
                self.store.hard_delete([entity.id, *[child.id for child in descendants]])
                return entity.data | {"id": entity.id}
            for target in (entity, *descendants) if entity.type in CONTAINER_TYPES else (entity,):
                if target.deleted:
                    continue
                target.deleted = True
                target.version = round(target.version + 0.1, 1)
                target.data |= {
                    "deleted": True,
                    "version": target.version,
                    "updatedAt": now_ms(),
                    "updatedBy": UPDATED_BY,
                    "changeDescription": {
                        "fieldsAdded": [],
                        "fieldsUpdated": [{"name": "deleted", "oldValue": "false", "newValue": "true"}],
                        "fieldsDeleted": [],
                        "previousVersion": round(target.version - 0.1, 1),
                    },
                }
                parent = self.store.get(target.parent_id) if target.parent_id else None
                self.store.save(target, parent_fqn=parent.fqn if parent else None)
            return entity.data | {"id": entity.id}

    def _descendants(self, entity: StoredEntity) -> list[StoredEntity]:
        found: list[StoredEntity] = []
        frontier = [entity]
        while frontier:
            current = frontier.pop()
            children = self.store.children(current.id)
            found.extend(children)
            frontier.extend(children)
        return found

    # Reads

    def render(self, entity: StoredEntity, fields: set[str], base_url: str, path: str) -> dict[str, Any]:
        """The entity as OpenMetadata answers it: default fields plus those asked for with ``fields=``."""
        data = dict(entity.data)
        data["id"] = entity.id
        data["href"] = f"{base_url}api/v1/{path}/{entity.id}"
        for name in OPTIONAL_FIELDS - fields:
            data.pop(name, None)
        if "tags" not in fields and "columns" in data:
            data["columns"] = [_without_tags(column) for column in data["columns"]]
        child_field = CHILD_LIST_FIELDS.get(entity.type)
        if child_field and child_field in fields:
            data[child_field] = [entity_ref(child) for child in self.store.children(entity.id, "non-deleted")]
        return data

    def check_fields(self, entity_type: str, fields: str | None) -> set[str]:
        requested = {part.strip() for part in (fields or "").split(",") if part.strip()}
        allowed = COMMON_FIELDS | TYPE_FIELDS.get(entity_type, frozenset())
        if "*" in requested:  # OpenMetadata reads ``*`` as every field the entity has
            return set(allowed)
        for name in sorted(requested):
            if name not in allowed:
                raise bad_request(f"Invalid field name {name}")
        return requested

    def list_page(self, collection: Collection, params: dict[str, str]) -> Page:
        include = params.get("include", "non-deleted")
        if include not in ("all", "deleted", "non-deleted"):
            raise bad_request(f"[query param include must be one of all, deleted, non-deleted, not {include!r}]")
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            raise bad_request("[query param limit must be an integer]") from None
        if not 0 <= limit <= 1_000_000:
            raise bad_request("[query param limit must be between 0 and 1000000]")
        if params.get("before") and params.get("after"):
            raise bad_request("Only one of before or after query parameter allowed")
        parent_fqn = None
        linked_to = None
        for param, kind in collection.list_filters:
            value = params.get(param)
            if value is None:
                continue
            if kind == "parent":
                parent_fqn = value
            else:
                linked_to = (value, kind)
        try:
            return self.store.list_page(
                collection.entity_type,
                include=include,
                parent_fqn=parent_fqn,
                linked_to=linked_to,
                limit=limit,
                before=params.get("before"),
                after=params.get("after"),
            )
        except ValueError as error:
            raise bad_request(str(error)) from None


def _included(entity: StoredEntity, include: str) -> bool:
    if include == "all":
        return True
    if include == "deleted":
        return entity.deleted
    return not entity.deleted


def _without_tags(column: dict[str, Any]) -> dict[str, Any]:
    # Most columns carry no tags and no children: hand those back as they are (a list of 10,000 tables renders
    # 300,000 columns; copying each one was a third of the listing's time).
    if "tags" not in column and "children" not in column:
        return column
    column = {key: value for key, value in column.items() if key != "tags"}
    if "children" in column:
        column["children"] = [_without_tags(child) for child in column["children"]]
    return column


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _change_description(old: dict[str, Any], new: dict[str, Any], previous: float) -> dict[str, Any]:
    added = [{"name": key, "newValue": _as_text(new[key])} for key in new if key not in old]
    updated = [
        {"name": key, "oldValue": _as_text(old[key]), "newValue": _as_text(new[key])}
        for key in new
        if key in old and old[key] != new[key]
    ]
    deleted = [{"name": key, "oldValue": _as_text(old[key])} for key in old if key not in new]
    return {"fieldsAdded": added, "fieldsUpdated": updated, "fieldsDeleted": deleted, "previousVersion": previous}


def _common(catalog: Catalog, body: Body, name: str, fqn: str) -> dict[str, Any]:
    return {
        "name": name,
        "fullyQualifiedName": fqn,
        "displayName": body.get("displayName"),
        "description": body.get("description"),
        "tags": catalog.resolve_tags(body.get("tags"), "tags"),
        "owners": catalog.resolve_owners(body.get("owners")),
    }


def _build_columns(catalog: Catalog, columns: list[Body], parent_fqn: str, path: str) -> list[dict[str, Any]]:
    built = []
    for index, column in enumerate(columns):
        fqn = child_fqn(parent_fqn, column["name"])
        stored = {key: value for key, value in column.items() if value is not None}
        stored["fullyQualifiedName"] = fqn
        if column.get("tags") is not None:
            stored["tags"] = catalog.resolve_tags(column["tags"], f"{path}[{index}].tags")
        if column.get("children"):
            stored["children"] = _build_columns(catalog, column["children"], fqn, f"{path}[{index}].children")
        built.append(stored)
    return built


def column_fqns(columns: list[dict[str, Any]]) -> set[str]:
    """Every column FQN of a table, nested struct children included."""
    found: set[str] = set()
    for column in columns:
        found.add(column["fullyQualifiedName"])
        found |= column_fqns(column.get("children") or [])
    return found


def build_database_service(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    fqn = quote_name(body["name"])
    # The connection is accepted but not kept: it may hold secrets, and nothing the sandbox serves reads it.
    content = _common(catalog, body, body["name"], fqn) | {"serviceType": body["serviceType"]}
    return Draft(body["name"], fqn, content)


def build_database(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    service = catalog.find("databaseService", body["service"])
    fqn = child_fqn(service.fqn, body["name"])
    content = _common(catalog, body, body["name"], fqn) | {
        "service": entity_ref(service),
        "serviceType": service.data.get("serviceType"),
        "sourceUrl": body.get("sourceUrl"),
        "sourceHash": body.get("sourceHash"),
    }
    return Draft(body["name"], fqn, content, parent=service)


def build_database_schema(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    database = catalog.find("database", body["database"])
    fqn = child_fqn(database.fqn, body["name"])
    content = _common(catalog, body, body["name"], fqn) | {
        "service": database.data["service"],
        "serviceType": database.data.get("serviceType"),
        "database": entity_ref(database),
        "sourceUrl": body.get("sourceUrl"),
        "sourceHash": body.get("sourceHash"),
    }
    return Draft(body["name"], fqn, content, parent=database)


def build_table(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    rules.check_columns(body["columns"])
    rules.check_partition(body.get("tablePartition"), body["columns"])
    rules.check_table_constraints(body.get("tableConstraints"), body["columns"])
    schema = catalog.find("databaseSchema", body["databaseSchema"])
    fqn = child_fqn(schema.fqn, body["name"])
    content = _common(catalog, body, body["name"], fqn) | {
        "service": schema.data["service"],
        "serviceType": schema.data.get("serviceType"),
        "database": schema.data["database"],
        "databaseSchema": entity_ref(schema),
        "columns": _build_columns(catalog, body["columns"], fqn, "columns"),
        "tableType": body.get("tableType"),
        "tablePartition": body.get("tablePartition"),
        "tableConstraints": body.get("tableConstraints"),
        "schemaDefinition": body.get("schemaDefinition"),
        "locationPath": body.get("locationPath"),
        "fileFormat": body.get("fileFormat"),
        "sourceUrl": body.get("sourceUrl"),
        "sourceHash": body.get("sourceHash"),
    }
    return Draft(body["name"], fqn, content, parent=schema)


def build_classification(catalog: Catalog, body: Body) -> Draft:
    """A classification or a glossary: a named group at the top of its tree (tags or terms hang under it)."""
    rules.check_name(body["name"])
    fqn = quote_name(body["name"])
    content = _common(catalog, body, body["name"], fqn) | {"mutuallyExclusive": body.get("mutuallyExclusive")}
    return Draft(body["name"], fqn, content)


def build_tag(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    classification = catalog.find("classification", body["classification"])
    fqn = child_fqn(classification.fqn, body["name"])
    content = _common(catalog, body, body["name"], fqn) | {"classification": entity_ref(classification)}
    return Draft(body["name"], fqn, content, parent=classification)


def build_glossary_term(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    glossary = catalog.find("glossary", body["glossary"])
    parent = catalog.find("glossaryTerm", body["parent"]) if body.get("parent") else glossary
    fqn = child_fqn(parent.fqn, body["name"])
    content = _common(catalog, body, body["name"], fqn) | {
        "glossary": entity_ref(glossary),
        "parent": entity_ref(parent) if parent is not glossary else None,
        "synonyms": body.get("synonyms"),
    }
    return Draft(body["name"], fqn, content, parent=parent)


def build_query(catalog: Catalog, body: Body) -> Draft:
    checksum = hashlib.md5(body["query"].encode()).hexdigest()
    name = body["name"] if body.get("name") is not None else checksum
    rules.check_name(name)
    rules.check_timestamp_ms(body.get("queryDate"), "queryDate")
    service = catalog.find("databaseService", body["service"])
    fqn = child_fqn(service.fqn, name)
    used_in = [catalog.resolve_ref(ref) for ref in body.get("queryUsedIn") or []]
    users = [catalog.find("user", user) for user in body.get("users") or []]
    content = _common(catalog, body, name, fqn) | {
        "service": entity_ref(service),
        "query": body["query"],
        "checksum": checksum,
        "query_type": body.get("query_type"),
        "duration": body.get("duration"),
        "users": [entity_ref(user) for user in users] if body.get("users") is not None else None,
        "usedBy": body.get("usedBy"),
        "dialect": body.get("dialect"),
        "queryDate": body.get("queryDate"),
        "queryUsedIn": [entity_ref(entity) for entity in used_in] if body.get("queryUsedIn") is not None else None,
    }
    return Draft(name, fqn, content, parent=service, links={"queryUsedIn": [entity.id for entity in used_in]})


def build_user(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    fqn = quote_name(body["name"])
    teams = [catalog.find_id("team", team_id) for team_id in body.get("teams") or []]
    content = _common(catalog, body, body["name"], fqn) | {
        "email": body["email"],
        "isBot": body.get("isBot", False),
        "isAdmin": body.get("isAdmin"),
        "timezone": body.get("timezone"),
        "teams": [entity_ref(team) for team in teams] if body.get("teams") is not None else None,
    }
    return Draft(body["name"], fqn, content)


def build_team(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    fqn = quote_name(body["name"])
    users = [catalog.find_id("user", user_id) for user_id in body.get("users") or []]
    content = _common(catalog, body, body["name"], fqn) | {
        "teamType": body.get("teamType", "Group"),
        "email": body.get("email"),
        "users": [entity_ref(user) for user in users] if body.get("users") is not None else None,
    }
    return Draft(body["name"], fqn, content)


def basic_suite_fqn(table_fqn: str) -> str:
    return f"{table_fqn}.testSuite"


def build_test_suite(catalog: Catalog, body: Body) -> Draft:
    if not body.get("basicEntityReference"):
        raise bad_request("[basicEntityReference is required for a basic test suite]")
    table = catalog.find("table", body["basicEntityReference"])
    fqn = basic_suite_fqn(table.fqn)
    content = _common(catalog, body, fqn, fqn) | {"basic": True, "basicEntityReference": entity_ref(table)}
    return Draft(fqn, fqn, content, parent=table)


def build_test_case(catalog: Catalog, body: Body) -> Draft:
    rules.check_name(body["name"])
    definition = user_test_definition(catalog, body["testDefinition"]) or test_definition(body["testDefinition"])
    entity_type, table_fqn, column = parse_entity_link(body["entityLink"])
    if entity_type != "table":
        raise bad_request(f"[entityLink {body['entityLink']!r} must point at a table, not {entity_type}]")
    table = catalog.find("table", table_fqn)
    if column is None:
        if definition["entityType"] != "TABLE":
            raise bad_request(f"[testDefinition {definition['name']} needs a column entityLink]")
        target_fqn = table.fqn
    else:
        if definition["entityType"] != "COLUMN":
            raise bad_request(f"[testDefinition {definition['name']} needs a table entityLink, not a column]")
        target_fqn = child_fqn(table.fqn, column)
        if target_fqn not in column_fqns(table.data.get("columns", [])) and column not in column_fqns(
            table.data.get("columns", [])
        ):
            raise bad_request(f"Invalid column name {column}")
    suite = catalog.store.get_by_fqn("testSuite", basic_suite_fqn(table.fqn))
    if suite is None or suite.deleted:
        # OpenMetadata 1.6+ creates the table's basic test suite with its first test case.
        suite_body = {"name": basic_suite_fqn(table.fqn), "basicEntityReference": table.fqn}
        catalog._apply("testSuite", build_test_suite(catalog, suite_body), suite)
        suite = catalog.find("testSuite", basic_suite_fqn(table.fqn))
    fqn = child_fqn(target_fqn, body["name"])
    definition_ref = {key: value for key, value in definition.items() if key != "entityType"}
    content = _common(catalog, body, body["name"], fqn) | {
        "entityLink": body["entityLink"],
        "entityFQN": target_fqn,
        "testDefinition": definition_ref,
        "testSuite": entity_ref(suite),
        "parameterValues": [
            {key: value for key, value in parameter.items() if value is not None}
            for parameter in body.get("parameterValues") or []
        ],
        "computePassedFailedRowCount": body.get("computePassedFailedRowCount"),
        "useDynamicAssertion": body.get("useDynamicAssertion"),
    }
    return Draft(body["name"], fqn, content, parent=table)


COLLECTIONS: tuple[Collection, ...] = (
    Collection("services/databaseServices", "databaseService", BodyKind.DATABASE_SERVICE, build_database_service),
    Collection("databases", "database", BodyKind.DATABASE, build_database, (("service", "parent"),)),
    Collection(
        "databaseSchemas",
        "databaseSchema",
        BodyKind.DATABASE_SCHEMA,
        build_database_schema,
        (("database", "parent"),),
    ),
    Collection("tables", "table", BodyKind.TABLE, build_table, (("databaseSchema", "parent"),)),
    Collection("classifications", "classification", BodyKind.CLASSIFICATION, build_classification),
    Collection("tags", "tag", BodyKind.TAG, build_tag, (("classification", "parent"),)),
    Collection("glossaries", "glossary", BodyKind.GLOSSARY, build_classification),
    Collection("glossaryTerms", "glossaryTerm", BodyKind.GLOSSARY_TERM, build_glossary_term, (("glossary", "parent"),)),
    Collection(
        "queries",
        "query",
        BodyKind.QUERY,
        build_query,
        (("service", "parent"), ("entityId", "queryUsedIn")),
    ),
    Collection("users", "user", BodyKind.USER, build_user),
    Collection("teams", "team", BodyKind.TEAM, build_team),
    Collection("dataQuality/testSuites", "testSuite", BodyKind.TEST_SUITE, build_test_suite),
    Collection(
        "dataQuality/testCases",
        "testCase",
        BodyKind.TEST_CASE,
        build_test_case,
        (("entityFQN", "parent"),),
    ),
)
