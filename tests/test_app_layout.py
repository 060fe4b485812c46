"""The module list and the versions list fit the terminal: at 80, 100, 120 and 160
columns every column shown fits, the Risk column is always there, no word is cut and no
horizontal scrollbar appears (tui.widgets.fit, module_layout, versions_layout)."""

from __future__ import annotations

import doctest
import itertools
import re

import pytest
from rich.cells import cell_len
from test_app import goto, main_screen, make, settle
from textual.widgets import DataTable

import tui.widgets.fit
from analysis.versions import ModuleVersions, VersionEntry
from tui.app import GomodxApp
from tui.widgets.details import VersionTable, versions_layout
from tui.widgets.fit import abbreviate_version, elide_path, fit_list, fit_words
from tui.widgets.module_table import ModuleTable, module_layout, row_cells
from tui.widgets.rows import ModuleRow

pytestmark = pytest.mark.anyio

SIZES = [(80, 24), (100, 30), (120, 40), (160, 40)]

FLAG_WORDS = {
    "retracted",
    "vulnerable",
    "deprecated",
    "excluded",
    "replaced",
    "pseudo",
    "prerelease",
    "+incompatible",
    "indirect",
    "changed",
    "undone",
    "main",
    "module",
    "selected",
    "latest",
    "unlisted",
}
GLYPHS = set("▲◆●✗†⊘⇄~β±·✓↶★?☠")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- the pieces --------------------------------------------------------------------------


def test_fit_doctests() -> None:
    assert doctest.testmod(tui.widgets.fit).failed == 0


def test_paths_lose_whole_middle_elements() -> None:
    path = "github.com/aws/aws-sdk-go-v2/service/s3"
    assert elide_path(path, 60) == path
    assert elide_path(path, 37) == "github.com/…/aws-sdk-go-v2/service/s3"
    assert elide_path(path, 36) == "github.com/…/service/s3"
    assert elide_path(path, 30) == "github.com/…/service/s3"
    assert elide_path(path, 16) == "github.com/…/s3"
    assert elide_path(path, 6) == "…/s3"
    assert elide_path("example.com/averyveryverylongname", 12) == "example.com…"


def test_versions_are_cut_only_after_a_dash_or_plus() -> None:
    assert abbreviate_version("v1.2.3", 4) == "v1.…"  # nothing better: the last resort
    assert abbreviate_version("v3.2.2+incompatible", 12) == "v3.2.2+…"
    assert abbreviate_version("v0.0.0-20240301120000-3b1f2a4c5d6e", 30) == (
        "v0.0.0-20240301120000-…"
    )
    assert abbreviate_version("v0.8.0-rc.1", 11) == "v0.8.0-rc.1"


def test_words_and_lists() -> None:
    assert fit_words("Rounding error in currency conversion.", 100).endswith("conversion.")
    assert fit_words("Rounding error in currency conversion.", 15) == "Rounding error…"
    assert fit_list(["a.b/c", "d.e/f"], 12) == "a.b/c, d.e/f"
    assert fit_list(["a.b/c", "d.e/f"], 10) == "a.b/c +1"
    assert fit_list(["a.b/c", "d.e/f"], 2) == "+2"


def test_the_table_gives_up_the_least_useful_first() -> None:
    rows = [
        ModuleRow("example.com/shop", "", main=True),
        ModuleRow(
            "github.com/aws/aws-sdk-go-v2/service/s3",
            "v0.0.0-20240301120000-3b1f2a4c5d6e",
            asked=12,
            risk="medium",
            pseudo=True,
            indirect=True,
            retracted=True,
        ),
    ]
    wide, _ = module_layout(rows, 200)
    assert (wide.notes, wide.asked, wide.risk_words) == ("words", "Asked", True)
    layouts = [module_layout(rows, w)[0] for w in range(200, 20, -1)]
    # Narrower never shows more; the Risk column is always there.
    notes_rank = {"words": 2, "glyphs": 1, "": 0}
    for wider, narrower in itertools.pairwise(layouts):
        assert notes_rank[narrower.notes] <= notes_rank[wider.notes]
        assert narrower.path <= wider.path and narrower.version <= wider.version
        assert "risk" in [key for _, key in narrower.columns()]
    for width in range(30, 200):
        layout, widths = module_layout(rows, width)
        assert sum(widths) + 2 * len(widths) <= width
        for cell, w in zip(row_cells(rows[1], layout), widths, strict=True):
            assert cell.cell_len <= w + 2  # and its padding


def test_versions_layout_keeps_tags_before_requirers() -> None:
    mv = ModuleVersions(
        "example.com/money",
        (
            VersionEntry("v1.4.0", requested_by=("example.com/pricing@v0.8.0-rc.1",)),
            VersionEntry(
                "v1.4.1",
                selected=True,
                retracted=True,
                rationale=("Rounding error in currency conversion.",),
                requested_by=("example.com/cart@v0.3.1", "example.com/shop"),
            ),
        ),
    )
    assert versions_layout(mv, 200).by_label == "Requested by"
    assert versions_layout(mv, 200).notes_width >= len("● selected ✗ retracted: Rounding")
    narrow = versions_layout(mv, 40)
    assert (narrow.notes, narrow.by_label) == ("words", "")
    tiny = versions_layout(mv, 20)
    assert (tiny.notes, tiny.by_label) == ("glyphs", "")


# -- the app at four widths -----------------------------------------------------------------


def check_table(table: DataTable[object], what: str) -> list[list[str]]:
    """No horizontal scrollbar, every column's heading and cells within its width;
    returns the rows' plain cells."""
    assert not table.show_horizontal_scrollbar, what
    assert table.virtual_size.width <= table.scrollable_content_region.width, what
    widths = {
        c.key: c.get_render_width(table) - 2 * table.cell_padding for c in table.columns.values()
    }
    for column in table.columns.values():
        assert column.label.cell_len <= widths[column.key], (what, column.label.plain)
        assert column.label.plain == f" {column.label.plain.strip()} "  # our padding
    out = []
    for row_key in table.rows:
        cells = table.get_row(row_key)
        plain = [str(c).strip() for c in cells]
        for key, cell in zip(table.columns, plain, strict=True):
            assert cell_len(cell) <= widths[key], (what, key, cell)
        out.append(plain)
    return out


def whole_words(text: str) -> bool:
    for token in text.split():
        token = token.rstrip(":")
        if token in GLYPHS or token in FLAG_WORDS:
            continue
        return False
    return True


def check_module_table(app: GomodxApp, what: str) -> None:
    table = app.screen.query_one(ModuleTable)
    keys = [c.value for c in table.columns]
    assert "risk" in keys, what
    region = table.scrollable_content_region
    assert sum(c.get_render_width(table) for c in table.columns.values()) <= region.width
    by_path = {r.path: r for r in table.rows_shown}
    for cells in check_table(table, what):
        path_cell = cells[0]
        row = next(
            (r for p, r in by_path.items() if p == path_cell or elide_path(p, 999) == path_cell),
            None,
        )
        if row is None:  # an elided path: whole elements only
            assert "/…/" in path_cell or path_cell.startswith("…/"), (what, path_cell)
        version = cells[1].split(" → ")[-1].removeprefix("→ ")
        assert re.fullmatch(r"v[0-9.]+(-[^ ]*|\+[^ ]*)?|\(main\)", version), (what, version)
        if version.endswith("…"):
            assert version[-2] in "-+", (what, version)
        if "flags" in keys:
            assert whole_words(cells[keys.index("flags")]), (what, cells)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_lists_fit_the_terminal(size: tuple[int, int]) -> None:
    app = make(prefetch=True)  # the badges that need version lists are shown too
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        check_module_table(app, f"{size} all")
        await pilot.press("c")
        await settle(pilot)
        check_module_table(app, f"{size} conflicts")
        await pilot.press("c")
        await settle(pilot)
        for path in ("example.com/money", "example.com/pricing", "example.com/yaml"):
            await goto(pilot, path)
            versions = app.screen.query_one(VersionTable)
            cells = check_table(versions, f"{size} {path} versions")
            for row in cells:
                notes = row[1]
                # The rationale may be cut between words (…), never inside one.
                tags, _, why = notes.partition(": ")
                assert whole_words(tags), (size, notes)
                assert not why or why.endswith(("…", ".")), (size, notes)
        if size[0] >= 120:
            assert main_screen(app).query_one(ModuleTable).columns_layout.asked == "Asked"


async def test_the_table_follows_a_resize() -> None:
    app = make(prefetch=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/money")
        table = app.screen.query_one(ModuleTable)
        assert table.columns_layout is not None and table.columns_layout.notes == "words"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        check_module_table(app, "resized to 80")
        assert table.columns_layout.notes != "words"
        assert table.current_path == "example.com/money"  # the cursor stays
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        assert table.columns_layout.notes == "words"
