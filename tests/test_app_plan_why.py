"""The app's preview says why each change happens (one reason per change line)."""

from __future__ import annotations

import re

import pytest
from test_app import SIZE, anyio_backend, choose_version, make, settle, text_of
from textual.widgets import Static

__all__ = ["anyio_backend"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.anyio


async def test_preview_gives_each_change_its_reason() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await choose_version(pilot, "example.com/pricing", "v0.7.2")
        assert screen.plan is not None
        why = {c.path: c.why for c in screen.plan.changes}
        assert why == {
            "example.com/cart": (
                "example.com/cart@v0.3.1 requires example.com/pricing@v0.8.0-rc.1,"
                " above the requested v0.7.2"
            ),
            "example.com/pricing": "requested: go get example.com/pricing@v0.7.2",
        }
        text = text_of(screen.query_one("#plan-text", Static))
        assert re.search(r"^\s*Change\s+Module\s+From\s+To\s+Why\s*$", text, re.M)
        assert re.search(
            r"^\s*▼ downgraded\s+example.com/pricing\s+v0.8.0-rc.1\s+v0.7.2\s+requested\s*$",
            text,
            re.M,
        )
        assert re.search(
            r"^\s*▼ downgraded\s+example.com/cart\s+v0.3.1\s+v0.3.0\s+"
            r"example.com/cart@v0.3.1 requires example.com/pricing@v0.8.0-rc.1,"
            r" above the requested v0.7.2\s*$",
            text,
            re.M,
        )
        # On the real 120-column screen the reason wraps inside its column.
        widget = screen.query_one("#plan-text", Static)
        lines = ["".join(seg.text for seg in line) for line in widget.render_lines(widget.region)]
        row = next(i for i, line in enumerate(lines) if "example.com/cart  " in line)
        assert "example.com/cart@v0.3.1 requires" in lines[row]
        column = " ".join(line.strip() for line in lines[row + 1 : row + 4])
        assert column.startswith("example.com/pricing@v0.8.0-rc.1, above the")
        assert "v0.7.2" in column
