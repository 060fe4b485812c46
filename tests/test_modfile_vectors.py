"""Go's own modfile test tables (golang.org/x/mod/modfile rule_test.go and read_test.go),
kept as data (extracted from x/mod at fe2ec04f, 2026-06-13) and run against analysis.modfile.

Inputs keep Go's raw-string layout; leading tabs are insignificant to the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from analysis import modfile
from analysis.errors import GomodxError, ModfileError
from analysis.module import ModuleVersion

ADD_REQUIRE: list[Any] = [
    {
        "desc": "existing",
        "in": """
module m
require x.y/z v1.2.3
""",
        "out": """
module m
require x.y/z v1.5.6
""",
        "path": "x.y/z",
        "vers": "v1.5.6",
    },
    {
        "desc": "existing2",
        "in": """
module m
require (
	x.y/z v1.2.3 // first
	x.z/a v0.1.0 // first-a
)
require x.y/z v1.4.5 // second
require (
	x.y/z v1.6.7 // third
	x.z/a v0.2.0 // third-a
)
""",
        "out": """
module m

require (
	x.y/z v1.8.9 // first
	x.z/a v0.1.0 // first-a
)

require x.z/a v0.2.0 // third-a
""",
        "path": "x.y/z",
        "vers": "v1.8.9",
    },
    {
        "desc": "new",
        "in": """
module m
require x.y/z v1.2.3
""",
        "out": """
module m
require (
	x.y/z v1.2.3
	x.y/w v1.5.6
)
""",
        "path": "x.y/w",
        "vers": "v1.5.6",
    },
    {
        "desc": "new2",
        "in": """
module m
require x.y/z v1.2.3
require x.y/q/v2 v2.3.4
""",
        "out": """
module m
require x.y/z v1.2.3
require (
	x.y/q/v2 v2.3.4
	x.y/w v1.5.6
)
""",
        "path": "x.y/w",
        "vers": "v1.5.6",
    },
    {
        "desc": "unattached_comments",
        "in": """
module m
require (
	foo v0.0.0-00010101000000-000000000000
	// bar v0.0.0-00010101000000-000000000000
)
""",
        "out": """
module m
require (
	foo v0.0.0-00010101000000-000000000000
	// bar v0.0.0-00010101000000-000000000000
)
""",
        "path": "foo",
        "vers": "v0.0.0-00010101000000-000000000000",
    },
]

SET_REQUIRE: list[Any] = [
    {
        "desc": "https://golang.org/issue/45932",
        "in": """module m
require (
	x.y/a v1.2.3 //indirect
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing",
        "in": """module m
require (
	x.y/b v1.2.3

	x.y/a v1.2.3
	x.y/d v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing_indirect",
        "in": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3 //
	x.y/c v1.2.3 //c
	x.y/d v1.2.3 //   c
	x.y/e v1.2.3 // indirect
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", True],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", True],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", True],
            ["x.y/g", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // indirect
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect; c
	x.y/d v1.2.3 // indirect; c
	x.y/e v1.2.3 // indirect
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
    },
    {
        "desc": "existing_multi",
        "in": """module m
require x.y/a v1.2.3
require x.y/b v1.2.3
require x.y/c v1.0.0 // not v1.2.3!
require x.y/d v1.2.3 // comment kept
require x.y/e v1.2.3 // comment kept
require x.y/f v1.2.3 // indirect
require x.y/g v1.2.3 // indirect
""",
        "mods": [
            ["x.y/h", "v1.2.3", False],
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", False],
            ["x.y/g", "v1.2.3", False],
        ],
        "out": """module m
require x.y/a v1.2.3

require x.y/b v1.2.3

require x.y/c v1.2.3 // not v1.2.3!

require x.y/d v1.2.3 // comment kept

require x.y/e v1.2.3 // indirect; comment kept

require x.y/f v1.2.3

require (
	x.y/g v1.2.3
	x.y/h v1.2.3
)
""",
    },
    {
        "desc": "existing_duplicate",
        "in": """module m
require (
	x.y/a v1.0.0 // zero
	x.y/a v1.1.0 // one
	x.y/a v1.2.3 // two
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_multi",
        "in": """module m
require x.y/a v1.0.0 // zero
require x.y/a v1.1.0 // one
require x.y/a v1.2.3 // two
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
]

SET_REQUIRE_SEPARATE_INDIRECT: list[Any] = [
    {
        "desc": "https://golang.org/issue/45932",
        "in": """module m
require (
	x.y/a v1.2.3 //indirect
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing",
        "in": """module m
require (
	x.y/b v1.2.3

	x.y/a v1.2.3
	x.y/d v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing_indirect",
        "in": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3 //
	x.y/c v1.2.3 //c
	x.y/d v1.2.3 //   c
	x.y/e v1.2.3 // indirect
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", True],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", True],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", True],
            ["x.y/g", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // indirect
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect; c
	x.y/d v1.2.3 // indirect; c
	x.y/e v1.2.3 // indirect
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
    },
    {
        "desc": "existing_line",
        "in": """module m
require x.y/a v1.0.0
require x.y/c v1.0.0 // indirect
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
)
require (
	x.y/c v1.2.3 // indirect
	x.y/d v1.2.3 // indirect
)""",
    },
    {
        "desc": "existing_multi",
        "in": """module m
require x.y/a v1.2.3
require x.y/b v1.2.3 // demoted to indirect
require x.y/c v1.0.0 // not v1.2.3!
require x.y/d v1.2.3 // comment kept
require x.y/e v1.2.3 // comment kept
require x.y/f v1.2.3 // indirect; promoted to direct
// promoted to direct
require x.y/g v1.2.3 // indirect
require x.y/i v1.2.3 // indirect
require x.y/j v1.2.3 // indirect
""",
        "mods": [
            ["x.y/h", "v1.2.3", False],
            ["x.y/i", "v1.2.3", True],
            ["x.y/j", "v1.2.3", True],
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", False],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", False],
            ["x.y/g", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/h v1.2.3
)
require x.y/b v1.2.3 // indirect; demoted to indirect
require x.y/c v1.2.3 // not v1.2.3!
require x.y/d v1.2.3 // comment kept
require x.y/e v1.2.3 // indirect; comment kept
require x.y/f v1.2.3 // promoted to direct
// promoted to direct
require x.y/g v1.2.3
require x.y/i v1.2.3 // indirect
require x.y/j v1.2.3 // indirect
""",
    },
    {
        "desc": "existing_duplicate",
        "in": """module m
require (
	x.y/a v1.0.0 // zero
	x.y/a v1.1.0 // one
	x.y/a v1.2.3 // two
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_multi",
        "in": """module m
require x.y/a v1.0.0 // zero
require x.y/a v1.1.0 // one
require x.y/a v1.2.3 // two
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_mix_indirect",
        "in": """module m
require (
	x.y/a v1.0.0 // zero
	x.y/a v1.1.0 // indirect; one
	x.y/a v1.2.3 // indirect; two
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_mix_direct",
        "in": """module m
require (
	x.y/a v1.0.0 // indirect; zero
	x.y/a v1.1.0 // one
	x.y/a v1.2.3 // two
)
""",
        "mods": [["x.y/a", "v1.2.3", False]],
        "out": """module m
require x.y/a v1.2.3 // zero
""",
    },
    {
        "desc": "add_indirect_after_last_direct",
        "in": """module m
require (
	x.y/a v1.0.0 // comment a preserved
	x.y/d v1.0.0 // comment d preserved
)
require (
	x.y/b v1.0.0 // comment b preserved
	x.y/e v1.0.0 // comment e preserved
)
go 1.17
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", False],
            ["x.y/f", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // comment a preserved
	x.y/d v1.2.3 // comment d preserved
)
require (
	x.y/b v1.2.3 // comment b preserved
	x.y/e v1.2.3 // comment e preserved
)
require (
	x.y/c v1.2.3 // indirect
	x.y/f v1.2.3 // indirect
)
go 1.17
""",
    },
    {
        "desc": "add_direct_before_first_indirect",
        "in": """module m
require (
	x.y/b v1.0.0 // indirect; comment b preserved
	x.y/e v1.0.0 // indirect; comment d preserved
)
require (
	x.y/c v1.0.0 // indirect; comment c preserved
	x.y/f v1.0.0 // indirect; comment e preserved
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/b v1.2.3 // indirect; comment b preserved
	x.y/e v1.2.3 // indirect; comment d preserved
)
require (
	x.y/c v1.2.3 // indirect; comment c preserved
	x.y/f v1.2.3 // indirect; comment e preserved
)
require (
	x.y/a v1.2.3
	x.y/d v1.2.3
)
""",
    },
    {
        "desc": "add_indirect_after_mixed",
        "in": """module m
require (
	x.y/a v1.0.0
	x.y/b v1.0.0 // indirect
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect
	x.y/e v1.2.3 // indirect
)
""",
    },
    {
        "desc": "preserve_block_comment_indirect_to_direct",
        "in": """module m
// save
require (
	x.y/a v1.2.3 // indirect
)
""",
        "mods": [["x.y/a", "v1.2.3", False]],
        "out": """module m

// save
require x.y/a v1.2.3
""",
    },
    {
        "desc": "preserve_block_comment_direct_to_indirect",
        "in": """module m
// save
require (
	x.y/a v1.2.3
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m

// save
require x.y/a v1.2.3 // indirect
""",
    },
    {
        "desc": "regroup_flat_uncommented_block",
        "in": """module m
require (
	x.y/a v1.0.0 // a
	x.y/b v1.0.0 // indirect; b
	x.y/c v1.0.0 // indirect
)""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // a
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect; b
	x.y/c v1.2.3 // indirect
)""",
    },
    {
        "desc": "dont_regroup_flat_commented_block",
        "in": """module m
// dont regroup
require (
	x.y/a v1.0.0
	x.y/b v1.0.0 // indirect
	x.y/c v1.0.0 // indirect
)""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
        ],
        "out": """module m
// dont regroup
require (
	x.y/a v1.2.3
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect
)
require x.y/d v1.2.3""",
    },
]

SET_REQUIRE_SIMPLIFY: list[Any] = [
    {
        "desc": "https://golang.org/issue/45932",
        "in": """module m
require (
	x.y/a v1.2.3 //indirect
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing",
        "in": """module m
require (
	x.y/b v1.2.3

	x.y/a v1.2.3
	x.y/d v1.2.3
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
	x.y/c v1.2.3
)
""",
    },
    {
        "desc": "existing_indirect",
        "in": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3 //
	x.y/c v1.2.3 //c
)
require (
	x.y/d v1.2.3 //   c
	x.y/e v1.2.3 // indirect
)
require (
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", True],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", True],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", True],
            ["x.y/g", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // indirect
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect; c
	x.y/d v1.2.3 // indirect; c
	x.y/e v1.2.3 // indirect
	x.y/f v1.2.3 //indirect
	x.y/g v1.2.3 //	indirect
)
""",
    },
    {
        "desc": "existing_line",
        "in": """module m
require x.y/a v1.0.0
require x.y/c v1.0.0 // indirect
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/b v1.2.3
)
require (
	x.y/c v1.2.3 // indirect
	x.y/d v1.2.3 // indirect
)""",
    },
    {
        "desc": "existing_multi",
        "in": """module m
require x.y/a v1.2.3
require x.y/b v1.2.3 // demoted to indirect
require x.y/c v1.0.0 // not v1.2.3!
require x.y/d v1.2.3 // comment kept
require x.y/e v1.2.3 // comment kept
require x.y/f v1.2.3 // indirect; promoted to direct
// promoted to direct
require x.y/g v1.2.3 // indirect
require x.y/i v1.2.3 // indirect
require x.y/j v1.2.3 // indirect
""",
        "mods": [
            ["x.y/h", "v1.2.3", False],
            ["x.y/i", "v1.2.3", True],
            ["x.y/j", "v1.2.3", True],
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", False],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", False],
            ["x.y/g", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/c v1.2.3 // not v1.2.3!
	x.y/d v1.2.3 // comment kept
	x.y/f v1.2.3 // promoted to direct
	// promoted to direct
	x.y/g v1.2.3
	x.y/h v1.2.3
)
require (
	x.y/b v1.2.3 // indirect; demoted to indirect
	x.y/e v1.2.3 // indirect; comment kept
	x.y/i v1.2.3 // indirect
	x.y/j v1.2.3 // indirect
)
""",
    },
    {
        "desc": "existing_duplicate",
        "in": """module m
require (
	x.y/a v1.0.0 // zero
	x.y/a v1.1.0 // one
	x.y/a v1.2.3 // two
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_multi",
        "in": """module m
require x.y/a v1.0.0 // zero
require x.y/a v1.1.0 // one
require x.y/a v1.2.3 // two
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_mix_indirect",
        "in": """module m
require (
	x.y/a v1.0.0 // zero
	x.y/a v1.1.0 // indirect; one
	x.y/a v1.2.3 // indirect; two
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m
require x.y/a v1.2.3 // indirect; zero
""",
    },
    {
        "desc": "existing_duplicate_mix_direct",
        "in": """module m
require (
	x.y/a v1.0.0 // indirect; zero
	x.y/a v1.1.0 // one
	x.y/a v1.2.3 // two
)
""",
        "mods": [["x.y/a", "v1.2.3", False]],
        "out": """module m
require x.y/a v1.2.3 // zero
""",
    },
    {
        "desc": "add_indirect_after_last_direct",
        "in": """module m
require (
	x.y/a v1.0.0 // comment a preserved
	x.y/d v1.0.0 // comment d preserved
)
require (
	x.y/b v1.0.0 // comment b preserved
	x.y/e v1.0.0 // comment e preserved
)
go 1.17
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", False],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", False],
            ["x.y/f", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // comment a preserved
	x.y/b v1.2.3 // comment b preserved
	x.y/d v1.2.3 // comment d preserved
	x.y/e v1.2.3 // comment e preserved
)
require (
	x.y/c v1.2.3 // indirect
	x.y/f v1.2.3 // indirect
)
go 1.17
""",
    },
    {
        "desc": "add_direct_before_first_indirect",
        "in": """module m
require (
	x.y/b v1.0.0 // indirect; comment b preserved
	x.y/e v1.0.0 // indirect; comment d preserved
)
require (
	x.y/c v1.0.0 // indirect; comment c preserved
	x.y/f v1.0.0 // indirect; comment e preserved
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
            ["x.y/f", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect; comment b preserved
	x.y/c v1.2.3 // indirect; comment c preserved
	x.y/e v1.2.3 // indirect; comment d preserved
	x.y/f v1.2.3 // indirect; comment e preserved
)
""",
    },
    {
        "desc": "add_indirect_after_mixed",
        "in": """module m
require (
	x.y/a v1.0.0
	x.y/b v1.0.0 // indirect
)
""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
            ["x.y/e", "v1.2.3", True],
        ],
        "out": """module m
require (
	x.y/a v1.2.3
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect
	x.y/e v1.2.3 // indirect
)
""",
    },
    {
        "desc": "preserve_block_comment_indirect_to_direct",
        "in": """module m
// save
require (
	x.y/a v1.2.3 // indirect
)
""",
        "mods": [["x.y/a", "v1.2.3", False]],
        "out": """module m

// save
require x.y/a v1.2.3
""",
    },
    {
        "desc": "preserve_block_comment_direct_to_indirect",
        "in": """module m
// save
require (
	x.y/a v1.2.3
)
""",
        "mods": [["x.y/a", "v1.2.3", True]],
        "out": """module m

// save
require x.y/a v1.2.3 // indirect
""",
    },
    {
        "desc": "regroup_flat_uncommented_block",
        "in": """module m
require (
	x.y/a v1.0.0 // a
	x.y/b v1.0.0 // indirect; b
	x.y/c v1.0.0 // indirect
)""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
        ],
        "out": """module m
require (
	x.y/a v1.2.3 // a
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect; b
	x.y/c v1.2.3 // indirect
)""",
    },
    {
        "desc": "dont_regroup_flat_commented_block",
        "in": """module m
// dont regroup
require (
	x.y/a v1.0.0
	x.y/b v1.0.0 // indirect
	x.y/c v1.0.0 // indirect
)""",
        "mods": [
            ["x.y/a", "v1.2.3", False],
            ["x.y/b", "v1.2.3", True],
            ["x.y/c", "v1.2.3", True],
            ["x.y/d", "v1.2.3", False],
        ],
        "out": """module m
// dont regroup
require (
	x.y/a v1.2.3
	x.y/d v1.2.3
)
require (
	x.y/b v1.2.3 // indirect
	x.y/c v1.2.3 // indirect
)""",
    },
]

ADD_GO: list[Any] = [
    {
        "desc": "module_only",
        "in": """module m
""",
        "out": """module m
go 1.14
""",
        "version": "1.14",
    },
    {
        "desc": "module_before_require",
        "in": """module m
require x.y/a v1.2.3
""",
        "out": """module m
go 1.14
require x.y/a v1.2.3
""",
        "version": "1.14",
    },
    {
        "desc": "require_before_module",
        "in": """require x.y/a v1.2.3
module example.com/inverted
""",
        "out": """require x.y/a v1.2.3
module example.com/inverted
go 1.14
""",
        "version": "1.14",
    },
    {
        "desc": "require_only",
        "in": """require x.y/a v1.2.3
""",
        "out": """require x.y/a v1.2.3
go 1.14
""",
        "version": "1.14",
    },
]

DROP_GO: list[Any] = [
    {
        "desc": "module_only",
        "in": """module m
go 1.14
""",
        "out": """module m
""",
    },
    {
        "desc": "module_before_require",
        "in": """module m
go 1.14
require x.y/a v1.2.3
""",
        "out": """module m
require x.y/a v1.2.3
""",
    },
    {
        "desc": "require_before_module",
        "in": """require x.y/a v1.2.3
module example.com/inverted
go 1.14
""",
        "out": """require x.y/a v1.2.3
module example.com/inverted
""",
    },
    {
        "desc": "require_only",
        "in": """require x.y/a v1.2.3
go 1.14
""",
        "out": """require x.y/a v1.2.3
""",
    },
]

ADD_TOOLCHAIN: list[Any] = [
    {
        "desc": "empty",
        "in": "",
        "out": """toolchain go1.17
""",
        "version": "go1.17",
    },
    {
        "desc": "aftergo",
        "in": """// this is a comment
require x v1.0.0

go 1.17

require y v1.0.0
""",
        "out": """// this is a comment
require x v1.0.0

go 1.17

toolchain go1.17

require y v1.0.0
""",
        "version": "go1.17",
    },
    {
        "desc": "already_have_toolchain",
        "in": """go 1.17

toolchain go1.18
""",
        "out": """go 1.17

toolchain go1.19
""",
        "version": "go1.19",
    },
]

DROP_TOOLCHAIN: list[Any] = [
    {
        "desc": "empty",
        "in": """toolchain go1.17
""",
        "out": "",
    },
    {
        "desc": "aftergo",
        "in": """// this is a comment
require x v1.0.0

go 1.17

toolchain go1.17

require y v1.0.0
""",
        "out": """// this is a comment
require x v1.0.0

go 1.17

require y v1.0.0
""",
    },
    {
        "desc": "already_have_toolchain",
        "in": """go 1.17

toolchain go1.18
""",
        "out": """go 1.17
""",
    },
]

ADD_EXCLUDE: list[Any] = [
    {
        "desc": "compatible",
        "in": """module m
""",
        "out": """module m
exclude example.com v1.2.3
""",
        "path": "example.com",
        "version": "v1.2.3",
    },
    {
        "desc": "gopkg.in v0",
        "in": """module m
""",
        "out": """module m
exclude gopkg.in/foo.v0 v0.2.3
""",
        "path": "gopkg.in/foo.v0",
        "version": "v0.2.3",
    },
    {
        "desc": "gopkg.in v1",
        "in": """module m
""",
        "out": """module m
exclude gopkg.in/foo.v1 v1.2.3
""",
        "path": "gopkg.in/foo.v1",
        "version": "v1.2.3",
    },
]

ADD_RETRACT: list[Any] = [
    {
        "desc": "new_singleton",
        "high": "v1.2.3",
        "in": """module m
""",
        "low": "v1.2.3",
        "out": """module m
retract v1.2.3
""",
        "rationale": "",
    },
    {
        "desc": "new_interval",
        "high": "v1.1.0",
        "in": """module m
""",
        "low": "v1.0.0",
        "out": """module m
retract [v1.0.0, v1.1.0]""",
        "rationale": "",
    },
    {
        "desc": "duplicate_with_rationale",
        "high": "v1.2.3",
        "in": """module m
retract v1.2.3
""",
        "low": "v1.2.3",
        "out": """module m
retract (
	v1.2.3
	// bad
	v1.2.3
)
""",
        "rationale": "bad",
    },
    {
        "desc": "duplicate_multiline_rationale",
        "high": "v1.2.3",
        "in": """module m
retract [v1.2.3, v1.2.3]
""",
        "low": "v1.2.3",
        "out": """module m
retract	(
	[v1.2.3, v1.2.3]
	// multi
	// line
	v1.2.3
)
""",
        "rationale": """multi
line""",
    },
    {
        "desc": "duplicate_interval",
        "high": "v1.1.0",
        "in": """module m
retract [v1.0.0, v1.1.0]
""",
        "low": "v1.0.0",
        "out": """module m
retract (
	[v1.0.0, v1.1.0]
	[v1.0.0, v1.1.0]
)
""",
        "rationale": "",
    },
    {
        "desc": "duplicate_singleton",
        "high": "v1.2.3",
        "in": """module m
retract v1.2.3
""",
        "low": "v1.2.3",
        "out": """module m
retract	(
	v1.2.3
	v1.2.3
)
""",
        "rationale": "",
    },
]

DROP_RETRACT: list[Any] = [
    {
        "desc": "singleton_no_match",
        "high": "v1.0.0",
        "in": """module m
retract v1.2.3
""",
        "low": "v1.0.0",
        "out": """module m
retract v1.2.3
""",
    },
    {
        "desc": "singleton_match_one",
        "high": "v1.2.3",
        "in": """module m
retract v1.2.2
retract v1.2.3
retract v1.2.4
""",
        "low": "v1.2.3",
        "out": """module m
retract v1.2.2
retract v1.2.4
""",
    },
    {
        "desc": "singleton_match_all",
        "high": "v1.2.3",
        "in": """module m
retract v1.2.3 // first
retract v1.2.3 // second
""",
        "low": "v1.2.3",
        "out": """module m
""",
    },
    {
        "desc": "interval_match",
        "high": "v1.2.3",
        "in": """module m
retract [v1.2.3, v1.2.3]
""",
        "low": "v1.2.3",
        "out": """module m
""",
    },
    {
        "desc": "interval_superset_no_match",
        "high": "v1.2.0",
        "in": """module m
retract [v1.0.0, v1.1.0]
""",
        "low": "v1.0.0",
        "out": """module m
retract [v1.0.0, v1.1.0]
""",
    },
    {
        "desc": "singleton_match_middle",
        "high": "v1.2.3",
        "in": """module m
retract v1.2.3
""",
        "low": "v1.2.3",
        "out": """module m
""",
    },
    {
        "desc": "interval_match_middle_block",
        "high": "v1.2.0",
        "in": """module m
retract (
	v1.0.0
	[v1.1.0, v1.2.0]
	v1.3.0
)
""",
        "low": "v1.1.0",
        "out": """module m
retract (
	v1.0.0
	v1.3.0
)
""",
    },
    {
        "desc": "interval_match_all",
        "high": "v1.1.0",
        "in": """module m
retract [v1.0.0, v1.1.0]
retract [v1.0.0, v1.1.0]
""",
        "low": "v1.0.0",
        "out": """module m
""",
    },
]

RETRACT_RATIONALE: list[Any] = [
    {
        "desc": "no_comment",
        "in": """module m
retract v1.0.0""",
        "want": "",
    },
    {
        "desc": "prefix_one",
        "in": """module m
//   prefix
retract v1.0.0
""",
        "want": "prefix",
    },
    {
        "desc": "prefix_multiline",
        "in": """module m
//  one
//
//     two
//
// three
retract v1.0.0""",
        "want": """one

two

three""",
    },
    {
        "desc": "suffix",
        "in": """module m
retract v1.0.0 // suffix
""",
        "want": "suffix",
    },
    {
        "desc": "prefix_suffix_after",
        "in": """module m
// prefix
retract v1.0.0 // suffix
""",
        "want": """prefix
suffix""",
    },
    {
        "desc": "block_only",
        "in": """// block
retract (
	v1.0.0
)
""",
        "want": "block",
    },
    {
        "desc": "block_and_line",
        "in": """// block
retract (
	// line
	v1.0.0
)
""",
        "want": "line",
    },
]

MODULE_DEPRECATED: list[Any] = [
    {"desc": "no_comment", "in": "module m", "want": ""},
    {
        "desc": "other_comment",
        "in": """// yo
module m""",
        "want": "",
    },
    {
        "desc": "deprecated_no_colon",
        "in": """//Deprecated
module m""",
        "want": "",
    },
    {
        "desc": "deprecated_no_space",
        "in": """//Deprecated:blah
module m""",
        "want": "blah",
    },
    {
        "desc": "deprecated_simple",
        "in": """// Deprecated: blah
module m""",
        "want": "blah",
    },
    {
        "desc": "deprecated_lowercase",
        "in": """// deprecated: blah
module m""",
        "want": "",
    },
    {
        "desc": "deprecated_multiline",
        "in": """// Deprecated: one
// two
module m""",
        "want": """one
two""",
    },
    {
        "desc": "deprecated_mixed",
        "in": """// some other comment
// Deprecated: blah
module m""",
        "want": "",
    },
    {
        "desc": "deprecated_middle",
        "in": """// module m is Deprecated: blah
module m""",
        "want": "",
    },
    {
        "desc": "deprecated_multiple",
        "in": """// Deprecated: a
// Deprecated: b
module m""",
        "want": """a
Deprecated: b""",
    },
    {
        "desc": "deprecated_paragraph",
        "in": """// Deprecated: a
// b
//
// c
module m""",
        "want": """a
b""",
    },
    {
        "desc": "deprecated_paragraph_space",
        "in": """// Deprecated: the next line has a space
//
// c
module m""",
        "want": "the next line has a space",
    },
    {"desc": "deprecated_suffix", "in": "module m // Deprecated: blah", "want": "blah"},
    {
        "desc": "deprecated_mixed_suffix",
        "in": """// some other comment
module m // Deprecated: blah""",
        "want": "",
    },
    {
        "desc": "deprecated_mixed_suffix_paragraph",
        "in": """// some other comment
//
module m // Deprecated: blah""",
        "want": "blah",
    },
    {
        "desc": "deprecated_block",
        "in": """// Deprecated: blah
module (
	m
)""",
        "want": "blah",
    },
]

SORT_BLOCKS: list[Any] = [
    {
        "desc": "exclude_duplicates_removed",
        "in": """module m
exclude x.y/z v1.0.0 // a
exclude x.y/z v1.0.0 // b
exclude (
	x.y/w v1.1.0
	x.y/z v1.0.0 // c
)
""",
        "out": """module m
exclude x.y/z v1.0.0 // a
exclude (
	x.y/w v1.1.0
)""",
        "strict": True,
    },
    {
        "desc": "replace_duplicates_removed",
        "in": """module m
replace x.y/z v1.0.0 => ./a
replace x.y/z v1.1.0 => ./b
replace (
	x.y/z v1.0.0 => ./c
)
""",
        "out": """module m
replace x.y/z v1.1.0 => ./b
replace (
	x.y/z v1.0.0 => ./c
)
""",
        "strict": True,
    },
    {
        "desc": "retract_duplicates_not_removed",
        "in": """module m
// block
retract (
	v1.0.0 // one
	v1.0.0 // two
)""",
        "out": """module m
// block
retract (
	v1.0.0 // one
	v1.0.0 // two
)""",
        "strict": True,
    },
    {
        "desc": "sort_lexicographically",
        "in": """module m
sort (
	aa
	cc
	bb
	zz
	v1.2.0
	v1.11.0
)""",
        "out": """module m
sort (
	aa
	bb
	cc
	v1.11.0
	v1.2.0
	zz
)
""",
        "strict": False,
    },
    {
        "desc": "sort_retract",
        "in": """module m
retract (
	[v1.2.0, v1.3.0]
	[v1.1.0, v1.3.0]
	[v1.1.0, v1.2.0]
	v1.0.0
	v1.1.0
	v1.2.0
	v1.3.0
	v1.4.0
)
""",
        "out": """module m
retract (
	v1.4.0
	v1.3.0
	[v1.2.0, v1.3.0]
	v1.2.0
	[v1.1.0, v1.3.0]
	[v1.1.0, v1.2.0]
	v1.1.0
	v1.0.0
)
""",
        "strict": False,
    },
    {
        "desc": "sort_exclude_go121_semver",
        "in": """module m
go 1.21
exclude (
	b.example/m v0.9.0
	a.example/m v1.0.0
	b.example/m v0.10.0
	c.example/m v1.1.0
	b.example/m v0.11.0
)""",
        "out": """module m
go 1.21
exclude (
	a.example/m v1.0.0
	b.example/m v0.9.0
	b.example/m v0.10.0
	b.example/m v0.11.0
	c.example/m v1.1.0
)
""",
        "strict": True,
    },
    {
        "desc": "sort_exclude_!go121_lexicographically",
        "in": """module m
exclude (
	b.example/m v0.9.0
	a.example/m v1.0.0
	b.example/m v0.10.0
	c.example/m v1.1.0
	b.example/m v0.11.0
)""",
        "out": """module m
exclude (
	a.example/m v1.0.0
	b.example/m v0.10.0
	b.example/m v0.11.0
	b.example/m v0.9.0
	c.example/m v1.1.0
)
""",
        "strict": True,
    },
]

ADD_RETRACT_VALIDATE_VERSION: list[Any] = [
    {
        "desc": "blank_version",
        "high": "",
        "low": "",
        "path": "example.com/m",
        "wantErr": 'version "" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "missing prefix",
        "high": "1.0.0",
        "low": "1.0.0",
        "path": "example.com/m",
        "wantErr": 'version "1.0.0" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "non-canonical",
        "high": "v1.2",
        "low": "v1.2",
        "path": "example.com/m",
        "wantErr": 'version "v1.2" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "invalid range",
        "high": "v1.3",
        "low": "v1.2.3",
        "path": "example.com/m",
        "wantErr": 'version "v1.3" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "mismatched major",
        "high": "v1.0.0",
        "low": "v1.0.0",
        "path": "example.com/m/v2",
        "wantErr": 'version "v1.0.0" invalid: should be v2, not v1',
    },
    {
        "desc": "missing +incompatible",
        "high": "v2.0.0",
        "low": "v2.0.0",
        "path": "example.com/m",
        "wantErr": 'version "v2.0.0" invalid: should be v2.0.0+incompatible (or module example.com/m/v2)',
    },
]

ADD_EXCLUDE_VALIDATE_VERSION: list[Any] = [
    {
        "desc": "blank version",
        "path": "example.com/m",
        "version": "",
        "wantErr": 'version "" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "missing prefix",
        "path": "example.com/m",
        "version": "1.0.0",
        "wantErr": 'version "1.0.0" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "non-canonical",
        "path": "example.com/m",
        "version": "v1.2",
        "wantErr": 'version "v1.2" invalid: must be of the form v1.2.3',
    },
    {
        "desc": "mismatched major",
        "path": "example.com/m/v2",
        "version": "v1.2.3",
        "wantErr": 'version "v1.2.3" invalid: should be v2, not v1',
    },
    {
        "desc": "missing +incompatible",
        "path": "example.com/m",
        "version": "v2.3.4",
        "wantErr": 'version "v2.3.4" invalid: should be v2.3.4+incompatible (or module example.com/m/v2)',
    },
]

FIX_VERSION: list[Any] = [
    {
        "desc": "require",
        "in": "require example.com/m 1.0.0",
        "want": "require example.com/m v1.0.0",
        "wantErr": "",
    },
    {
        "desc": "replace",
        "in": "replace example.com/m 1.0.0 => example.com/m 1.1.0",
        "want": "replace example.com/m v1.0.0 => example.com/m v1.1.0",
        "wantErr": "",
    },
    {
        "desc": "replace_version_in_path",
        "in": "replace example.com/m@v1.0.0 => example.com/m@v1.1.0",
        "want": "",
        "wantErr": "replacement module must match format 'path version', not 'path@version'",
    },
    {
        "desc": "replace_version_in_later_path",
        "in": "replace example.com/m => example.com/m@v1.1.0",
        "want": "",
        "wantErr": "replacement module must match format 'path version', not 'path@version'",
    },
    {
        "desc": "exclude",
        "in": "exclude example.com/m 1.0.0",
        "want": "exclude example.com/m v1.0.0",
        "wantErr": "",
    },
    {
        "desc": "retract_single",
        "in": """module example.com/m
retract 1.0.0""",
        "want": """module example.com/m
retract v1.0.0""",
        "wantErr": "",
    },
    {
        "desc": "retract_interval",
        "in": """module example.com/m
retract [1.0.0, 1.1.0]""",
        "want": """module example.com/m
retract [v1.0.0, v1.1.0]""",
        "wantErr": "",
    },
    {
        "desc": "retract_nomod",
        "in": "retract 1.0.0",
        "want": "",
        "wantErr": "in:1: no module directive found, so retract cannot be used",
    },
]

ADD_GODEBUG: list[Any] = [
    {
        "desc": "existing",
        "in": """
module m
godebug key=old
""",
        "key": "key",
        "out": """
module m
godebug key=new
""",
        "value": "new",
    },
    {
        "desc": "existing2",
        "in": """
module m
godebug (
	key=first // first
	other=first-a // first-a
)
godebug key=second // second
godebug (
	key=third // third
	other=third-a // third-a
)
""",
        "key": "key",
        "out": """
module m

godebug (
	key=new // first
	other=first-a// first-a
)

godebug other=third-a // third-a
""",
        "value": "new",
    },
    {
        "desc": "new",
        "in": """
module m
godebug other=foo
""",
        "key": "key",
        "out": """
module m
godebug (
	other=foo
	key=new
)
""",
        "value": "new",
    },
    {
        "desc": "new2",
        "in": """
module m
godebug first=1
godebug second=2
""",
        "key": "third",
        "out": """
module m
godebug first=1
godebug (
	second=2
	third=3
)
""",
        "value": "3",
    },
]

DROP_GODEBUG: list[Any] = [
    {
        "desc": "existing",
        "in": """
module m
godebug key=old
""",
        "key": "key",
        "out": """
module m
""",
    },
    {
        "desc": "existing2",
        "in": """
module m
godebug (
	key=first // first
	other=first-a // first-a
)
godebug key=second // second
godebug (
	key=third // third
	other=third-a // third-a
)
""",
        "key": "key",
        "out": """
module m

godebug other=first-a// first-a

godebug other=third-a // third-a
""",
    },
    {
        "desc": "new",
        "in": """
module m
godebug other=foo
""",
        "key": "key",
        "out": """
module m
godebug other=foo
""",
    },
]

ADD_TOOL: list[Any] = [
    {
        "desc": "add_first",
        "in": "module example.com/m",
        "path": "example.com/tool/v1",
        "want": """module example.com/m
tool example.com/tool/v1""",
    },
    {
        "desc": "sorted_correctly",
        "in": """module example.com/m
tool example.com/tool2
""",
        "path": "example.com/tool1",
        "want": """module example.com/m
tool (
	example.com/tool1
	example.com/tool2
)""",
    },
    {
        "desc": "duplicates_ignored",
        "in": """module example.com/m
tool example.com/tool1
""",
        "path": "example.com/tool1",
        "want": """module example.com/m
tool example.com/tool1""",
    },
]

DROP_TOOL: list[Any] = [
    {
        "desc": "only",
        "in": """module example.com/m
tool example.com/tool1""",
        "path": "example.com/tool1",
        "want": "module example.com/m",
    },
    {
        "desc": "parenthesized",
        "in": """module example.com/m
tool (
	example.com/tool1
	example.com/tool2
)""",
        "path": "example.com/tool1",
        "want": """module example.com/m
tool example.com/tool2""",
    },
    {
        "desc": "missing",
        "in": """module example.com/m
tool (
example.com/tool2
)""",
        "path": "example.com/tool1",
        "want": """module example.com/m
tool example.com/tool2""",
    },
]

ADD_IGNORE: list[Any] = [
    {
        "desc": "add_first",
        "in": "module example.com/m",
        "path": "foo/bar",
        "want": """module example.com/m
ignore foo/bar""",
    },
    {
        "desc": "sorted_correctly",
        "in": """module example.com/m
ignore foo/bar
""",
        "path": "./foo/bar/path",
        "want": """module example.com/m
ignore (
	./foo/bar/path
	foo/bar
)""",
    },
    {
        "desc": "duplicates_ignored",
        "in": """module example.com/m
ignore foo/bar
""",
        "path": "foo/bar",
        "want": """module example.com/m
ignore foo/bar""",
    },
]

DROP_IGNORE: list[Any] = [
    {
        "desc": "only",
        "in": """module example.com/m
ignore foo/bar""",
        "path": "foo/bar",
        "want": "module example.com/m",
    },
    {
        "desc": "parenthesized",
        "in": """module example.com/m
ignore (
	./foo/bar
	foo/bar
)""",
        "path": "foo/bar",
        "want": """module example.com/m
ignore ./foo/bar""",
    },
    {
        "desc": "missing",
        "in": """module example.com/m
ignore (
foo/bar
)""",
        "path": "./foo/bar",
        "want": """module example.com/m
ignore foo/bar""",
    },
]

MODULE_PATH: list[Any] = [
    ['module "github.com/rsc/vgotest"', "github.com/rsc/vgotest"],
    ["module github.com/rsc/vgotest", "github.com/rsc/vgotest"],
    ['module  "github.com/rsc/vgotest"', "github.com/rsc/vgotest"],
    ["module  github.com/rsc/vgotest", "github.com/rsc/vgotest"],
    ["module `github.com/rsc/vgotest`", "github.com/rsc/vgotest"],
    ['module "github.com/rsc/vgotest/v2"', "github.com/rsc/vgotest/v2"],
    ["module github.com/rsc/vgotest/v2", "github.com/rsc/vgotest/v2"],
    ['module "gopkg.in/yaml.v2"', "gopkg.in/yaml.v2"],
    ["module gopkg.in/yaml.v2", "gopkg.in/yaml.v2"],
    ['module "gopkg.in/check.v1"\n', "gopkg.in/check.v1"],
    ['module "gopkg.in/check.v1\n"', ""],
    ["module gopkg.in/check.v1\n", "gopkg.in/check.v1"],
    ['module "gopkg.in/check.v1"\r\n', "gopkg.in/check.v1"],
    ["module gopkg.in/check.v1\r\n", "gopkg.in/check.v1"],
    ['module "gopkg.in/check.v1"\n\n', "gopkg.in/check.v1"],
    ["module gopkg.in/check.v1\n\n", "gopkg.in/check.v1"],
    ['module \n"gopkg.in/check.v1"\n\n', ""],
    ["module \ngopkg.in/check.v1\n\n", ""],
    ['module "gopkg.in/check.v1"asd', ""],
    ['module \n"gopkg.in/check.v1"\n\n', ""],
    ["module \ngopkg.in/check.v1\n\n", ""],
    ['module "gopkg.in/check.v1"asd', ""],
    ["module  \nmodule a/b/c ", "a/b/c"],
    ['module "   "', "   "],
    ["module   ", ""],
    ['module "  a/b/c  "', "  a/b/c  "],
    ['module "github.com/rsc/vgotest1" // with a comment', "github.com/rsc/vgotest1"],
]

# ---------------------------------------------------------------------------------------------
# The tests, run as Go runs them: edit the parsed input, then compare with the formatted
# expected output (so blank-line placement follows the printer).


def _ids(table: list[Any]) -> list[str]:
    return [t["desc"] for t in table]


def _edit(
    text_in: str, want: str, transform: Callable[[modfile.ModFile], None], strict: bool = True
) -> modfile.ModFile:
    parse = modfile.parse if strict else modfile.parse_lax
    f = parse("in", text_in)
    golden = parse("out", want).format()
    transform(f)
    assert f.format().decode() == golden.decode()
    return f


def _reqs(mods: list[list[Any]]) -> list[modfile.Require]:
    return [modfile.Require(ModuleVersion(p, v), bool(ind)) for p, v, ind in mods]


@pytest.mark.parametrize("tt", ADD_REQUIRE, ids=_ids(ADD_REQUIRE))
def test_add_require(tt: dict[str, Any]) -> None:
    def edit(f: modfile.ModFile) -> None:
        f.add_require(tt["path"], tt["vers"])
        f.cleanup()

    _edit(tt["in"], tt["out"], edit)


@pytest.mark.parametrize("tt", SET_REQUIRE, ids=_ids(SET_REQUIRE))
def test_set_require(tt: dict[str, Any]) -> None:
    mods = _reqs(tt["mods"])

    def edit(f: modfile.ModFile) -> None:
        f.set_require(mods)
        f.cleanup()

    f = _edit(tt["in"], tt["out"], edit)
    assert len(f.require) == len(mods)


@pytest.mark.parametrize(
    "tt", SET_REQUIRE_SEPARATE_INDIRECT, ids=_ids(SET_REQUIRE_SEPARATE_INDIRECT)
)
def test_set_require_separate_indirect(tt: dict[str, Any]) -> None:
    mods = _reqs(tt["mods"])

    def edit(f: modfile.ModFile) -> None:
        f.set_require_separate_indirect(mods)
        f.cleanup()

    f = _edit(tt["in"], tt["out"], edit)
    assert len(f.require) == len(mods)


@pytest.mark.parametrize("tt", SET_REQUIRE_SIMPLIFY, ids=_ids(SET_REQUIRE_SIMPLIFY))
def test_set_require_at_most_two(tt: dict[str, Any]) -> None:
    mods = _reqs(tt["mods"])

    def edit(f: modfile.ModFile) -> None:
        f.set_require_at_most_two(mods)
        f.cleanup()

    f = _edit(tt["in"], tt["out"], edit)
    assert len(f.require) == len(mods)


@pytest.mark.parametrize("tt", ADD_GO, ids=_ids(ADD_GO))
def test_add_go(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.add_go_stmt(tt["version"]))


@pytest.mark.parametrize("tt", DROP_GO, ids=_ids(DROP_GO))
def test_drop_go(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.drop_go_stmt())


@pytest.mark.parametrize("tt", ADD_TOOLCHAIN, ids=_ids(ADD_TOOLCHAIN))
def test_add_toolchain(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.add_toolchain_stmt(tt["version"]))


@pytest.mark.parametrize("tt", DROP_TOOLCHAIN, ids=_ids(DROP_TOOLCHAIN))
def test_drop_toolchain(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.drop_toolchain_stmt())


@pytest.mark.parametrize("tt", ADD_GODEBUG, ids=_ids(ADD_GODEBUG))
def test_add_godebug(tt: dict[str, Any]) -> None:
    def edit(f: modfile.ModFile) -> None:
        f.add_godebug(tt["key"], tt["value"])
        f.cleanup()

    _edit(tt["in"], tt["out"], edit)


@pytest.mark.parametrize("tt", DROP_GODEBUG, ids=_ids(DROP_GODEBUG))
def test_drop_godebug(tt: dict[str, Any]) -> None:
    def edit(f: modfile.ModFile) -> None:
        f.drop_godebug(tt["key"])
        f.cleanup()

    _edit(tt["in"], tt["out"], edit)


@pytest.mark.parametrize("tt", ADD_EXCLUDE, ids=_ids(ADD_EXCLUDE))
def test_add_exclude(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.add_exclude(tt["path"], tt["version"]))


@pytest.mark.parametrize("tt", ADD_RETRACT, ids=_ids(ADD_RETRACT))
def test_add_retract(tt: dict[str, Any]) -> None:
    vi = modfile.VersionInterval(tt["low"], tt["high"])
    _edit(tt["in"], tt["out"], lambda f: f.add_retract(vi, tt["rationale"]))


@pytest.mark.parametrize("tt", DROP_RETRACT, ids=_ids(DROP_RETRACT))
def test_drop_retract(tt: dict[str, Any]) -> None:
    def edit(f: modfile.ModFile) -> None:
        f.drop_retract(modfile.VersionInterval(tt["low"], tt["high"]))
        f.cleanup()

    _edit(tt["in"], tt["out"], edit)


@pytest.mark.parametrize("tt", RETRACT_RATIONALE, ids=_ids(RETRACT_RATIONALE))
def test_retract_rationale(tt: dict[str, Any]) -> None:
    f = modfile.parse("in", tt["in"])
    assert len(f.retract) == 1
    assert f.retract[0].rationale == tt["want"]


@pytest.mark.parametrize("tt", MODULE_DEPRECATED, ids=_ids(MODULE_DEPRECATED))
def test_module_deprecated(tt: dict[str, Any]) -> None:
    f = modfile.parse("in", tt["in"])
    assert f.module is not None
    assert f.module.deprecated == tt["want"]


@pytest.mark.parametrize("tt", SORT_BLOCKS, ids=_ids(SORT_BLOCKS))
def test_sort_blocks(tt: dict[str, Any]) -> None:
    _edit(tt["in"], tt["out"], lambda f: f.sort_blocks(), strict=tt["strict"])


@pytest.mark.parametrize("tt", ADD_RETRACT_VALIDATE_VERSION, ids=_ids(ADD_RETRACT_VALIDATE_VERSION))
def test_add_retract_validate_version(tt: dict[str, Any]) -> None:
    f = modfile.ModFile()
    if tt["path"]:
        f.add_module_stmt(tt["path"])
    with pytest.raises(GomodxError) as exc:
        f.add_retract(modfile.VersionInterval(tt["low"], tt["high"]), "")
    assert str(exc.value) == tt["wantErr"]


@pytest.mark.parametrize("tt", ADD_EXCLUDE_VALIDATE_VERSION, ids=_ids(ADD_EXCLUDE_VALIDATE_VERSION))
def test_add_exclude_validate_version(tt: dict[str, Any]) -> None:
    f = modfile.parse("in", "module m")
    with pytest.raises(GomodxError) as exc:
        f.add_exclude(tt["path"], tt["version"])
    assert str(exc.value) == tt["wantErr"]


def _fix_v(path: str, version: str) -> str:
    if path != "example.com/m":
        raise ValueError("module path must be example.com/m")
    return "v" + version


@pytest.mark.parametrize("tt", FIX_VERSION, ids=_ids(FIX_VERSION))
def test_fix_version(tt: dict[str, Any]) -> None:
    if tt["wantErr"]:
        with pytest.raises(ModfileError) as exc:
            modfile.parse("in", tt["in"], _fix_v)
        assert tt["wantErr"] in str(exc.value)
        return
    got = modfile.parse("in", tt["in"], _fix_v).format()
    assert got == modfile.parse("out", tt["want"]).format()


def test_add_on_empty_file() -> None:
    f = modfile.ModFile()
    f.add_go_stmt("1.20")
    assert f.format() == modfile.parse("out", "go 1.20").format()


@pytest.mark.parametrize(
    ("table", "method"),
    [
        (ADD_TOOL, "add_tool"),
        (DROP_TOOL, "drop_tool"),
        (ADD_IGNORE, "add_ignore"),
        (DROP_IGNORE, "drop_ignore"),
    ],
)
def test_tool_and_ignore(table: list[Any], method: str) -> None:
    for tt in table:
        f = modfile.parse("in", tt["in"])
        getattr(f, method)(tt["path"])
        f.cleanup()
        assert f.format() == modfile.parse("out", tt["want"]).format(), tt["desc"]


@pytest.mark.parametrize(("data", "want"), MODULE_PATH)
def test_module_path(data: str, want: str) -> None:
    assert modfile.module_path(data.encode()) == want
