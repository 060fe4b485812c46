"""The checksum database's transparent log: RFC 6962 hashing, stored hash indexes and tiles.

The log is a Merkle tree over records (go.sum lines of one module version). Hashes::

    record_hash(data) = SHA-256(0x00 || data)
    node_hash(l, r)   = SHA-256(0x01 || l || r)

Every hash the server ever computed has a *stored index*: the hashes are stored in the order
they are completed (level-0 hash of record n, then every parent it completes). Tiles of
height ``h`` group them: tile ``(h, L, N, W)`` holds, for levels ``L*h`` .. ``L*h+h-1``, the
``W`` (at most ``2**h``) level-``L*h`` hashes ``N*2**h`` .. ``N*2**h+W-1``, 32 bytes each; its
URL path is ``tile/H/L/NNN[.p/W]`` (``N`` in groups of three digits, all but the last
prefixed by ``x``). :func:`read_hashes` reads hashes through tiles and checks each tile
against the signed tree hash before trusting any of it, as the go command does.

>>> tile_path(Tile(3, 4, 1234067, 1)), tile_path(Tile(3, 4, 1234067, 8))
('tile/3/4/x001/x234/067.p/1', 'tile/3/4/x001/x234/067')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from analysis.errors import TlogError

__all__ = [
    "EMPTY_HASH",
    "HASH_SIZE",
    "Tile",
    "TlogError",
    "Tree",
    "format_tree",
    "node_hash",
    "parse_record",
    "parse_tree",
    "read_hashes",
    "record_hash",
    "stored_hash_index",
    "subtree_index",
    "tile_for_index",
    "tile_path",
    "tiles_for",
    "tree_hash",
    "tree_proof",
    "tree_proof_index",
]

HASH_SIZE = 32
EMPTY_HASH = hashlib.sha256(b"").digest()


class Tree(NamedTuple):
    n: int
    hash: bytes


class Tile(NamedTuple):
    h: int
    l: int  # noqa: E741 (Go's name: the level in the tiling)
    n: int
    w: int


def record_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def stored_hash_index(level: int, n: int) -> int:
    """The stored index of the hash at ``level`` covering records ``n*2**level`` ..."""
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def _trailing_zeros(x: int) -> int:
    return (x & -x).bit_length() - 1 if x else 64


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """``(level, n)`` of a stored index (the inverse of :func:`stored_hash_index`)."""
    n = index // 2
    index_n = stored_hash_index(0, n)
    assert index_n <= index
    while True:
        x = index_n + 1 + _trailing_zeros(n + 1)
        if x > index:
            break
        n += 1
        index_n = x
    level = index - index_n
    return level, n >> level


def _maxpow2(n: int) -> tuple[int, int]:
    """The largest power of two below ``n``, and its log."""
    lg = 0
    while 1 << (lg + 1) < n:
        lg += 1
    return 1 << lg, lg


def subtree_index(lo: int, hi: int) -> list[int]:
    """Stored indexes of the complete subtrees covering records ``lo`` .. ``hi-1``."""
    need = []
    while lo < hi:
        k, level = _maxpow2(hi - lo + 1)
        assert lo & (k - 1) == 0
        need.append(stored_hash_index(level, lo >> level))
        lo += k
    return need


def _fold(hashes: Sequence[bytes]) -> bytes:
    h = hashes[-1]
    for x in reversed(hashes[:-1]):
        h = node_hash(x, h)
    return h


def tree_hash(n: int, read: Callable[[list[int]], list[bytes]]) -> bytes:
    """The root hash of the tree of the first ``n`` records."""
    if n == 0:
        return EMPTY_HASH
    indexes = subtree_index(0, n)
    hashes = read(indexes)
    if len(hashes) != len(indexes):
        raise TlogError(f"tlog: ReadHashes({len(indexes)} indexes) = {len(hashes)} hashes")
    return _fold(hashes)


def _subtree_hash(lo: int, hi: int, hashes: list[bytes]) -> tuple[bytes, list[bytes]]:
    count = len(subtree_index(lo, hi))
    return _fold(hashes[:count]), hashes[count:]


def tree_proof_index(t: int, n: int) -> list[int]:
    """The stored hashes a proof that tree ``n`` is a prefix of tree ``t`` is made of."""

    def walk(lo: int, hi: int) -> list[int]:
        if n == hi:
            return [] if lo == 0 else subtree_index(lo, hi)
        k, _ = _maxpow2(hi - lo)
        if n <= lo + k:
            return walk(lo, lo + k) + subtree_index(lo + k, hi)
        return subtree_index(lo, lo + k) + walk(lo + k, hi)

    if not 1 <= n <= t:
        raise TlogError("tlog: invalid inputs in ProveTree")
    return walk(0, t)


def tree_proof(t: int, n: int, hashes: list[bytes]) -> list[bytes]:
    """The consistency proof of trees ``n`` and ``t`` (RFC 6962 §2.1.2) from the hashes
    at :func:`tree_proof_index`."""

    def walk(lo: int, hi: int, hashes: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        if n == hi:
            if lo == 0:
                return [], hashes
            th, rest = _subtree_hash(lo, hi, hashes)
            return [th], rest
        k, _ = _maxpow2(hi - lo)
        if n <= lo + k:
            proof, hashes = walk(lo, lo + k, hashes)
            th, hashes = _subtree_hash(lo + k, hi, hashes)
        else:
            th, hashes = _subtree_hash(lo, lo + k, hashes)
            proof, hashes = walk(lo + k, hi, hashes)
        return [*proof, th], hashes

    proof, rest = walk(0, t, hashes)
    if rest:
        raise TlogError("tlog: bad index math in ProveTree")
    return proof


# -- tiles -----------------------------------------------------------------------------------


def _tile_for_index(h: int, index: int) -> tuple[Tile, int, int]:
    level, n = split_stored_hash_index(index)
    tl = level // h
    level -= tl * h
    tn = n << level >> h
    n -= tn << h >> level
    w = (n + 1) << level
    return Tile(h, tl, tn, w), (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE


def tile_for_index(h: int, index: int) -> Tile:
    """The smallest tile of height ``h`` that holds stored hash ``index``."""
    return _tile_for_index(h, index)[0]


def _tile_hash(data: bytes) -> bytes:
    if len(data) == HASH_SIZE:
        return data
    half = len(data) // 2
    return node_hash(_tile_hash(data[:half]), _tile_hash(data[half:]))


def hash_from_tile(t: Tile, data: bytes, index: int) -> bytes:
    if not (1 <= t.h <= 30 and 0 <= t.l < 64 and 1 <= t.w <= 1 << t.h):
        raise TlogError(f"invalid tile {tile_path(t)}")
    if len(data) < t.w * HASH_SIZE:
        raise TlogError(f"data len {len(data)} too short for tile {tile_path(t)}")
    t1, start, end = _tile_for_index(t.h, index)
    if t.l != t1.l or t.n != t1.n or t.w < t1.w:
        raise TlogError(f"index {index} is in {tile_path(t1)} not {tile_path(t)}")
    return _tile_hash(data[start:end])


def tile_path(t: Tile) -> str:
    n = t.n
    digits = f"{n % 1000:03d}"
    while n >= 1000:
        n //= 1000
        digits = f"x{n % 1000:03d}/{digits}"
    partial = f".p/{t.w}" if t.w != 1 << t.h else ""
    level = "data" if t.l == -1 else str(t.l)
    return f"tile/{t.h}/{level}/{digits}{partial}"


def _tile_parent(t: Tile, k: int, n: int) -> Tile | None:
    """The tile ``k`` levels above ``t`` in a tree of ``n`` records (None: none)."""
    level = t.l + k
    tn = t.n >> (k * t.h)
    w = 1 << t.h
    limit = n >> (level * t.h)
    if (tn << t.h) + w >= limit:
        if tn << t.h >= limit:
            return None
        w = limit - (tn << t.h)
    return Tile(t.h, level, tn, w)


TileReader = Callable[[list[Tile]], list[bytes]]
"""Fetches tiles (from a cache or the server); may raise."""


def read_hashes(
    tree: Tree,
    height: int,
    indexes: Sequence[int],
    read_tiles: TileReader,
    save_tiles: Callable[[list[Tile], list[bytes]], None] | None = None,
) -> list[bytes]:
    """The stored hashes at ``indexes`` of ``tree``, read through tiles of ``height``.

    Every tile is checked before its hashes are used: the tiles holding the tree's
    complete subtrees must hash to ``tree.hash``, and every other tile to its entry in the
    tile above it; otherwise ``downloaded inconsistent tile``. Checked tiles are passed
    to ``save_tiles``.
    """
    tiles, stx, stx_tile, index_tile, order = _plan(tree, height, indexes)
    data = read_tiles(tiles)
    if len(data) != len(tiles):
        raise TlogError(
            f"TileReader returned bad result slice (len={len(data)}, want {len(tiles)})"
        )
    for tile, d in zip(tiles, data, strict=True):
        if len(d) != tile.w * HASH_SIZE:
            raise TlogError(
                f"TileReader returned bad result slice ({tile_path(tile)} len={len(d)},"
                f" want {tile.w * HASH_SIZE})"
            )
    roots = [hash_from_tile(tiles[stx_tile[i]], data[stx_tile[i]], x) for i, x in enumerate(stx)]
    if not roots or _fold(roots) != tree.hash:
        raise TlogError("downloaded inconsistent tile")
    for i in range(stx_tile[-1] + 1, len(tiles)):
        tile = tiles[i]
        p = _tile_parent(tile, 1, tree.n)
        if p is None or p not in order:
            raise TlogError(f"bad math in tileHashReader {tree.n}: lost parent of {tile}")
        j = order[p]
        want = hash_from_tile(p, data[j], stored_hash_index(p.l * p.h, tile.n))
        if want != _tile_hash(data[i]):
            raise TlogError("downloaded inconsistent tile")
    if save_tiles is not None:
        save_tiles(tiles, data)
    return [hash_from_tile(tiles[j], data[j], x) for j, x in zip(index_tile, indexes, strict=True)]


def tiles_for(tree: Tree, height: int, indexes: Sequence[int]) -> list[Tile]:
    """The tiles :func:`read_hashes` will ask for (to fetch them beforehand)."""
    return _plan(tree, height, indexes)[0]


def _plan(
    tree: Tree, height: int, indexes: Sequence[int]
) -> tuple[list[Tile], list[int], list[int], list[int], dict[Tile, int]]:
    """The tiles holding the tree's complete subtrees, then those on the way down to each
    of ``indexes``; with where each subtree root and each index is found."""
    if tree.n <= 0:
        raise TlogError("indexes not in tree")
    order: dict[Tile, int] = {}
    tiles: list[Tile] = []
    stx = subtree_index(0, tree.n)
    stx_tile: list[int] = []
    for x in stx:
        tile = _tile_parent(tile_for_index(height, x), 0, tree.n)
        assert tile is not None
        if tile not in order:
            order[tile] = len(tiles)
            tiles.append(tile)
        stx_tile.append(order[tile])
    index_tile: list[int] = []
    for x in indexes:
        if x >= stored_hash_index(0, tree.n):
            raise TlogError("indexes not in tree")
        tile = tile_for_index(height, x)
        k = 0
        while True:
            p = _tile_parent(tile, k, tree.n)
            if p is not None and p in order:
                break
            k += 1
            if k > 64:
                raise TlogError(f"bad math in tileHashReader: {tree.n} {x}")
        found = order[p] if k == 0 else -1
        for j in range(k - 1, -1, -1):
            p = _tile_parent(tile, j, tree.n)
            if p is None or p.w != 1 << p.h:
                raise TlogError(f"bad math in tileHashReader: {tree.n} {x} {p}")
            order[p] = len(tiles)
            if j == 0:
                found = len(tiles)
            tiles.append(p)
        index_tile.append(found)
    return tiles, stx, stx_tile, index_tile, order


# -- notes and records -----------------------------------------------------------------------

_TREE_PREFIX = b"go.sum database tree\n"


def format_tree(tree: Tree) -> bytes:
    return b"go.sum database tree\n%d\n%s\n" % (tree.n, base64.b64encode(tree.hash))


def parse_tree(text: bytes) -> Tree:
    """The tree a note's text names (``malformed tree note`` otherwise)."""
    if not text.startswith(_TREE_PREFIX) or text.count(b"\n") < 3 or len(text) > 1_000_000:
        raise TlogError("malformed tree note")
    lines = text.split(b"\n", 3)
    if not re.fullmatch(rb"0|[1-9][0-9]{0,18}", lines[1]):
        raise TlogError("malformed tree note")
    try:
        h = base64.b64decode(lines[2], validate=True)
    except (binascii.Error, ValueError):
        raise TlogError("malformed tree note") from None
    if len(h) != HASH_SIZE:
        raise TlogError("malformed tree note")
    return Tree(int(lines[1]), h)


def _valid_record_text(text: bytes) -> bool:
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not s.endswith("\n") or "\n\n" in s:
        return False
    return not any(ord(c) < 0x20 and c != "\n" for c in s)


def parse_record(msg: bytes) -> tuple[int, bytes, bytes]:
    """A lookup answer: ``(record id, record text, signed tree note)``."""
    head, sep, rest = msg.partition(b"\n")
    if not sep or not re.fullmatch(rb"-?[0-9]{1,19}", head):
        raise TlogError("malformed record data")
    i = rest.find(b"\n\n")
    if i < 0:
        raise TlogError("malformed record data")
    text, note = rest[: i + 1], rest[i + 2 :]
    if not _valid_record_text(text):
        raise TlogError("malformed record data")
    return int(head), text, note
