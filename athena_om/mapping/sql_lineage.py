"""Table and column lineage of one Athena SQL statement, parsed with sqlglot's ``athena`` dialect.

Pure code: no I/O. ``parse_query`` never raises; it returns a ``ParsedQuery`` or a ``ParseFailure``.

How the work is bounded: sqlglot runs in this thread and cannot be stopped from outside, so a hard timeout would
need a separate process. Instead the work of each phase is bounded by the size of its input, and the elapsed
time is checked between phases:

- the text is refused above ``max_chars`` (Athena itself rejects query strings over 262,144 bytes) and the
  token stream above ``max_tokens``, which bounds tokenizing and parsing; the parser also checks the time every
  thousand tokens;
- sqlglot's scope analysis (table and column qualification, then our tracing) costs about the square of the
  number of query blocks (SELECTs, set operations, joins): a 5,000-branch UNION ALL took 11 s to qualify. Above
  ``MAX_LINEAGE_BLOCKS`` blocks or ``MAX_LINEAGE_NODES`` syntax nodes it is not run: the tables come from the
  one linear walk that sized the tree, and column lineage is given up;
- ``timeout_s`` is compared with the elapsed time while parsing, after tokenizing, parsing, normalizing,
  resolving tables, qualifying columns, and every few hundred column resolutions.

Running out of time before the tables are known gives a ``ParseFailure``. Once they are known they are kept:
giving up column lineage (time, size, or a RecursionError in deep SQL) empties ``column_lineage`` and ``joins``
and says why in ``column_lineage_skipped`` and ``warnings``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify_columns import qualify_columns
from sqlglot.optimizer.qualify_tables import qualify_tables
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.parser import Parser

DEFAULT_CATALOG = "awsdatacatalog"
DEFAULT_DATABASE = "default"
# Athena rejects query strings longer than 262,144 bytes, so nothing longer can be in the query history.
MAX_QUERY_CHARS = 262_144
MAX_QUERY_TOKENS = 60_000
MAX_FUNCTION_CHARS = 200
# Above these, scope analysis is skipped (see the module docstring). At the block limit, a 250-branch UNION ALL
# costs about half a second of CPU in all (benchmarks/bench_lineage_parse.py --large).
MAX_LINEAGE_BLOCKS = 500
MAX_LINEAGE_NODES = 20_000
_PARSE_CHECK_EVERY = 1_024  # tokens the parser moves over between two budget checks

_ATHENA = Dialect.get_or_raise("athena")


class _QuietWhileParsing(logging.Filter):
    """Silences sqlglot's log records while ``parse_query`` parses, in that thread only.

    The one sqlglot logs there is "falling back to parsing as a Command", which quotes the whole statement and
    is expected for Athena-only syntax; other threads and other sqlglot users in the process still see it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.active = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.active, "on", False)


_QUIET = _QuietWhileParsing()
logging.getLogger("sqlglot").addFilter(_QUIET)


@dataclass(frozen=True, order=True)
class TableName:
    """A table as Athena resolves it: catalog, database and table, lower-cased."""

    catalog: str
    database: str
    table: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.database}.{self.table}"


SourceColumn = tuple[TableName, str]
"""A column of a table; struct children are dotted (``address.city``)."""


class StatementKind(StrEnum):
    SELECT = "select"
    CTAS = "ctas"
    INSERT = "insert"
    MERGE = "merge"
    CREATE_VIEW = "create_view"
    UPDATE = "update"
    DELETE = "delete"
    UNLOAD = "unload"
    DDL = "ddl"
    OTHER = "other"


@dataclass(frozen=True)
class ColumnEdge:
    """One target column and the source columns it derives from; ``function`` is set unless a plain copy."""

    target_column: str
    source_columns: frozenset[SourceColumn]
    function: str | None = None


@dataclass
class ParsedQuery:
    """What one statement reads and writes, at table and column level."""

    statement_kind: StatementKind
    source_tables: set[TableName] = field(default_factory=set)
    target_table: TableName | None = None
    target_location: str | None = None
    column_lineage: list[ColumnEdge] = field(default_factory=list)
    joins: list[tuple[SourceColumn, SourceColumn]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    column_lineage_skipped: str | None = None
    """Why column lineage and join pairs were given up while the tables were kept; None when not given up."""


@dataclass(frozen=True)
class ParseFailure:
    """The statement could not be analysed; ``reason`` says why in words a user can act on."""

    reason: str


# ---------------------------------------------------------------------------------------------------------
# Text helpers: comments, semicolons, self-issued queries
# ---------------------------------------------------------------------------------------------------------

_LEADING_COMMENT = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*(.*?)\*/)", re.DOTALL)
_TRAILING_SEMICOLONS = re.compile(r"[\s;]+$")

DEFAULT_SELF_ISSUED_MARKERS: tuple[str, ...] = (
    r"^athena-om\b",
    r'^\{\s*"app"\s*:\s*"dbt"',
)
"""Regular expressions matched against the body of each leading ``/* ... */`` comment."""


def _leading_comments(sql: str) -> tuple[list[str], int]:
    """The bodies of the block comments before the statement, and where the statement starts."""
    bodies: list[str] = []
    pos = 0
    while match := _LEADING_COMMENT.match(sql, pos):
        if match.end() == pos:
            break
        if match.group(1) is not None:
            bodies.append(match.group(1).strip())
        pos = match.end()
    return bodies, pos


def strip_sql(sql: str) -> str:
    """The statement without its leading comments and trailing semicolons."""
    _, start = _leading_comments(sql)
    return _TRAILING_SEMICOLONS.sub("", sql[start:]).strip()


def is_self_issued(sql: str, markers: Iterable[str | re.Pattern[str]] = DEFAULT_SELF_ISSUED_MARKERS) -> bool:
    """True when a leading comment marks the query as issued by athena-om or dbt (or another marker)."""
    bodies, _ = _leading_comments(sql)
    if not bodies:
        return False
    patterns = [m if isinstance(m, re.Pattern) else re.compile(m) for m in markers]
    return any(p.search(body) for body in bodies for p in patterns)


# ---------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------

_UNLOAD = re.compile(r"^UNLOAD\s*\(", re.IGNORECASE)
_UNLOAD_TARGET = re.compile(r"\s*TO\s+'((?:[^']|'')*)'", re.IGNORECASE)
_COMMAND_TABLE = re.compile(
    r"^(?:MSCK\s+REPAIR\s+TABLE|OPTIMIZE|VACUUM)\s+((?:\"[^\"]+\"|`[^`]+`|[\w$-]+)"
    r"(?:\.(?:\"[^\"]+\"|`[^`]+`|[\w$-]+)){0,2})",
    re.IGNORECASE,
)
_OTHER_COMMANDS = ("SHOW", "DESCRIBE", "DESC", "EXPLAIN", "USE", "PREPARE", "EXECUTE", "DEALLOCATE", "SET")
_DDL_COMMANDS = ("CREATE", "ALTER", "DROP")


class _OutOfTime(Exception):
    def __init__(self, phase: str) -> None:
        super().__init__(phase)
        self.phase = phase


class _Budget:
    def __init__(self, timeout_s: float, clock: Callable[[], float]) -> None:
        self.timeout_s = timeout_s
        self.clock = clock
        self.started = clock()

    def check(self, phase: str) -> None:
        if self.clock() - self.started > self.timeout_s:
            raise _OutOfTime(phase)

    def elapsed(self) -> float:
        return self.clock() - self.started


def parse_query(
    sql: str,
    default_database: str | None,
    default_catalog: str | None = DEFAULT_CATALOG,
    schema: Mapping[TableName, list[str]] | None = None,
    timeout_s: float = 2.0,
    *,
    column_lineage: bool = True,
    max_chars: int = MAX_QUERY_CHARS,
    max_tokens: int = MAX_QUERY_TOKENS,
    clock: Callable[[], float] = time.perf_counter,
) -> ParsedQuery | ParseFailure:
    """Parse one Athena statement into its tables, column lineage and join pairs; never raises.

    ``schema`` maps lower-cased table names to their column names in order (struct children may be listed
    dotted, ``address.city``); it expands ``SELECT *`` and resolves unqualified columns. ``clock`` measures
    ``timeout_s`` (seconds; tests pass a fake).
    """
    budget = _Budget(timeout_s, clock)
    try:
        return _parse(
            sql,
            _Context(
                database=(default_database or DEFAULT_DATABASE).lower(),
                catalog=(default_catalog or DEFAULT_CATALOG).lower(),
                schema=schema or {},
                budget=budget,
                column_lineage=column_lineage,
            ),
            max_chars=max_chars,
            max_tokens=max_tokens,
        )
    except _OutOfTime as out:
        return ParseFailure(
            f"gave up after {budget.elapsed():.2f}s while {out.phase} (limit {timeout_s}s); "
            "the statement is too complex to analyse within the time limit"
        )
    except RecursionError:
        return ParseFailure("the statement is nested too deeply to analyse")
    except SqlglotError as error:
        return ParseFailure(f"could not parse the statement: {_first_line(str(error))}")
    except Exception as error:  # a parser bug must not stop a day's worth of queries
        return ParseFailure(f"unexpected {type(error).__name__} while analysing: {_first_line(str(error))}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no detail"


@dataclass
class _Context:
    database: str
    catalog: str
    schema: Mapping[TableName, list[str]]
    budget: _Budget
    column_lineage: bool
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def resolve(self, table: exp.Table) -> TableName:
        return TableName(
            catalog=(table.catalog or self.catalog).lower(),
            database=(table.db or self.database).lower(),
            table=table.name.lower(),
        )


def _parse(sql: str, ctx: _Context, *, max_chars: int, max_tokens: int) -> ParsedQuery | ParseFailure:
    if len(sql) > max_chars:
        return ParseFailure(
            f"statement is {len(sql):,} characters, over the {max_chars:,}-character limit; "
            "skipped to keep parsing time bounded"
        )
    text = strip_sql(sql)
    if not text:
        return ParseFailure("empty statement (only whitespace, comments or semicolons)")

    if _UNLOAD.match(text):
        return _parse_unload(text, ctx, max_tokens)

    first_word = text.split(None, 1)[0].upper()
    if first_word in ("MSCK", "OPTIMIZE", "VACUUM"):
        return _parse_table_command(text, ctx)
    if first_word in _OTHER_COMMANDS:
        return ParsedQuery(StatementKind.OTHER)

    statement = _parse_statement(text, ctx, max_tokens)
    return _analyse(statement, ctx)


def _parse_statement(text: str, ctx: _Context, max_tokens: int) -> exp.Expr:
    tokens = _ATHENA.tokenize(text)
    if len(tokens) > max_tokens:
        raise SqlglotError(f"statement has {len(tokens):,} tokens, over the {max_tokens:,}-token limit")
    ctx.budget.check("tokenizing")
    _QUIET.active.on = True
    try:
        parser = _ATHENA.parser()
        _check_budget_while_parsing(parser, ctx.budget)
        statements = [s for s in parser.parse(tokens, text) if s is not None]
    finally:
        _QUIET.active.on = False
    ctx.budget.check("parsing")
    if not statements:
        raise SqlglotError("no statement found")
    if len(statements) > 1:
        raise SqlglotError(f"{len(statements)} statements found; Athena runs one statement per query")
    return statements[0]


def _check_budget_while_parsing(parser: Parser, budget: _Budget) -> None:
    """Make sqlglot's parser check the budget every thousand tokens, so that one huge statement cannot overrun it.

    sqlglot has no hook for this, so ``_advance``, which every token passes through, is wrapped on the parser and
    on the per-engine parsers the Athena parser delegates to. Should a sqlglot release rename it, the budget is
    checked only once parsing ends, as it was before.
    """
    for each in (parser, *(v for v in vars(parser).values() if isinstance(v, Parser))):
        advance = getattr(each, "_advance", None)
        if callable(advance):
            each._advance = _checked_advance(advance, budget)  # type: ignore[method-assign]


def _checked_advance(advance: Callable[..., None], budget: _Budget) -> Callable[..., None]:
    moves = 0

    def checked(*args: object, **kwargs: object) -> None:
        nonlocal moves
        moves += 1
        if moves % _PARSE_CHECK_EVERY == 0:
            budget.check("parsing")
        advance(*args, **kwargs)

    return checked


def _parse_unload(text: str, ctx: _Context, max_tokens: int) -> ParsedQuery | ParseFailure:
    # sqlglot treats UNLOAD as an opaque command: find the parenthesised query and the TO location ourselves.
    open_at = text.index("(")
    close_at = _matching_paren(text, open_at)
    if close_at is None:
        return ParseFailure("UNLOAD statement has unbalanced parentheses")
    inner = text[open_at + 1 : close_at]
    target = _UNLOAD_TARGET.match(text, close_at + 1)
    query = _parse_statement(inner, ctx, max_tokens)
    if not isinstance(query, exp.Query):
        return ParseFailure("UNLOAD does not wrap a SELECT query")
    parsed = _analyse(query, ctx)
    parsed.statement_kind = StatementKind.UNLOAD
    parsed.target_location = target.group(1).replace("''", "'") if target else None
    if target is None:
        parsed.warnings.append("UNLOAD target location not found after the query")
    return parsed


def _matching_paren(text: str, open_at: int) -> int | None:
    depth = 0
    i = open_at
    quote: str | None = None
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"', "`"):
            quote = char
        elif text.startswith("--", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _parse_table_command(text: str, ctx: _Context) -> ParsedQuery:
    match = _COMMAND_TABLE.match(text)
    if not match:
        return ParsedQuery(StatementKind.DDL)
    parts = [p.strip('"`').lower() for p in re.findall(r"\"[^\"]+\"|`[^`]+`|[\w$-]+", match.group(1))]
    table = exp.Table(this=exp.to_identifier(parts[-1]))
    if len(parts) > 1:
        table.set("db", exp.to_identifier(parts[-2]))
    if len(parts) > 2:
        table.set("catalog", exp.to_identifier(parts[-3]))
    return ParsedQuery(StatementKind.DDL, target_table=ctx.resolve(table))


# ---------------------------------------------------------------------------------------------------------
# Statement analysis
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """A statement reduced to one query to analyse, plus what its outputs are written to."""

    kind: StatementKind
    target: TableName | None = None
    query: exp.Query | None = None
    # Target column for each output of ``query``, by position; None means "not a column" (e.g. DELETE).
    target_columns: list[str | None] | None = None
    # The synthetic FROM of MERGE/UPDATE/DELETE reads the target once more than the statement does.
    target_reads_to_drop: int = 0


def _analyse(statement: exp.Expr, ctx: _Context) -> ParsedQuery:
    plan = _plan(statement, ctx)
    parsed = ParsedQuery(plan.kind, target_table=plan.target)
    if plan.query is None:
        return parsed

    # One linear walk sizes the statement; when it is too big, the same walk already holds its tables.
    survey = _Survey.of(plan.query)
    too_big = survey.too_big_for_scopes()
    query = plan.query
    tables: list[TableName] | None = None
    if too_big is None:
        query = normalize_identifiers(query, dialect=_ATHENA)
        ctx.budget.check("normalizing identifiers")
        try:
            query = qualify_tables(query, db=ctx.database, catalog=ctx.catalog, dialect=_ATHENA)
            tables = _qualified_tables(query, ctx)
        except RecursionError:
            too_big = "the statement is nested too deeply to qualify its tables"
    if tables is None:
        tables = survey.tables_read(ctx)
    reads = list(tables)
    for _ in range(plan.target_reads_to_drop):
        if plan.target in reads:
            reads.remove(plan.target)
    parsed.source_tables = set(reads)

    wants_columns = ctx.column_lineage and plan.target_columns is not None
    if wants_columns or survey.has_join:
        skipped = too_big or _column_lineage_skipped(query, ctx, tables, parsed, plan, wants_columns)
        if skipped is not None:
            parsed.column_lineage = []
            parsed.joins = []
            parsed.column_lineage_skipped = skipped
            ctx.warn(f"column lineage skipped: {skipped}")
    parsed.warnings = ctx.warnings
    return parsed


def _column_lineage_skipped(
    query: exp.Query, ctx: _Context, tables: list[TableName], parsed: ParsedQuery, plan: _Plan, wants_columns: bool
) -> str | None:
    """Trace columns and joins into ``parsed``; the reason they were given up, or None."""
    try:
        ctx.budget.check("resolving tables")
        _ColumnTracer(query, ctx, tables).run(parsed, plan.target_columns if wants_columns else None)
    except _OutOfTime as out:
        return f"ran out of time while {out.phase} (limit {ctx.budget.timeout_s}s)"
    except RecursionError:
        return "the statement is nested too deeply to trace its columns"
    except SqlglotError as error:
        return _first_line(str(error))
    return None


@dataclass
class _Survey:
    """What one linear walk of a query finds: its size, its table references and CTE names, whether it joins."""

    nodes: int = 0
    blocks: int = 0  # SELECTs, set operations and joins: sqlglot's scope analysis costs about their square
    has_join: bool = False
    tables: list[exp.Table] = field(default_factory=list)
    cte_names: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, query: exp.Query) -> _Survey:
        survey = cls()
        for node in query.walk():
            survey.nodes += 1
            if isinstance(node, exp.Select | exp.SetOperation | exp.Join):
                survey.blocks += 1
                survey.has_join = survey.has_join or isinstance(node, exp.Join)
            elif isinstance(node, exp.Table):
                survey.tables.append(node)
            elif isinstance(node, exp.CTE):
                survey.cte_names.add(node.alias_or_name.lower())
        return survey

    def too_big_for_scopes(self) -> str | None:
        """Why sqlglot's scope analysis must not run on this query, or None."""
        if self.blocks > MAX_LINEAGE_BLOCKS:
            return (
                f"the statement has {self.blocks:,} query blocks (SELECTs, set operations and joins), "
                f"over the limit of {MAX_LINEAGE_BLOCKS:,}; tables were read without scope analysis"
            )
        if self.nodes > MAX_LINEAGE_NODES:
            return (
                f"the statement has {self.nodes:,} syntax nodes, over the limit of {MAX_LINEAGE_NODES:,}; "
                "tables were read without scope analysis"
            )
        return None

    def tables_read(self, ctx: _Context) -> list[TableName]:
        """The tables read, without scope analysis: a bare name that is a CTE's anywhere counts as the CTE."""
        return [
            ctx.resolve(t)
            for t in self.tables
            if isinstance(t.this, exp.Identifier)
            and (t.args.get("db") is not None or t.name.lower() not in self.cte_names)
        ]


def _qualified_tables(query: exp.Query, ctx: _Context) -> list[TableName]:
    # qualify_tables gives every real table a database and leaves references to CTEs bare.
    return [
        ctx.resolve(t)
        for t in query.find_all(exp.Table)
        if isinstance(t.this, exp.Identifier) and t.args.get("db") is not None
    ]


def _plan(statement: exp.Expr, ctx: _Context) -> _Plan:
    if isinstance(statement, exp.Query):
        return _Plan(StatementKind.SELECT, query=statement)
    if isinstance(statement, exp.Create):
        return _plan_create(statement, ctx)
    if isinstance(statement, exp.Insert):
        return _plan_insert(statement, ctx)
    if isinstance(statement, exp.Merge):
        return _plan_merge(statement, ctx)
    if isinstance(statement, exp.Update):
        return _plan_update(statement, ctx)
    if isinstance(statement, exp.Delete):
        return _plan_delete(statement, ctx)
    if isinstance(statement, exp.Drop | exp.Alter | exp.TruncateTable):
        table = statement.this if isinstance(statement.this, exp.Table) else statement.find(exp.Table)
        kind = str(statement.args.get("kind") or "").upper()
        target = ctx.resolve(table) if table is not None and kind in ("", "TABLE", "VIEW") else None
        return _Plan(StatementKind.DDL, target=target)
    if isinstance(statement, exp.Command):
        # sqlglot falls back to an opaque Command for syntax it does not know.
        word = str(statement.this).upper()
        if word in _DDL_COMMANDS:
            return _Plan(StatementKind.DDL)
        raise SqlglotError(f"unrecognised statement starting with {word!r}")
    if isinstance(statement, exp.Condition | exp.Alias | exp.Paren | exp.Tuple):
        # sqlglot accepts a bare expression such as `SELEC * FORM t` (read as SELEC * FORM AS t).
        raise SqlglotError(f"not a SQL statement: {_first_line(statement.sql(dialect=_ATHENA))[:80]}")
    return _Plan(StatementKind.OTHER)


def _target_and_columns(node: exp.Expr | None) -> tuple[exp.Table | None, list[str] | None]:
    if isinstance(node, exp.Schema):
        table = node.this if isinstance(node.this, exp.Table) else None
        names = [c.name.lower() for c in node.expressions if isinstance(c, exp.Identifier | exp.ColumnDef)]
        return table, names or None
    return (node if isinstance(node, exp.Table) else None), None


def _plan_create(create: exp.Create, ctx: _Context) -> _Plan:
    kind = str(create.args.get("kind") or "").upper()
    table, columns = _target_and_columns(create.this)
    target = ctx.resolve(table) if table is not None else None
    query = create.expression if isinstance(create.expression, exp.Query) else None
    if kind == "VIEW" and query is not None:
        return _Plan(StatementKind.CREATE_VIEW, target, query, _named_outputs(columns))
    if kind == "TABLE" and query is not None:
        return _Plan(StatementKind.CTAS, target, query, _named_outputs(None))
    return _Plan(StatementKind.DDL, target=target if kind in ("TABLE", "VIEW") else None)


def _named_outputs(columns: list[str] | None) -> list[str | None]:
    # An empty list tells the tracer to use the query's own output names.
    return list(columns) if columns else []


def _plan_insert(insert: exp.Insert, ctx: _Context) -> _Plan:
    table, columns = _target_and_columns(insert.this)
    target = ctx.resolve(table) if table is not None else None
    query = insert.expression if isinstance(insert.expression, exp.Query) else None
    leading_with = insert.args.get("with_")
    if query is not None and isinstance(leading_with, exp.With):
        # `WITH x AS (...) INSERT INTO t SELECT ... FROM x`: the CTEs belong to the query, not to a table named x.
        for cte in reversed(leading_with.expressions):
            query = query.with_(cte.alias, as_=cte.this.copy(), append=False)
    if target is None:
        return _Plan(StatementKind.INSERT)
    if columns is None:
        known = _top_level_columns(ctx.schema.get(target))
        if known is None:
            ctx.warn(f"columns of {target} unknown: assuming the query's column names are the target's")
        columns = known
    if query is None:  # INSERT ... VALUES: nothing read, no column lineage
        return _Plan(StatementKind.INSERT, target)
    return _Plan(StatementKind.INSERT, target, query, _named_outputs(columns))


def _top_level_columns(columns: list[str] | None) -> list[str] | None:
    if columns is None:
        return None
    return [c.lower() for c in columns if "." not in c]


def _plan_merge(merge: exp.Merge, ctx: _Context) -> _Plan:
    # MERGE becomes SELECT <every SET/VALUES expression> FROM target JOIN source ON <condition>, so the
    # ordinary scope walk resolves the expressions and picks up the ON columns as join pairs.
    target_table = merge.this
    target = ctx.resolve(target_table)
    projections: list[exp.Expr] = []
    targets: list[str | None] = []
    whens = merge.args.get("whens")
    for when in whens.expressions if whens else ():
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            for assignment in then.expressions:
                if isinstance(assignment, exp.EQ):
                    targets.append(assignment.this.name.lower())
                    projections.append(assignment.expression.copy())
        elif isinstance(then, exp.Insert):
            values = then.expression.expressions if isinstance(then.expression, exp.Tuple) else []
            names = (
                [c.name.lower() for c in then.this.expressions]
                if isinstance(then.this, exp.Tuple)
                else _top_level_columns(ctx.schema.get(target))
            )
            if names is None:
                ctx.warn(f"columns of {target} unknown: MERGE INSERT without a column list not traced")
                continue
            for name, value in zip(names, values, strict=False):
                targets.append(name)
                projections.append(value.copy())
    select = exp.Select(expressions=[_alias(e, i) for i, e in enumerate(projections)] or [exp.Star()])
    select.set("from_", exp.From(this=target_table.copy()))
    using = merge.args.get("using")
    if using is not None:
        select.set("joins", [exp.Join(this=using.copy(), on=merge.args["on"].copy())])
    return _Plan(StatementKind.MERGE, target, select, targets if projections else None, target_reads_to_drop=1)


def _plan_update(update: exp.Update, ctx: _Context) -> _Plan:
    target = ctx.resolve(update.this)
    projections: list[exp.Expr] = []
    targets: list[str | None] = []
    for assignment in update.expressions:
        if isinstance(assignment, exp.EQ):
            targets.append(assignment.this.name.lower())
            projections.append(_alias(assignment.expression.copy(), len(projections)))
    select = exp.Select(expressions=projections or [exp.Literal.number(1)])
    select.set("from_", exp.From(this=update.this.copy()))
    from_ = update.args.get("from_")
    if from_ is not None:
        select.set("joins", [exp.Join(this=from_.this.copy())])
    if update.args.get("where") is not None:
        select.set("where", update.args["where"].copy())
    return _Plan(StatementKind.UPDATE, target, select, targets, target_reads_to_drop=1)


def _alias(expression: exp.Expr, index: int) -> exp.Alias:
    # An explicit Alias node: `.as_()` would put the alias inside a subquery instead.
    return exp.Alias(this=expression, alias=exp.to_identifier(f"_athena_om_{index}"))


def _plan_delete(delete: exp.Delete, ctx: _Context) -> _Plan:
    table = delete.this if isinstance(delete.this, exp.Table) else delete.find(exp.Table)
    if table is None:
        return _Plan(StatementKind.DELETE)
    select = exp.Select(expressions=[exp.Literal.number(1)])
    select.set("from_", exp.From(this=table.copy()))
    if delete.args.get("where") is not None:
        select.set("where", delete.args["where"].copy())
    return _Plan(StatementKind.DELETE, ctx.resolve(table), select, None, target_reads_to_drop=1)


# ---------------------------------------------------------------------------------------------------------
# Column tracing over qualified scopes
# ---------------------------------------------------------------------------------------------------------

_Trace = tuple[frozenset[SourceColumn], str | None]
_EMPTY: _Trace = (frozenset(), None)


class _ColumnTracer:
    """Qualifies the query once, then follows each output column down through CTEs, subqueries and unions."""

    def __init__(self, query: exp.Query, ctx: _Context, tables: list[TableName]) -> None:
        self.ctx = ctx
        self.query = query
        self.tables = tables
        self.memo: dict[tuple[int, str], _Trace] = {}
        self.scope_of: dict[int, Scope] = {}
        self.steps = 0
        self.lambda_vars: set[str] = {
            v.name for lam in query.find_all(exp.Lambda) for v in lam.expressions if isinstance(v, exp.Expr)
        }

    # -- setup ----------------------------------------------------------------------------------------
    def _sqlglot_schema(self) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
        nested: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
        for table in set(self.tables):
            columns = _top_level_columns(self.ctx.schema.get(table))
            if columns:
                nested.setdefault(table.catalog, {}).setdefault(table.database, {})[table.table] = dict.fromkeys(
                    columns, "UNKNOWN"
                )
        return nested

    def run(self, parsed: ParsedQuery, target_columns: list[str | None] | None) -> None:
        qualified = qualify_columns(
            self.query,
            self._sqlglot_schema(),  # type: ignore[arg-type]
            expand_alias_refs=True,
            expand_stars=True,
            # A catalog schema a day older than the query must not cost the whole statement its lineage.
            allow_partial_qualification=True,
            dialect=_ATHENA,
        )
        self.ctx.budget.check("qualifying columns")
        scopes = traverse_scope(qualified)
        self.scope_of = {id(s.expression): s for s in scopes}
        self._warn_unexpanded_stars(scopes)
        root = scopes[-1]
        if target_columns is not None:
            parsed.column_lineage = self._column_edges(root, target_columns, parsed)
        parsed.joins = self._joins(scopes)

    def _warn_unexpanded_stars(self, scopes: list[Scope]) -> None:
        for scope in scopes:
            if not isinstance(scope.expression, exp.Select):
                continue
            for projection in scope.expression.selects:
                qualifier = projection.table if isinstance(projection, exp.Column) else ""
                if isinstance(projection, exp.Star) or (
                    isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
                ):
                    unknown = sorted(
                        str(self.ctx.resolve(source))
                        for name, source in scope.sources.items()
                        if isinstance(source, exp.Table)
                        and (not qualifier or qualifier == name)
                        and self.ctx.schema.get(self.ctx.resolve(source)) is None
                    )
                    what = ", ".join(unknown) or "a source"
                    self.ctx.warn(f"SELECT * not expanded: columns of {what} unknown to the catalog schema")

    # -- column lineage --------------------------------------------------------------------------------
    def _column_edges(self, root: Scope, target_columns: list[str | None], parsed: ParsedQuery) -> list[ColumnEdge]:
        outputs = _output_names(root.expression)
        names: list[str | None] = list(target_columns) if target_columns else list(outputs)
        if target_columns and len(target_columns) != len(outputs):
            self.ctx.warn(f"{len(outputs)} query columns for {len(target_columns)} target columns: matched by position")
        edges: dict[str, tuple[set[SourceColumn], str | None]] = {}
        for index, target in enumerate(names[: len(outputs)]):
            if target is None or outputs[index] == "*":
                continue
            sources, function = self._trace_output(root, index)
            if not sources:
                continue
            merged, existing_function = edges.get(target, (set(), None))
            merged |= sources
            edges[target] = (merged, existing_function or function)
        return [ColumnEdge(target, frozenset(sources), function) for target, (sources, function) in edges.items()]

    def _trace_output(self, scope: Scope, index: int) -> _Trace:
        """Trace the ``index``-th output column of ``scope`` (positional, as unions and INSERT need)."""
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            sources: set[SourceColumn] = set()
            functions: list[str] = []
            for branch in _union_branches(scope):
                branch_sources, function = self._trace_output(branch, index)
                sources |= branch_sources
                if function:
                    functions.append(function)
            return frozenset(sources), functions[0] if functions else None
        if not isinstance(expression, exp.Select):
            return _EMPTY
        selects = expression.selects
        if index >= len(selects):
            return _EMPTY
        key = (id(scope), f"#{index}")
        if key not in self.memo:
            self.memo[key] = self._trace_projection(scope, selects[index])
        return self.memo[key]

    def _trace_named(self, scope: Scope, name: str) -> _Trace:
        key = (id(scope), name)
        if key in self.memo:
            return self.memo[key]
        self._tick()
        result = _EMPTY
        expression = scope.expression
        if isinstance(expression, exp.Select | exp.SetOperation):
            outputs = _output_names(expression)
            if name in outputs:
                result = self._trace_output(scope, outputs.index(name))
        elif scope.is_udtf:
            result = self._trace_udtf(scope, name)
        self.memo[key] = result
        return result

    def _trace_udtf(self, scope: Scope, name: str) -> _Trace:
        """An UNNEST alias column traced to the argument(s) it unpacks.

        ``UNNEST(a, b) AS u(x, y)``: x comes from a, y from b. ``UNNEST(m) AS u(k, v)``: an array of ROW unpacks
        to one column per field and a MAP to key and value, so every alias comes from m. With several arguments
        and more aliases than arguments, the match needs types we do not have: each alias gets every argument.
        sqlglot keeps WITH ORDINALITY's alias in ``offset``, not in the columns, so it is never found here.
        """
        unnest = scope.expression
        alias = unnest.args.get("alias")
        columns = [c.name for c in alias.columns] if alias is not None else []
        arguments = unnest.expressions if isinstance(unnest, exp.Unnest) else [unnest]
        if not columns:
            sources, _ = self._trace_expression(scope, unnest)
            return sources, _function_text(unnest)
        if name not in columns or not arguments:
            return _EMPTY
        positional = len(arguments) > 1 and len(columns) <= len(arguments)
        feeding = [arguments[columns.index(name)]] if positional else list(arguments)
        sources = frozenset().union(*(self._trace_expression(scope, argument)[0] for argument in feeding))
        return sources, _function_text(unnest.__class__(expressions=[argument.copy() for argument in feeding]))

    def _trace_projection(self, scope: Scope, projection: exp.Expr) -> _Trace:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        sources, inherited = self._trace_expression(scope, inner)
        if _is_plain_column(inner):
            return sources, inherited
        if isinstance(inner, exp.Subquery):
            subscope = self.scope_of.get(id(inner.this))
            function = self._trace_output(subscope, 0)[1] if subscope is not None else None
            return sources, function or "scalar subquery"
        return sources, _function_text(inner)

    def _trace_expression(self, scope: Scope, expression: exp.Expr) -> _Trace:
        """Source columns of every column in ``expression``, resolved in ``scope``."""
        sources: set[SourceColumn] = set()
        functions: list[str] = []
        for node in expression.walk(prune=lambda n: isinstance(n, exp.Query)):
            if isinstance(node, exp.Query):
                # A scalar subquery: its single output column, traced in its own scope.
                subscope = self.scope_of.get(id(node.this if isinstance(node, exp.Subquery) else node))
                if subscope is not None:
                    sub_sources, _ = self._trace_output(subscope, 0)
                    sources |= sub_sources
            elif isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                column_sources, function = self._resolve_column(scope, node)
                sources |= column_sources
                if function:
                    functions.append(function)
        return frozenset(sources), functions[0] if len(functions) == 1 else None

    def _resolve_column(self, scope: Scope, column: exp.Column) -> _Trace:
        self._tick()
        qualifier = column.table
        name = column.name
        if not qualifier:
            if name in self.lambda_vars:
                return _EMPTY
            selected = scope.selected_sources
            if len(selected) != 1:
                self.ctx.warn(f"column {name} could not be resolved to a table")
                return _EMPTY
            # One source and no catalog schema for it: the column can only come from there.
            qualifier = next(iter(selected))
        source = _find_source(scope, qualifier)
        if source is None:
            # `addr.city` with several sources parses as table `addr`: try it as a struct column.
            return self._resolve_struct_qualifier(scope, column)
        if isinstance(source, exp.Table):
            table = self.ctx.resolve(source)
            return frozenset({(table, self._struct_path(table, name, column))}), None
        sources, function = self._trace_named(source, name)
        if function is None and len(sources) == 1 and isinstance(column.parent, exp.Dot):
            # x.addr.city where x is a CTE passing addr through unchanged: keep the struct path.
            ((table, path),) = sources
            return frozenset({(table, self._struct_path(table, path, column))}), None
        return sources, function

    def _resolve_struct_qualifier(self, scope: Scope, column: exp.Column) -> _Trace:
        struct = column.table
        walk: Scope | None = scope
        while walk is not None:
            for source in walk.sources.values():
                if isinstance(source, exp.Table):
                    table = self.ctx.resolve(source)
                    known = self.ctx.schema.get(table) or ()
                    if struct in known:
                        path = f"{struct}.{column.name}"
                        return frozenset({(table, path if path in known else struct)}), None
            walk = walk.parent
        self.ctx.warn(f"column {column.sql()} could not be resolved to a table")
        return _EMPTY

    def _struct_path(self, table: TableName, name: str, column: exp.Column) -> str:
        """The deepest struct child of ``name`` the catalog knows, following ``column``'s field accesses."""
        parent = column.parent
        if not isinstance(parent, exp.Dot) or parent.this is not column:
            return name
        known = self.ctx.schema.get(table)
        if not known:
            return name
        known_set = set(known)
        path = name
        node: exp.Expr | None = parent
        while isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
            candidate = f"{path}.{node.expression.name.lower()}"
            if candidate not in known_set:
                break
            path = candidate
            node = node.parent
        return path

    def _tick(self) -> None:
        self.steps += 1
        if self.steps % 256 == 0:
            self.ctx.budget.check("tracing column lineage")

    # -- joins -----------------------------------------------------------------------------------------
    def _joins(self, scopes: list[Scope]) -> list[tuple[SourceColumn, SourceColumn]]:
        pairs: set[tuple[SourceColumn, SourceColumn]] = set()
        for scope in scopes:
            select = scope.expression
            if not isinstance(select, exp.Select):
                continue
            conditions = [j.args["on"] for j in select.args.get("joins") or () if j.args.get("on") is not None]
            if select.args.get("joins") and select.args.get("where") is not None:
                conditions.append(select.args["where"].this)
            for condition in conditions:
                for eq in condition.find_all(exp.EQ):
                    if eq.find_ancestor(exp.Query) is not select:
                        continue
                    left = self._join_side(scope, eq.this)
                    right = self._join_side(scope, eq.expression)
                    if left and right and left != right:
                        pairs.add((left, right) if left <= right else (right, left))
        return sorted(pairs)

    def _join_side(self, scope: Scope, side: exp.Expr) -> SourceColumn | None:
        if not isinstance(side, exp.Column) or not side.table:
            return None
        sources, function = self._resolve_column(scope, side)
        if len(sources) != 1 or function is not None:
            return None
        return next(iter(sources))


def _find_source(scope: Scope, name: str) -> exp.Table | Scope | None:
    walk: Scope | None = scope
    while walk is not None:
        source = walk.sources.get(name)
        if source is not None:
            return source
        walk = walk.parent
    return None


def _union_branches(scope: Scope) -> list[Scope]:
    """The branches of a chain of set operations, left to right, without recursion.

    A UNION ALL of n SELECTs parses as n - 1 nested set operations, so recursing into it would hit Python's
    recursion limit at about a thousand branches.
    """
    branches: list[Scope] = []
    stack = list(reversed(scope.set_operation_scopes))
    while stack:
        branch = stack.pop()
        if isinstance(branch.expression, exp.SetOperation):
            stack.extend(reversed(branch.set_operation_scopes))
        else:
            branches.append(branch)
    return branches


def _output_names(expression: exp.Expr) -> list[str]:
    while isinstance(expression, exp.SetOperation):
        expression = expression.this
    if isinstance(expression, exp.Subquery):
        return _output_names(expression.this)
    if not isinstance(expression, exp.Select):
        return []
    return [
        "*"
        if isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star))
        else s.alias_or_name.lower()
        for s in expression.selects
    ]


def _is_plain_column(expression: exp.Expr) -> bool:
    while isinstance(expression, exp.Dot):
        expression = expression.this
    return isinstance(expression, exp.Column)


def _function_text(expression: exp.Expr) -> str:
    text = expression.sql(dialect=_ATHENA)
    return text if len(text) <= MAX_FUNCTION_CHARS else text[: MAX_FUNCTION_CHARS - 1] + "…"
