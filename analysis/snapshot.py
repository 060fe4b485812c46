"""Warm start: a loaded module graph kept on disk, keyed by everything that can change it.

A cold load reads thousands of go.mod files; loading them again from the module cache
still reads and parses every one. The answer depends only on

* the main module's ``go.mod`` and ``go.sum`` bytes,
* the ``go.mod`` of every directory replacement the main go.mod names,
* the Go settings (GOPROXY, GOPRIVATE, GONOPROXY, GOFLAGS, GOSUMDB, GOWORK, the go
  version ... — the whole resolved :class:`~analysis.goenv.GoEnv`),
* and the code that loads it (the engine's version and its loader modules' files),

because a module version's go.mod never changes (the checksum database sees to that).
:func:`snapshot_key` hashes all of them — a few small reads, no parsing beyond the main
go.mod — and :func:`load_snapshot` answers only for an equal key. One snapshot is kept
per main module directory, replaced by the next successful load; failures are never
kept. A snapshot that cannot be read (missing, truncated, another format) is ignored::

    key = snapshot_key(main_dir, repr(env))
    loaded = load_snapshot(root, main_dir, key) if key else None
    if loaded is None:
        loaded = await load_module_graph(main_dir, source)
        if key:
            save_snapshot(root, main_dir, key, loaded)

The file is a pickle in gomodx's own cache directory, which only the user writes.

With go installed, the graph is what ``go mod graph`` prints: its answer depends on the
same inputs, and on the go that runs (whose version, GOROOT and binary stamps the
settings name). :func:`save_go_graph` keeps that graph beside the walk's snapshot and
:func:`load_go_graph` gives it back for an equal key, so a warm start (the app's first
paint above all) does not wait for go.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from analysis import fsio

if TYPE_CHECKING:
    from analysis import modfile
    from analysis.loader import GoModSummary, LoadedGraph
    from analysis.modgraph import ModuleGraph
    from analysis.module import ModuleVersion

__all__ = [
    "load_go_graph",
    "load_snapshot",
    "save_go_graph",
    "save_snapshot",
    "snapshot_file",
    "snapshot_key",
]

FORMAT = b"gomodx-graph-snapshot-4"
_CODE = (
    "loader.py",
    "module.py",
    "mvs.py",
    "summary.py",
    "modgraph.py",
    "modfile.py",
    "snapshot.py",
)


def snapshot_key(
    main_dir: Path,
    settings: str,
    files: list[tuple[Path, bytes | None]] | None = None,
    parsed: list[modfile.ModFile] | None = None,
) -> str | None:
    """The key of the graph of the module in ``main_dir`` under ``settings`` (a text
    naming every setting that matters), or None when its go.mod cannot be read or
    parsed (then there is nothing to key: load it cold and report the error).

    ``files``, when given, is told every file whose bytes the key hashes, with those
    bytes (``None``: absent): what a replayed answer depends on (:mod:`tui.replay`).
    ``parsed`` is told the go.mod parsed for the key (for :func:`load_snapshot`)."""
    from analysis import modfile
    from analysis.errors import GomodxError
    from analysis.summary import dir_gomod, replace_map

    h = hashlib.sha256(FORMAT)

    def add(label: str, data: bytes | None) -> None:
        h.update(f"\n{label} {-1 if data is None else len(data)}\n".encode())
        h.update(data or b"")

    def add_file(label: str, path: Path, data: bytes | None) -> None:
        add(label, data)
        if files is not None:
            files.append((path, data))

    try:
        gomod = (main_dir / "go.mod").read_bytes()
        main = modfile.parse(str(main_dir / "go.mod"), gomod)
        if parsed is not None:
            parsed.append(main)
        add_file("go.mod", main_dir / "go.mod", gomod)
        add_file("go.sum", main_dir / "go.sum", _read(main_dir / "go.sum"))
        add("settings", settings.encode())
        here = Path(__file__).parent
        for name in _CODE:
            st = os.stat(here / name)
            add(name, f"{st.st_mtime_ns} {st.st_size}".encode())
        targets = sorted({r for r in replace_map(main).values() if r.version == ""})
        for target in targets:
            name = dir_gomod(target, main_dir)
            add_file("replacement " + name, Path(name), _read(Path(name)))
    except (OSError, GomodxError):
        return None
    return h.hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def snapshot_file(root: Path, main_dir: Path) -> Path:
    """Where the snapshot of ``main_dir`` is kept under gomodx's cache ``root``."""
    where = hashlib.sha256(os.fsencode(os.path.abspath(main_dir))).hexdigest()[:32]
    return root / "snapshot" / f"{where}.pickle"


def load_snapshot(
    root: Path, main_dir: Path, key: str, main: modfile.ModFile | None = None
) -> LoadedGraph | None:
    """The graph saved under ``key`` for ``main_dir``, or None (absent, stale, corrupt).
    ``main``: the go.mod :func:`snapshot_key` parsed for ``key`` (yours from then on),
    else it is parsed again."""
    from analysis import modfile
    from analysis.loader import LoadedGraph

    try:
        fields = _read_keyed(snapshot_file(root, main_dir), key)
        if fields is None:
            return None
        fields["summaries"] = _Unpickled(fields["summaries"])
        fields["replacements"] = MappingProxyType(fields["replacements"])
        fields["main_dir"] = main_dir
        # The main go.mod is parsed afresh (its bytes are part of the key): its syntax
        # tree is the one a cold load makes, ready for edits.
        if main is None:
            gomod = main_dir / "go.mod"
            main = modfile.parse(str(gomod), gomod.read_bytes())
        fields["main"] = main
        fields["fetches"] = 0
        loaded = LoadedGraph(**fields)
    except Exception:  # a damaged snapshot is a miss, never an answer
        return None
    return loaded


def save_snapshot(root: Path, main_dir: Path, key: str, loaded: LoadedGraph) -> None:
    """Keep ``loaded`` as the snapshot of ``main_dir`` under ``key`` (failures ignored:
    a snapshot that was not written costs a cold load, nothing else)."""
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded)}
    del fields["main"], fields["main_dir"]
    # The go.mod summaries are needed for plans, not to show the graph: kept as their own
    # pickle, read on first use.
    fields["summaries"] = _pack_summaries(loaded.summaries)
    fields["replacements"] = dict(loaded.replacements)
    try:
        fsio.write_atomic(snapshot_file(root, main_dir), _keyed(key, fields), durable=False)
    except Exception:
        return


def _keyed(key: str, body: object) -> bytes:
    """``body`` pickled after a header naming the format and ``key``."""
    header = pickle.dumps((FORMAT, key), protocol=pickle.HIGHEST_PROTOCOL)
    return header + pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)


def _read_keyed(path: Path, key: str) -> Any:
    """What :func:`_keyed` kept in ``path`` under ``key``, or None for another key or
    format — told by the header alone, so a stale snapshot is not unpickled."""
    data = io.BytesIO(path.read_bytes())
    if pickle.load(data) != (FORMAT, key):
        return None
    return pickle.load(data)


def _go_file(root: Path, main_dir: Path) -> Path:
    return snapshot_file(root, main_dir).with_suffix(".go.pickle")


def load_go_graph(root: Path, main_dir: Path, key: str) -> ModuleGraph | None:
    """What ``go mod graph`` printed for ``main_dir`` under ``key`` (its inputs and the
    go that ran, in the settings), or None (absent, stale, corrupt)."""
    from analysis.modgraph import ModuleGraph

    try:
        graph = _read_keyed(_go_file(root, main_dir), key)
        if not isinstance(graph, ModuleGraph):
            return None
    except Exception:  # a damaged snapshot is a miss, never an answer
        return None
    return graph


def save_go_graph(root: Path, main_dir: Path, key: str, graph: ModuleGraph) -> None:
    """Keep the graph ``go mod graph`` printed for ``main_dir`` under ``key`` (failures
    ignored: the next start runs go again)."""
    try:
        fsio.write_atomic(_go_file(root, main_dir), _keyed(key, graph), durable=False)
    except Exception:
        return


def _pack_summaries(summaries: Mapping[ModuleVersion, GoModSummary]) -> bytes:
    """``summaries`` as plain tuples, each module version once in a table and named by
    its index: a third of the time pickling the objects takes (a cold load saves a
    snapshot of thousands), and a load shares one object per module version."""
    index: dict[ModuleVersion, int] = {}
    table: list[tuple[str, str]] = []

    def ix(m: ModuleVersion) -> int:
        i = index.get(m)
        if i is None:
            i = index[m] = len(table)
            table.append((m.path, m.version))
        return i

    rows = [
        (
            ix(key),
            ix(s.module),
            ix(s.actual),
            s.module_path,
            s.go_version,
            s.toolchain,
            tuple([ix(r) for r in s.require]),
            s.pruned,
        )
        for key, s in summaries.items()
    ]
    return pickle.dumps((table, rows), protocol=pickle.HIGHEST_PROTOCOL)


def _unpack_summaries(data: bytes) -> dict[ModuleVersion, GoModSummary]:
    """What :func:`_pack_summaries` packed."""
    from analysis.loader import GoModSummary
    from analysis.module import ModuleVersion

    table, rows = pickle.loads(data)
    mods = [ModuleVersion(path, version) for path, version in table]
    return {
        mods[key]: GoModSummary(
            mods[module],
            mods[actual],
            module_path,
            go_version,
            toolchain,
            tuple([mods[i] for i in require]),
            pruned,
        )
        for key, module, actual, module_path, go_version, toolchain, require, pruned in rows
    }


class _Unpickled(Mapping["ModuleVersion", "GoModSummary"]):
    """A read-only mapping kept packed (:func:`_pack_summaries`) until it is first read."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self._map: dict[ModuleVersion, GoModSummary] = {}

    def _loaded(self) -> dict[ModuleVersion, GoModSummary]:
        if self._data is not None:
            self._map, self._data = _unpack_summaries(self._data), None
        return self._map

    def __getitem__(self, key: ModuleVersion) -> GoModSummary:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[ModuleVersion]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __contains__(self, key: object) -> bool:
        return key in self._loaded()

    def __reduce__(self) -> tuple[object, ...]:
        return (MappingProxyType, (dict(self._loaded()),))
