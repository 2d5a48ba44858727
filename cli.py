"""The ``reform-ledger`` command line: parse arguments, call one library function, print.

No business logic lives here. Every command imports what it needs when it runs, so a
single ``record`` stays fast. Errors the library raises on purpose (``LedgerError``) are
printed as one line per problem, ``error: …``, with the error's exit code; anything else
is a bug. Nothing printed carries a raw bidi control or other invisible character.

No ``from __future__ import annotations`` here: Typer reads every command's annotations
to build the command line, and string annotations would be evaluated again (twice per
command) on every run, about 20 ms of each command's start-up.
"""

import copy
import gc
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_name

if TYPE_CHECKING:
    from events import FieldDoc, TypeDoc
    from ledger import Store

ENV_DB = "REFORM_LEDGER_DB"


class _LedgerGroup(TyperGroup):
    """Turns the library's own errors into lines on stderr (one per problem) and their exit
    code."""

    def invoke(self, ctx: typer.Context) -> Any:
        from events import LedgerError, show_invisible

        try:
            return super().invoke(ctx)
        except LedgerError as error:
            for line in error.lines():  # several for an import that found several errors
                typer.echo(f"error: {show_invisible(line)}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=_LedgerGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Reform Ledger: an append-only, cited, tamper-evident ledger of reform promises.\n\n"
    "Example: reform-ledger --db my.db status --as-of 2023-12-31",
)
schedule_app = typer.Typer(
    cls=_LedgerGroup, no_args_is_help=True, help="Recurring report generation."
)
app.add_typer(schedule_app, name="schedule")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", envvar=ENV_DB, help="Database URL or SQLite path (default: ./reform-ledger.db)."
    ),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Valid time: a date or period (its last day).")
]
KnownAtOpt = Annotated[
    str | None, typer.Option("--known-at", help="Transaction time: what the ledger knew then.")
]
MethodOpt = Annotated[
    str | None,
    typer.Option(
        "--method",
        help="The rules, by version: reform-ledger/2 (default) or reform-ledger/1 (to "
        "regenerate figures published under it).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (a stable, documented interface).")
]


def _version(value: bool) -> None:
    """``--version``: the installed distribution's version, as pip knows it."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        typer.echo(f"reform-ledger {version('reform-ledger')}")
    except PackageNotFoundError:
        typer.echo("reform-ledger (version unknown: not installed)")
    raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: DbOpt = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = {"db": db}


def _db(ctx: typer.Context) -> str | None:
    return (ctx.obj or {}).get("db") or ctx.find_root().params.get("db")


@contextmanager
def _store(ctx: typer.Context, *, create: bool = False) -> Iterator["Store"]:
    from ledger import NotALedger, open_store

    try:
        store = open_store(_db(ctx), create=create)
    except NotALedger as error:
        raise NotALedger(f"{error}: run `reform-ledger init`") from None
    try:
        yield store
    finally:
        store.close()


class _Shown:
    """A text stream that shows invisible characters (bidi controls…) as ``<U+XXXX>``.

    Whatever an older ledger holds, the terminal never receives a raw bidi control.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from events import show_invisible

        return self.stream.write(show_invisible(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


#: Piped, rich lays a table out at this width, so each row stays one line.
_PIPED_WIDTH = 10_000
#: What rich would change in text (tabs expanded, control codes dropped, lines broken):
#: text holding one of these is drawn by rich itself, even piped.
_NOT_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f]")


def _piped(stream: Any) -> bool:
    """Not a terminal, and no ``FORCE_COLOR`` or ``TTY_COMPATIBLE=1`` asking rich to draw
    as on one."""
    env = os.environ
    return not stream.isatty() and not env.get("FORCE_COLOR") and env.get("TTY_COMPATIBLE") != "1"


def _fits(text: str) -> bool:
    """Whether rich would print ``text`` piped exactly as it is, on one line."""
    if _NOT_PLAIN.search(text) is not None:
        return False
    if len(text) * 2 <= _PIPED_WIDTH:  # no character is wider than two cells
        return True
    from rich.cells import cell_len

    return cell_len(text) <= _PIPED_WIDTH


class _Table:
    """A table of literal text (never rich markup or emoji codes), printed by ``_Screen``."""

    def __init__(self, *columns: str) -> None:
        self.columns = columns
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def to_rich(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(show_lines=False)
        for column in self.columns:
            table.add_column(column, overflow="fold")
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def plain_lines(self) -> list[str] | None:
        """The lines rich draws of this table piped (its default box, at ``_PIPED_WIDTH``),
        or None when a cell holds text rich would change or the table is wider than that."""
        cells = [self.columns, *self.rows]
        if not all(_fits(cell) for row in cells for cell in row):
            return None
        if all(cell.isascii() for row in cells for cell in row):
            width = len
        else:
            from rich.cells import cell_len as width
        widths = [max(width(row[i]) for row in cells) for i in range(len(self.columns))]
        if sum(widths) + 3 * len(widths) + 1 > _PIPED_WIDTH:
            return None

        def rule(left: str, line: str, cross: str, right: str) -> str:
            return left + cross.join(line * (w + 2) for w in widths) + right

        def row(edge: str, texts: tuple[str, ...]) -> str:
            padded = (f" {t}{' ' * (w - width(t))} " for t, w in zip(texts, widths, strict=True))
            return edge + edge.join(padded) + edge

        return [
            rule("┏", "━", "┳", "┓"),
            row("┃", self.columns),
            rule("┡", "━", "╇", "┩"),
            *(row("│", cells) for cells in self.rows),
            rule("└", "─", "┴", "┘"),
        ]


class _Screen:
    """Where a command prints lines and tables: stdout (data) or stderr (messages).

    On a terminal rich draws them (tables fit its width, titles in bold). Piped, the lines
    rich would draw at an unlimited width, one line per row, are written directly, without
    loading rich's console machinery (tests/test_cli_startup.py checks them against rich).
    Either way, text is printed as it is (a title holding ``[/]`` or ``:smile:`` is not rich
    markup), and invisible characters are shown as ``<U+XXXX>``.
    """

    def __init__(self, err: bool = False) -> None:
        self.stream = _Shown(sys.stderr if err else sys.stdout)
        self.plain = _piped(self.stream)
        self._console: Any = None

    def line(self, text: str, *, bold: str = "") -> None:
        """One line of text; ``bold`` comes first, in bold on a terminal."""
        if self.plain and _fits(bold + text):
            self.stream.write(f"{bold}{text}\n")
            return
        from rich.text import Text

        self.console().print(Text.assemble((bold, "bold"), text))

    def table(self, table: _Table) -> None:
        lines = table.plain_lines() if self.plain else None
        if lines is None:
            self.console().print(table.to_rich())
            return
        self.stream.write("".join(f"{line}\n" for line in lines))

    def console(self) -> Any:
        """A rich console on this stream; piped, one line per table row, as above."""
        if self._console is None:
            from rich.console import Console

            width = None if self.stream.isatty() else _PIPED_WIDTH
            self._console = Console(
                file=self.stream, highlight=False, markup=False, emoji=False, width=width
            )
        return self._console


def _say(message: str) -> None:
    """Messages go to stderr; data goes to stdout."""
    from events import show_invisible

    typer.echo(show_invisible(message), err=True)


@contextmanager
def _progress(description: str, threshold: int = 2000) -> Iterator[Any]:
    """A progress bar on a terminal for long work; nothing when piped."""
    if not sys.stderr.isatty():
        yield lambda total, *_: None
        return
    from rich.progress import Progress

    with Progress(console=_Screen(err=True).console(), transient=True) as bar:

        def start(total: int, *_: Any) -> Any:
            if total < threshold:
                return None
            task = bar.add_task(description, total=total)
            return lambda n: bar.advance(task, n)

        yield start


def _print_json(value: Any) -> None:
    from events import escape_invisible_json

    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    typer.echo(escape_invisible_json(text))


@app.command()
def init(ctx: typer.Context) -> None:
    """Create an empty ledger (tables, append-only triggers).

    Example: reform-ledger --db ledger.db init
    """
    with _store(ctx, create=True) as store:
        _say(f"ledger ready at {store.url} ({store.count()} events)")


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder for the site.")] = Path("out"),
) -> None:
    """Build a ledger from the bundled Kazakhstan 2019–2024 dataset and publish its site.

    Example: reform-ledger --db demo.db demo --out out
    """
    from ledger import load_dataset, verify

    with _store(ctx, create=True) as store:
        result = load_dataset(store)
        report = verify(store)
        _say(
            f"dataset: {len(result.appended)} events appended, {result.skipped} already there; "
            f"ledger verified at {report.digest}"
        )
        _render_demo(store, out)


#: The bundled dataset ends with 2024-Q2; its site is published as of that quarter's end.
DEMO_AS_OF = "2024-06-30"
DEMO_TITLE = "Kazakhstan's political reforms, 2019–2024"


def _render_demo(store: "Store", out: Path) -> None:
    from reports import publish_site

    result = publish_site(store, out, as_of=DEMO_AS_OF, title=DEMO_TITLE)
    _say(
        f"site of {result.items} items and {len(result.periods)} quarterly reports in {out}/ "
        f"({len(result.written)} files written) — open {out / 'index.html'}"
    )


_FIELD_FLAGS = (
    "title",
    "statement",
    "actor",
    "area",
    "package",
    "deadline",
    "to",
    "relation",
    "metric",
    "value",
    "unit",
    "period",
    "qualifier",
    "assessor",
    "verdict",
    "rationale",
    "reason",
    "retracted",
    "change",
    "summary",
    "what",
    "chamber",
    "number",
    "route",
    "grade",
    "attribute",
)
#: Payload fields set by a repeatable option of another name; any other field takes --set.
_LIST_FLAGS = {"articles": "article", "votes": "vote"}
_PAYLOAD_PARAMS = frozenset(_FIELD_FLAGS) | frozenset(_LIST_FLAGS.values())
_HELP_TYPE = "reform_ledger.help_type"


def _flag(field: str) -> str:
    """The ``record`` option that sets a payload field."""
    if field in _FIELD_FLAGS:
        return f"--{field}"
    if field in _LIST_FLAGS:
        return f"--{_LIST_FLAGS[field]}"
    return f"--set {field}=…"


def _item_of(doc: "TypeDoc") -> str:
    """Which items an event type goes on, and whether it may open a new one."""
    if doc.item_kind is None:
        return "any item"
    first = "; can be its first event" if doc.creates_item else ""
    return f"a {doc.item_kind}{first}"


def _used_by(param: str, docs: list["TypeDoc"]) -> str:
    """The event types that take an option; ``law.*`` stands for every law type, and
    ``law.* but law.stalled`` for all of them but one."""
    field = next((f for f, p in _LIST_FLAGS.items() if p == param), param)
    families: dict[str, list[str]] = {}
    for doc in docs:
        families.setdefault(doc.name.partition(".")[0], []).append(doc.name)
    users = {doc.name for doc in docs if any(f.name == field for f in doc.fields)}
    names = []
    for family, members in families.items():
        mine = [name for name in members if name in users]
        if len(mine) == len(members) > 1:
            names.append(f"{family}.*")
        elif len(mine) == len(members) - 1 > 1:
            (left_out,) = set(members) - set(mine)
            names.append(f"{family}.* but {left_out}")
        else:
            names += mine
    return ", ".join(names)


def _field_help(field: "FieldDoc") -> str:
    return field.meaning + (f" One of: {', '.join(field.values)}." if field.values else "")


def _type_help(doc: "TypeDoc") -> str:
    """``record TYPE --help``'s text: what the type records, its other fields, an example."""
    lines = [f"Append one {doc.name} event. {doc.summary} Item: {_item_of(doc)}."]
    for field in doc.fields:
        if field.name not in _FIELD_FLAGS and field.name not in _LIST_FLAGS:
            kind = "required" if field.required else "optional"
            block = [f"{field.name} ({kind}, {_flag(field.name)} in YAML): {field.meaning}"]
            block += [f"  {field.name}.{p.name}: {_field_help(p)}" for p in field.parts]
            lines.append("\b\n" + "\n".join(block))  # \b: keep these lines as they are
    shown = [f for f in doc.fields if f.required or f.name == "title"]
    example = " ".join(
        f"{_flag(f.name)} {f.values[0] if f.values else f.name.upper()}" for f in shown
    )
    envelope = '--item ID --effective DATE --document DOC --locator WHERE --quote "…"'
    lines.append(f"Example: reform-ledger record {doc.name} {envelope} {example}".rstrip())
    return "\n\n".join(lines)


class _RecordCommand(TyperCommand):
    """``record``'s help; ``record TYPE --help`` shows only that type's fields."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if any(arg in ctx.help_option_names for arg in args):
            found, _, _ = self.make_parser(ctx).parse_args(args=list(args))
            ctx.meta[_HELP_TYPE] = found.get("type_name")
        return super().parse_args(ctx, args)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        from events import type_doc, type_docs

        shown, params = copy.copy(self), []
        type_name = ctx.meta.get(_HELP_TYPE)
        doc = type_doc(type_name) if type_name else None  # an unknown type is refused
        fields = {_LIST_FLAGS.get(f.name, f.name): f for f in doc.fields} if doc else {}
        docs = type_docs()
        for param in self.params:
            if param.name in _PAYLOAD_PARAMS:
                field = fields.get(param.name)
                if doc is not None and field is None:
                    continue
                param = copy.copy(param)
                if field is not None:
                    param.help, param.required = _field_help(field), field.required
                else:
                    param.help = f"{param.help or ''} For {_used_by(param.name, docs)}.".lstrip()
            params.append(param)
        shown.params = params
        if doc is not None:
            shown.help = _type_help(doc)
        super(_RecordCommand, shown).format_help(ctx, formatter)


def _parse_set(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` options, each value read as YAML (loaded only when one is given)."""
    if not pairs:
        return {}
    import yaml

    from events import InvalidInput

    values = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--set {pair!r}: use KEY=VALUE")
        try:
            values[key] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            raise InvalidInput(f"--set {key}: value is not valid YAML") from None
    return values


def _build_raw(
    type_name: str,
    envelope: dict[str, Any],
    fields: dict[str, Any],
    articles: list[str],
    votes: list[str],
    extra: list[str],
) -> dict[str, Any]:
    from events import event_class

    cls = event_class(type_name)
    raw: dict[str, Any] = {"type": type_name}
    raw.update({k: v for k, v in envelope.items() if v is not None and k != "source"})
    source = {k: v for k, v in envelope["source"].items() if v is not None}
    payload = {k: v for k, v in fields.items() if v is not None}
    if articles:
        payload["articles"] = articles
    if votes:
        payload["votes"] = {k: float(v) for k, v in (_parse_set(votes)).items()}
    payload.update(_parse_set(extra))
    if sys.stdin.isatty():
        registering = type_name == "source.registered"  # cites itself, effective when published
        for name in ("item",) if registering else ("item", "effective"):
            if name not in raw:
                raw[name] = typer.prompt(name)
        for name in () if registering else ("document", "locator", "quote"):
            if name not in source:
                source[name] = typer.prompt(f"source {name}")
        derived = {"source", "effective"} if registering else {"source"}
        for name, info in cls.model_fields.items():
            if info.is_required() and name not in payload and name not in raw.keys() | derived:
                payload[name] = typer.prompt(name)
    raw["source"] = source
    raw.update(payload)
    return raw


@app.command(cls=_RecordCommand)
def record(
    ctx: typer.Context,
    type_name: Annotated[
        str, typer.Argument(metavar="TYPE", help="Event type, e.g. promise.made.")
    ],
    item: Annotated[str | None, typer.Option(help="Item id (a slug).")] = None,
    effective: Annotated[
        str | None, typer.Option(help="When it happened: YYYY, YYYY-MM, YYYY-MM-DD or A/B.")
    ] = None,
    document: Annotated[str | None, typer.Option(help="Source document.")] = None,
    locator: Annotated[str | None, typer.Option(help="Where in the source.")] = None,
    quote: Annotated[str | None, typer.Option(help="Verbatim quote from the source.")] = None,
    url: Annotated[str | None, typer.Option(help="Source URL.")] = None,
    event_id: Annotated[
        str | None, typer.Option("--id", help="Event id (UUID); default a new one.")
    ] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Fail unless the item is at this version.")
    ] = None,
    title: str | None = None,
    statement: str | None = None,
    actor: str | None = None,
    area: str | None = None,
    package: str | None = None,
    deadline: str | None = None,
    to: str | None = None,
    relation: str | None = None,
    metric: str | None = None,
    value: float | None = None,
    unit: str | None = None,
    period: str | None = None,
    qualifier: str | None = None,
    assessor: str | None = None,
    verdict: str | None = None,
    rationale: str | None = None,
    reason: str | None = None,
    retracted: str | None = None,
    change: str | None = None,
    summary: str | None = None,
    what: str | None = None,
    chamber: str | None = None,
    number: str | None = None,
    route: str | None = None,
    grade: str | None = None,
    attribute: str | None = None,
    article: Annotated[
        list[str] | None, typer.Option(help="An amended article (repeatable).")
    ] = None,
    vote: Annotated[
        list[str] | None, typer.Option(help="A vote figure NAME=NUMBER (repeatable).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Any other field KEY=VALUE (YAML value).")
    ] = None,
    source_title: Annotated[
        str | None, typer.Option(help="Register --document with this title (if new).")
    ] = None,
    source_short_title: Annotated[
        str | None, typer.Option(help="Its short title, for citations.")
    ] = None,
    source_author: Annotated[str | None, typer.Option(help="Its author(s).")] = None,
    source_publisher: Annotated[str | None, typer.Option(help="Its publisher.")] = None,
    source_published: Annotated[
        str | None, typer.Option(help="When it was published (YYYY, YYYY-MM or YYYY-MM-DD).")
    ] = None,
    source_url: Annotated[str | None, typer.Option(help="Its http(s) address.")] = None,
    source_kind: Annotated[
        str | None,
        typer.Option(help="official, government, academic, think_tank, news or other."),
    ] = None,
    source_language: Annotated[
        str | None, typer.Option(help="Its language (BCP 47: en, ru, kk).")
    ] = None,
    source_note: Annotated[str | None, typer.Option(help="A note on the source.")] = None,
) -> None:
    """Append one event; on a terminal, prompts for any required field not given.

    Each type takes its own fields: see them with reform-ledger record TYPE --help, or
    reform-ledger types TYPE.

    The cited --document must be a registered source. The --source-* options register it
    with this event when it is new (one batch); for `record source.registered` they give
    the registration's fields.

    Example: reform-ledger record promise.made --item party-signatures --effective 2022-03-16
    --document address-2022 --locator "Fourth priority" --quote "reduce … to 5,000"
    --title "Cut party signatures to 5,000" --statement "…" --actor President --area parties
    """
    from events import parse_event
    from ledger import UnregisteredSource

    local = locals()
    fields: dict[str, Any] = {name: local[name] for name in _FIELD_FLAGS}
    registration = {
        name: local[f"source_{name}"] for name in _SOURCE_FLAGS if local[f"source_{name}"]
    }
    if type_name == "source.registered":  # the options give the registration's own fields
        fields.update(registration, url=registration.get("url") or url)  # --url means it too
        url, registration = None, {}
    envelope = {
        "item": item,
        "effective": effective,
        "id": event_id,
        "source": {"document": document, "locator": locator, "quote": quote, "url": url},
    }
    raw = _build_raw(type_name, envelope, fields, article or [], vote or [], set_ or [])
    event = parse_event(raw)
    registered = _inline_registration(event.source.document, registration)
    with _store(ctx) as store:
        batch = [event]
        if registered:  # only then is the source registry read (and its module loaded)
            from ledger import with_registration

            batch = with_registration(store, registered, batch)
        try:
            result = store.append(batch, expected_version=expected_version)
        except UnregisteredSource as error:
            hint = _register_hint(error.document)
            raise UnregisteredSource(hint, document=error.document) from None
    for stored in result.appended:
        typer.echo(
            f"{stored.position}:{stored.hash} {stored.type} {stored.item} "
            f"v{stored.version} {stored.id}"
        )
    if not any(stored.id == str(event.id) for stored in result.appended):
        _say(f"event {event.id} is already stored; nothing appended")


@app.command("types")
def types_(
    type_name: Annotated[
        str | None, typer.Argument(metavar="TYPE", help="One event type, e.g. law.signed.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the event types; with TYPE, its fields: meaning, required or not, allowed values.

    Example: reform-ledger types promise.made
    """
    from events import type_doc, type_docs

    if type_name is None:
        docs = type_docs()
        if as_json:
            _print_json([doc.to_dict() for doc in docs])
            return
        _print_types(docs)
        return
    doc = type_doc(type_name)
    if as_json:
        _print_json(doc.to_dict())
        return
    _print_fields(doc)


def _print_types(docs: list["TypeDoc"]) -> None:
    table = _table("type", "item", "what it records")
    for doc in docs:
        table.add_row(doc.name, _item_of(doc), doc.summary)
    _Screen().table(table)
    _say("the fields of one type: reform-ledger types TYPE")


def _print_fields(doc: "TypeDoc") -> None:
    screen = _Screen()
    screen.line(f"{doc.name}: {doc.summary}")
    screen.line(f"item: {_item_of(doc)}; schema version {doc.schema}")
    table = _table("field", "option", "required", "value", "meaning")
    for field in doc.fields:
        rows = [(field.name, _flag(field.name), field)]
        rows += [(f"  {field.name}.{part.name}", "", part) for part in field.parts]
        for name, option, shown in rows:
            need = "required" if shown.required else "optional"
            table.add_row(name, option, need, shown.shape, shown.meaning)
    screen.table(table)
    screen.line(
        "Every event also takes --item, --effective, and its source: --document, --locator, "
        "--quote, optionally --url (see docs/events.md)."
    )


_SOURCE_FLAGS = (
    "title",
    "short_title",
    "author",
    "publisher",
    "published",
    "url",
    "kind",
    "language",
    "note",
)


def _inline_registration(document: str, fields: dict[str, Any]) -> Any:
    """The ``source.registered`` event the --source-* options describe, or None."""
    from events import InvalidInput, parse_event

    if not fields:
        return None
    raw = {"type": "source.registered", "item": document, **fields}
    try:
        return parse_event(raw)
    except InvalidInput as error:
        raise error.at(f"registering source {document!r} (--source-*)") from None


def _register_hint(document: str) -> str:
    return (
        f"source document {document!r} is not registered; register it with this event "
        "(--source-title, --source-published, --source-kind, --source-language, and "
        "--source-author or --source-publisher) or first with: "
        f"reform-ledger record source.registered --item {document} …"
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="YAML (.yaml/.yml) or JSON Lines (.jsonl) files.")
    ],
) -> None:
    """Import events; each file is one all-or-nothing batch; re-importing adds nothing.

    Example: reform-ledger import promises.yaml laws.jsonl
    """
    from ledger import import_files

    with _store(ctx) as store, _progress("importing") as progress:
        summary = import_files(store, files, progress=progress)
    for name in summary.empty:
        _say(f"no events in {name}")
    _say(
        f"imported {summary.appended} events from {summary.files} file(s); "
        f"{summary.skipped} already stored"
    )


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
) -> None:
    """Print every event in position order (canonical JSON lines, or CSV).

    Example: reform-ledger export --format jsonl > ledger.jsonl
    """
    from events import escape_invisible_json, show_invisible
    from ledger import export_events

    # JSON escapes lose nothing; CSV shows such characters escaped only on a terminal
    shown = escape_invisible_json if fmt == "jsonl" else show_invisible
    raw = fmt != "jsonl" and not sys.stdout.isatty()
    with _store(ctx) as store:
        for chunk in export_events(store, fmt):
            sys.stdout.write(chunk if raw else shown(chunk))


@app.command()
def log(
    ctx: typer.Context,
    item: Annotated[str | None, typer.Option(help="Only this item's events.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List events, oldest first.

    Example: reform-ledger log --item party-registration-threshold
    """
    from ledger import describe

    with _store(ctx) as store:
        records = list(store.read(item=item))
    if as_json:
        _print_json([r.to_dict() for r in records])
        return
    table = _table("position", "effective", "item", "type", "what", "source")
    for r in records:
        table.add_row(
            str(r.position), r.effective, r.item, r.type, describe(r), r.source.get("document", "")
        )
    _Screen().table(table)


def _table(*columns: str) -> _Table:
    return _Table(*columns)


@app.command()
def show(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="Item id.")],
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    everything: Annotated[
        bool, typer.Option("--all", help="The whole stream, not only what the cut shows.")
    ] = False,
    method: MethodOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One item at a cut: its status, timeline with sources, and links.

    By default as of today and as known now, showing only the events visible then.

    Example: reform-ledger show death-penalty-abolition --as-of 2022-12-31
    """
    from ledger import show as show_item
    from ledger import source_registry

    with _store(ctx) as store:
        view = show_item(
            store, item, as_of=as_of, known_at=known_at, everything=everything, method=method
        )
        sources = source_registry(store, known_at=view.cut.known_at)
    if as_json:
        cited = sorted({e.record.source["document"] for e in view.timeline} & set(sources))
        _print_json(
            {
                "as_of": view.cut.day,
                "known_at": view.cut.known_at,
                "all": view.everything,
                "status": view.status.to_dict(),
                "links_out": view.links_out,
                "links_in": view.links_in,
                "timeline": [
                    {
                        **e.record.to_dict(),
                        **sources.cite(e.record.source["document"]),
                        "retracted_by": e.retracted_by,
                        "summary": e.summary,
                    }
                    for e in view.timeline
                ],
                "sources": {document: sources[document].to_dict() for document in cited},
            }
        )
        return
    s = view.status
    screen = _Screen()
    screen.line(f"  ({s.kind} {s.item})", bold=s.title)
    scope = "every event, whatever its date" if view.everything else "events visible then"
    screen.line(f"as of {view.cut.day}, as known at {view.cut.known_at} ({scope})")
    flags = " late" * s.late + " contested" * s.contested
    screen.line(f"status: {s.status}{flags}   area: {s.area or '-'}   package: {s.package or '-'}")
    screen.line(_evidence_line(s, sources))
    for reason in s.contested_reasons:
        screen.line(f"  contested: {reason}")
    table = _table("effective", "event", "source")
    for entry in view.timeline:
        r = entry.record
        mark = f" [retracted by {entry.retracted_by}]" if entry.retracted_by else ""
        table.add_row(
            r.effective,
            entry.summary + mark,
            f"{sources.label(r.source['document'], link=True)} — {r.source['locator']}: "
            f"“{r.source['quote']}”",
        )
    screen.table(table)
    for link in view.links_out:
        screen.line(f"→ {link['relation']} {link['to']}")
    for link in view.links_in:
        screen.line(f"← {link['from']} {link['relation']}")


def _evidence_cell(evidence: dict[str, Any] | None) -> str:
    """The grade behind a status and how many sources give it: ``reported ×2``."""
    if evidence is None:
        return ""
    count = len(evidence["sources"])
    return (evidence["grade"] or "not graded") + (f" ×{count}" if count > 1 else "")


def _evidence_line(s: Any, sources: Any) -> str:
    """What the status rests on and how fresh the ledger's knowledge of the item is."""
    if s.evidence is None:
        basis = "no event behind it (method 1's clock)"
    else:
        named = [sources.label(document) for document in s.evidence["sources"]]
        grade = s.evidence["grade"] or "not graded"
        basis = f"{grade}, {len(named)} source{'s' * (len(named) != 1)}: {'; '.join(named)}"
    gap = " — no evidence for 12 months: a gap in the ledger's coverage" * s.evidence_gap
    deadline = f"   deadline: {s.deadline}{' (implied)' * s.deadline_implied}" * bool(s.deadline)
    return f"evidence: {basis}   last evidence: {s.last_evidence}{gap}{deadline}"


@app.command()
def status(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    area: Annotated[str | None, typer.Option(help="Only items of this area.")] = None,
    package: Annotated[str | None, typer.Option(help="Only items of this reform package.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="promise, amendment, law or milestone (or a list: a,b).")
    ] = None,
    statuses: Annotated[
        str | None,
        typer.Option("--status", help="Only items with this status (or a list: a,b)."),
    ] = None,
    labels: Annotated[
        str | None, typer.Option(help="Show labels of: politifact, polimeter, ogp.")
    ] = None,
    method: MethodOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Promised vs delivered: one row per item, derived from its events.

    Example: reform-ledger status --as-of 2023-12-31 --kind promise --status overdue,stalled
    """
    from events import InvalidInput
    from ledger import LABELS, UnknownFilterValue, label, source_registry
    from ledger import status as compute

    if labels and labels not in LABELS:
        raise InvalidInput(f"--labels {labels!r}: use one of {', '.join(sorted(LABELS))}")
    filters = {"area": area, "package": package, "kind": kind, "statuses": statuses}
    with _store(ctx) as store:
        try:
            view = compute(store, as_of=as_of, known_at=known_at, method=method, **filters)
        except UnknownFilterValue as error:  # name the option the user typed
            raise InvalidInput(error.message, where=f"--{error.name} {error.value!r}") from None
        sources = source_registry(store, known_at=view.known_at) if as_json else None
    if sources is not None:
        items = [s.to_dict() for s in view.items]
        for entry in items:
            entry["assessments"] = [
                {**a, **sources.cite(a["document"])} for a in entry["assessments"]
            ]
        _print_json(
            {
                "as_of": view.as_of.isoformat(),
                "known_at": view.known_at,
                "position": view.position,
                "items": items,
            }
        )
        return
    table = _table(
        "item", "kind", "status", "evidence", "since", "last evidence", "deadline", "contested",
        "title",
    )  # fmt: skip
    for s in view.items:
        table.add_row(
            s.item,
            s.kind,
            label(s.status, labels) + (" (late)" if s.late else ""),
            _evidence_cell(s.evidence),
            s.since or "",
            (s.last_evidence or "") + (" (gap)" if s.evidence_gap else ""),
            (s.deadline or "") + (" (implied)" if s.deadline_implied else ""),
            "yes" if s.contested else "",
            s.title,
        )
    _Screen().table(table)
    _say(
        f"{len(view.items)} items as of {view.as_of} known at {view.known_at} "
        f"(position {view.position})"
    )


@app.command()
def diff(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(metavar="A", help="Date or period.")],
    second: Annotated[str, typer.Argument(metavar="B", help="Date or period.")],
    known_at: KnownAtOpt = None,
    method: MethodOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Status changes between two dates or periods, with the events that caused them.

    Example: reform-ledger diff 2022-Q1 2022-Q4
    """
    from ledger import diff as compute
    from ledger import parse_known_at, source_registry

    with _store(ctx) as store:
        transitions = compute(store, first, second, known_at=known_at, method=method)
        sources = source_registry(store, known_at=parse_known_at(known_at))
    if as_json:
        _print_json(
            [
                {**t.to_dict(), **sources.cite(t.cause.source["document"] if t.cause else None)}
                for t in transitions
            ]
        )
        return
    if not transitions:
        _say(f"no status changes between {first} and {second}")
        return
    table = _table("item", "before", "after", "caused by", "source")
    for t in transitions:
        cause = t.cause
        table.add_row(
            t.item,
            t.before or "—",
            t.after or "—",
            f"{cause.type} {cause.effective}" if cause else "",
            f"{sources.label(cause.source['document'])}: “{cause.source['quote']}”"
            if cause
            else "",
        )
    _Screen().table(table)


@app.command()
def verify(
    ctx: typer.Context,
    published: Annotated[
        str | None, typer.Option("--digest", help="A digest POSITION:HASH published earlier.")
    ] = None,
) -> None:
    """Recompute the hash chain; with --digest, check the ledger still extends it.

    Example: reform-ledger verify --digest 412:5f0c…
    """
    from ledger import check_digest
    from ledger import verify as check

    with _store(ctx) as store, _progress("verifying") as progress:
        report = (
            check_digest(store, published)
            if published
            else check(store, progress=progress(store.count()))
        )
    for document, count in report.unregistered.items():
        _say(
            f"warning: source document {document!r} is cited by {count} event(s) but never "
            f"registered; register it with: reform-ledger record source.registered --item "
            f"{document} …"
        )
    _say(
        f"ok: {report.events} events, chain intact"
        + (f", extends {published}" if published else "")
    )
    typer.echo(report.digest)


@app.command()
def digest(ctx: typer.Context) -> None:
    """Print position:hash of the chain head, to publish and check later.

    Example: reform-ledger digest
    """
    from ledger import digest as head_digest

    with _store(ctx) as store:
        typer.echo(head_digest(store))


# -- report commands (report) ------------------------------------------------------------
@app.command()
def report(
    ctx: typer.Context,
    period: Annotated[
        str | None, typer.Option(help="One period: 2023-Q4, 2023-11 or 2023.")
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="First period of a series (with --to).")
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last period of a series.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or md,html.")] = "md,html",
    out: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("out"),
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    method: MethodOpt = None,
) -> None:
    """Render accountability reports (Markdown and HTML) for a period or a series.

    A series (--from/--to) writes one report per period plus index.md and index.html.

    Example: reform-ledger report --period 2023-Q4 --format md,html --out out
    """
    from reports import ReportError, render_period, render_series

    single, series = period is not None, first is not None or last is not None
    if single == series or (series and (first is None or last is None)):
        raise ReportError("give either --period, or both --from and --to")
    with _store(ctx) as store:
        if period is not None:
            written = render_period(
                store,
                period,
                formats=fmt,
                out=out,
                as_of=as_of,
                known_at=known_at,
                method=method,
            )
        else:
            if as_of or known_at:
                raise ReportError("--as-of and --known-at apply to one --period, not a series")
            with _progress("rendering reports", threshold=1) as progress:
                written = render_series(
                    store, first, last, formats=fmt, out=out, progress=progress, method=method
                )
    _say(f"{len(written)} file(s) written in {out}/ (unchanged files are left alone)")
    for path in written:
        typer.echo(str(path))


@app.command()
def publish(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder for the site.")] = Path("site"),
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    period: Annotated[str, typer.Option(help="Report period: month, quarter or year.")] = "quarter",
    since: Annotated[
        str | None, typer.Option(help="First period shown (default: where tracking starts).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Public URL of the site (og: metadata).")
    ] = None,
    title: Annotated[str, typer.Option(help="The site's title.")] = "Reform Ledger",
    period_only: Annotated[
        str | None,
        typer.Option(
            "--period-only",
            help="Write only this period's short report (periods/P.html and .md) and the "
            "pages of its long lists it links to, from a model of that period alone.",
        ),
    ] = None,
) -> None:
    """Publish the static site: home, item pages, period reports, feeds and data files.

    Only files whose bytes change are rewritten. With --period-only P, only period P's
    report is written, with the pages of its long lists (the same bytes the whole build
    writes for them).

    Example: reform-ledger publish --out site --base-url https://example.org/ledger/
    """
    from reports import publish_site
    from reports.site.publish import publish_period

    with _store(ctx) as store:
        if period_only is None:
            result = publish_site(
                store,
                out,
                as_of=as_of,
                known_at=known_at,
                period=period,
                since=since,
                base_url=base_url,
                title=title,
            )
            removed, page = f", {len(result.removed)} removed", out / "index.html"
        else:
            result = publish_period(
                store,
                out,
                period_only,
                as_of=as_of,
                known_at=known_at,
                kind=period,
                since=since,
                base_url=base_url,
                title=title,
            )
            removed, page = "", out / "periods" / f"{result.periods[0]}.html"
    _say(
        f"{len(result.written)} file(s) written, {result.unchanged} unchanged{removed} in "
        f"{out}/ (digest {result.digest}); open {page}"
    )
    for path in result.written:
        typer.echo(str(path))


# -- schedule commands (schedule add|list|remove|run) ----------------------------------------

#: The library names a schedule's fields; the command line names its options.
_SCHEDULE_OPTIONS = {
    "every": "--every",
    "at": "--at",
    "day": "--day",
    "formats": "--formats",
    "timezone": "--tz",
    "schedule_id": "--id",
}


@contextmanager
def _schedule_input() -> Iterator[None]:
    """Bad schedule input (exit 3), said in the command line's own terms."""
    from events import InvalidInput
    from reports import InvalidSchedule, UnknownSchedule

    try:
        yield
    except InvalidSchedule as error:
        option = _SCHEDULE_OPTIONS.get(error.field, error.field)
        where = option if error.value is None else f"{option} {error.value!r}"
        raise InvalidInput(error.reason, where=where) from None
    except UnknownSchedule as error:
        raise InvalidInput(f"{error}; see: reform-ledger schedule list") from None


@schedule_app.command("add")
def schedule_add(
    ctx: typer.Context,
    every: Annotated[str, typer.Option("--every", help="month, quarter or year.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the reports and their index.")],
    at: Annotated[str, typer.Option("--at", help="Time of day, HH:MM.")] = "06:00",
    day: Annotated[int, typer.Option("--day", help="Day (1-28) of the period's first month.")] = 1,
    formats: Annotated[
        str | None,
        typer.Option("--formats", help="md, html, site, or a list [default: md,html]."),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Publish the site into --out (instead of the period reports; with "
            "--formats md,html as well as them).",
        ),
    ] = False,
    schedule_id: Annotated[
        str | None, typer.Option("--id", help="Schedule id (default: monthly, quarterly, yearly).")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone of --at (default: this machine's).")
    ] = None,
) -> None:
    """Add a recurring report or site build, or replace the schedule with the same id.

    Each run renders the period(s) that ended before it: a quarterly schedule firing on
    1 April at 06:00 renders the first quarter. With --publish it publishes the site as of
    the end of the latest period due.

    Example: reform-ledger schedule add --every quarter --at 06:00 --out reports --id quarterly
    """
    from reports import add_schedule

    if publish:
        formats = f"{formats},site" if formats else "site"
    formats = formats or "md,html"
    with _store(ctx) as store, _schedule_input():
        options = {"at": at, "day": day, "formats": formats, "timezone": tz}
        info, replaced = add_schedule(
            store, every=every, out=out, schedule_id=schedule_id, **options
        )
    _say(
        f"schedule {info.schedule_id} {'replaced' if replaced else 'added'}: "
        f"{info.rule.describe()}, {','.join(info.formats)} into {info.out}; "
        f"next run {_when(info.next_run, info.rule.timezone)}"
    )


def _when(moment: Any, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


@schedule_app.command("list")
def schedule_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List schedules: id, rule, next run, last run and its result.

    Example: reform-ledger schedule list --json
    """
    from reports import list_schedules

    with _store(ctx) as store:
        schedules = list_schedules(store)
    if as_json:
        _print_json([info.to_dict() for info in schedules])
        return
    if not schedules:
        _say("no schedules (add one with: reform-ledger schedule add)")
        return
    table = _table("id", "rule", "formats", "out", "next run", "last run", "result")
    for info in schedules:
        table.add_row(*_schedule_row(info))
    _Screen().table(table)


def _schedule_row(info: Any) -> list[str]:
    last, zone = info.last_run, info.rule.timezone
    result = "-"
    if last is not None:
        periods = last.periods
        if len(periods) > 3:
            periods = [f"{periods[0]} … {periods[-1]}, {len(periods)} periods"]
        result = last.result + (f" ({', '.join(periods)})" if periods else "")
        result += f": {last.message}" if last.message else ""
    return [
        info.schedule_id,
        info.rule.describe(),
        ",".join(info.formats),
        str(info.out),
        _when(info.next_run, zone),
        _when(last and last.started_at, zone),
        result,
    ]


@schedule_app.command("remove")
def schedule_remove(
    ctx: typer.Context, schedule_id: Annotated[str, typer.Argument(metavar="ID")]
) -> None:
    """Remove a schedule and its run history; reports already written stay.

    Example: reform-ledger schedule remove quarterly
    """
    from reports import remove_schedule

    with _store(ctx) as store, _schedule_input():
        remove_schedule(store, schedule_id)
    _say(f"schedule {schedule_id} removed")


@schedule_app.command("run")
def schedule_run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Render whatever is due now, then exit (for cron).")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print errors only (cron mails what it prints).")
    ] = False,
) -> None:
    """Run the scheduler in the foreground; first renders every period missed while down.

    One scheduler per ledger. SIGINT or SIGTERM stops it after the report in flight. One
    line per file written, or per schedule with nothing due and when it next runs; exit 8
    when a run failed or another scheduler holds the ledger.

    Example: reform-ledger --db ledger.db schedule run --once
    """
    from reports import ScheduleError, run_pending, serve, stop_on_signals

    _log_to_stderr(timestamps=not once, quiet=quiet)
    if not once:
        gc.enable()  # a service runs for days: its garbage is collected (see main)
    with _store(ctx) as store, stop_on_signals() as stop:
        summary = run_pending(store, stop=stop) if once else serve(store, stop=stop)
    if summary.failed:
        ids = ", ".join(sorted({r.schedule_id for r in summary.failed}))
        raise ScheduleError(f"{len(summary.failed)} scheduled run(s) failed ({ids}); see above")
    if once and not summary.schedules and not quiet:
        _say("nothing due: no schedules (add one with: reform-ledger schedule add)")


def _log_to_stderr(*, timestamps: bool, quiet: bool = False) -> None:
    """The scheduler's log lines (``reform_ledger.*``) go to stderr, one line each."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(asctime)s %(message)s" if timestamps else "%(message)s"
    handler.setFormatter(logging.Formatter(fmt, "%Y-%m-%d %H:%M:%S"))
    logger = logging.getLogger("reform_ledger")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def _named(argv: list[str]) -> str | None:
    """The command ``argv`` plainly names: the first word past the root's ``--db`` option.
    None when a root option comes first (``--help``, ``--version``, the completion ones)
    or there is no word."""
    words = iter(argv)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("--db="):
            return None if word.startswith("-") else word
    return None


def _only(name: str | None) -> typer.Typer:
    """``app`` with only the command or group ``name`` when it is one of ours, else all of
    them: Typer builds a Click command from every registered function's signature on each
    run, and a run calls one (``record`` alone has some fifty options). What a run prints
    is the same: that command's help, usage errors and output; the root's help and an
    unknown command's "no such command" still see every command."""
    commands = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == name
    ]
    groups = [info for info in app.registered_groups if info.name == name]
    if not (commands or groups) or os.environ.get("_REFORM_LEDGER_COMPLETE"):
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    """Console-script entry point.

    Help and usage errors are drawn by rich (panels, colours) when a terminal reads them;
    piped, Click's plain layout says the same without loading rich's help machinery
    (``typer.rich_utils``: Markdown, tracebacks, syntax highlighting), which is most of what
    ``--help`` would cost. Only the command named is built (``_only``).

    The cyclic garbage collector is off while a command runs (the scheduler's service turns
    it back on): the libraries a command imports make some 30,000 objects that live until
    it exits, and the collector's passes over them (38 in a ``record``) free next to
    nothing (bulk work pauses it anyway: ``ledger.memory``). On the way out they
    are frozen, so the interpreter's last collections do not walk them again for memory
    the process returns whole.
    """
    if not (sys.stdout.isatty() or sys.stderr.isatty()):
        app.rich_markup_mode = schedule_app.rich_markup_mode = None
    gc.disable()
    try:
        _only(_named(sys.argv[1:]))(prog_name="reform-ledger")
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
