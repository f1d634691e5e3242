"""Practice vectors: which texts of a document are embedded, the cache that keeps them across
rebuilds, and the matrix a snapshot searches.

Vectors are derived data, like the index: the index writer computes them when it indexes a
published practice and nothing else ever does. They are cached by content (a hash of the model's
name and the embedded texts) in one SQLite file beside the index generations, so a rebuild only
embeds what changed; entries no live document uses are deleted when their practice leaves the
index or changes.

The matrix a snapshot searches is kept per Whoosh segment (segments never change once written).
After each commit the index writer writes every new segment's rows as a .npy file in the
generation directory, and every worker maps those files read-only (numpy memmap), so N workers
share one copy in the page cache instead of holding N. The files are derived data in the
manifest like the segments: checked by readers, rebuilt with the index when damaged, removed
when their segment is merged away (a reader that still maps one keeps its pages until it
closes).
"""

import hashlib
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from search.schema import plain_text

_BLAS = ThreadpoolController()  # finds the BLAS libraries once, not on every search

DESCRIPTION_CHARS = 800  # the start of the description: what it is about, before the details
MEMORY_ENTRIES = 4_000  # recently used vectors kept in memory as well (about 25 MB at most)
# Shared by every cache of the process, keyed by model and content: a second index of the same
# practices (a rebuild into a new directory, the test suite) embeds nothing again.
_MEMORY: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
_MEMORY_LOCK = threading.Lock()
SHARED_SETTING = "PRACTICES_SHARED_FILES"
OLD_SHARED_SETTING = "PRACTICES_SHARED_VECTORS"  # its name when only vectors were shared


def passages(document: dict) -> list[str]:
    """The texts embedded for a practice: its title and summary with where it applies, the same
    in each translation, and the start of its description. A query is compared with each and the
    best counts, so a Spanish query meets the Spanish translation at full strength."""
    places = ", ".join(document.get("country_names") or []) or document.get("scope_area_name")
    head = f"{document['title']}. {document.get('summary', '')}".strip()
    texts = [f"{head} ({places})" if places else head]
    for translation in (document.get("translations") or {}).values():
        texts.append(f"{translation.get('title', '')}. {translation.get('summary', '')}".strip())
    description = plain_text(document.get("description", "")).strip()
    if description:
        texts.append(description[:DESCRIPTION_CHARS])
    return texts


def content_key(model: str, texts: list[str]) -> int:
    """A 63-bit key for the texts as one model embeds them (fits SQLite and the index)."""
    digest = hashlib.sha256("\x1f".join([model, *texts]).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1 or 1  # 0 means "no vector"


class VectorCache:
    """Vectors by content key, in ROOT/vectors-<model>.sqlite; one writer (the index writer)."""

    def __init__(self, root: Path, model: str, dim: int):
        slug = hashlib.sha256(model.encode()).hexdigest()[:12]
        self.slug = slug
        self.path = Path(root) / f"vectors-{slug}.sqlite"
        self.dim = dim
        self.model = model
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key INTEGER PRIMARY KEY, rows BLOB NOT NULL)"
            )
            self._connection = connection
        return self._connection

    def _remember(self, key: int, rows: np.ndarray) -> None:
        with _MEMORY_LOCK:
            _MEMORY[(self.model, key)] = rows
            _MEMORY.move_to_end((self.model, key))
            while len(_MEMORY) > MEMORY_ENTRIES:
                _MEMORY.popitem(last=False)

    def stored(self, keys) -> set[int]:
        """The keys this cache's file holds."""
        keys = sorted({int(k) for k in keys if k})
        found = set()
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))  # placeholders only: keys are bound
                query = f"SELECT key FROM vectors WHERE key IN ({marks})"  # noqa: S608
                found.update(row[0] for row in self._db().execute(query, chunk))
        return found

    def remembered(self, keys) -> dict[int, np.ndarray]:
        """Vectors this process computed or read lately for the same model."""
        with _MEMORY_LOCK:
            pairs = ((k, _MEMORY.get((self.model, int(k)))) for k in keys if k)
            return {k: rows for k, rows in pairs if rows is not None}

    def get(self, keys) -> dict[int, np.ndarray]:
        wanted = {int(k) for k in keys if k}
        found = {}
        with _MEMORY_LOCK:
            for key in list(wanted):
                rows = _MEMORY.get((self.model, key))
                if rows is not None:
                    found[key] = rows
                    wanted.discard(key)
        with self._lock:
            missing = sorted(wanted)
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))  # placeholders only: keys are bound
                for key, blob in self._db().execute(
                    f"SELECT key, rows FROM vectors WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32).reshape(-1, self.dim)
        return found

    def put(self, items: dict[int, np.ndarray]) -> None:
        if not items:
            return
        with self._lock, self._db() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, rows) VALUES (?, ?)",
                [(key, np.asarray(rows, np.float32).tobytes()) for key, rows in items.items()],
            )
        for key, rows in items.items():
            self._remember(key, rows)

    def delete(self, keys) -> None:
        keys = [int(k) for k in keys if k]
        if not keys:
            return
        with self._lock, self._db() as connection:
            connection.executemany("DELETE FROM vectors WHERE key = ?", [(k,) for k in keys])
        with _MEMORY_LOCK:
            for key in keys:
                _MEMORY.pop((self.model, key), None)

    def keep_only(self, keys) -> int:
        """Delete every entry but these (after a rebuild); returns how many were deleted."""
        keep = {int(k) for k in keys if k}
        with self._lock:
            stored = [row[0] for row in self._db().execute("SELECT key FROM vectors")]
        stale = [k for k in stored if k not in keep]
        self.delete(stale)
        return len(stale)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def shared_files_enabled(environ=os.environ) -> bool:
    """Readers map the writer's segment files (vectors and arrays) unless
    PRACTICES_SHARED_FILES=off, or the older PRACTICES_SHARED_VECTORS=off (then each process
    reads them into memory from the cache and the segments, as before; kept for measuring)."""
    value = environ.get(SHARED_SETTING) or environ.get(OLD_SHARED_SETTING) or "on"
    return value.strip().lower() not in ("off", "0", "false", "no")


class SegmentVectors:
    """The vectors of one Whoosh segment's documents, deleted ones included (a segment never
    changes once written; deletions are the snapshot's live mask): the rows of the segment's
    document d are starts[d] to starts[d] + counts[d] of `rows`."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, rows: np.ndarray):
        self.keys = keys
        self.counts = counts
        self.starts = np.cumsum(counts) - counts
        self.rows = rows
        self.mapped = isinstance(rows, np.memmap)

    @classmethod
    def from_cache(
        cls, keys: np.ndarray, cache: VectorCache, dim: int, project=None
    ) -> "SegmentVectors":
        fetched = cache.get(k for k in keys.tolist() if k)
        counts = np.zeros(len(keys), dtype=np.int64)
        pieces = []
        for docnum, key in enumerate(keys.tolist()):
            rows = fetched.get(key) if key else None
            if rows is None:
                continue  # not embedded (the model was off when it was indexed)
            pieces.append(rows)
            counts[docnum] = len(rows)
        if not pieces:
            return cls(keys, counts, np.zeros((0, dim), dtype=np.float32))
        rows = np.concatenate(pieces)
        rows = project(rows) if project is not None else rows
        return cls(keys, counts, np.ascontiguousarray(rows, dtype=np.float32))

    @staticmethod
    def paths(directory: Path, name: str) -> tuple[Path, Path]:
        return directory / f"{name}.rows.npy", directory / f"{name}.keys.npy"

    def save(self, directory: Path, name: str) -> None:
        """Write the rows, then the keys and counts: a reader takes the pair only when the
        keys match its segment's, so a half-written pair is never used."""
        for path, array in zip(
            self.paths(directory, name),
            (self.rows, np.stack([self.keys, self.counts])),
            strict=True,
        ):
            temporary = path.with_name(path.name + ".tmp")
            with open(temporary, "wb") as handle:
                np.save(handle, np.asarray(array))
            os.replace(temporary, path)

    @classmethod
    def load(cls, directory: Path, name: str, keys: np.ndarray, dim: int):
        """The segment's vectors mapped read-only from the writer's files (the pages are
        shared by every process that maps them); None when they are missing or do not fit."""
        rows_path, keys_path = cls.paths(directory, name)
        try:
            stored = np.load(keys_path, allow_pickle=False)
            if stored.shape != (2, len(keys)) or not np.array_equal(stored[0], keys):
                return None
            rows = np.load(rows_path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError):
            return None
        counts = stored[1].astype(np.int64)
        if rows.dtype != np.float32 or rows.shape != (int(counts.sum()), dim):
            return None
        return cls(keys, counts, rows)


class VectorTable:
    """The vectors of a snapshot: one SegmentVectors per segment, in document order. A
    document's similarity is its best row's; deleted documents and those without vectors
    get -1."""

    def __init__(self, parts: list[SegmentVectors], live: np.ndarray, dim: int):
        self.parts = parts
        self.dim = dim
        counts = np.concatenate([p.counts for p in parts]) if parts else np.zeros(0, np.int64)
        self._has_rows = counts > 0
        self.with_vectors = self._has_rows & live
        self._dead = ~live
        row_offsets = np.cumsum([0] + [len(p.rows) for p in parts])
        starts = [p.starts + offset for p, offset in zip(parts, row_offsets, strict=False)]
        starts = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        self._firsts = starts[self._has_rows]
        self._doc_offsets = np.cumsum([0] + [len(p.keys) for p in parts])
        self._row_offsets = row_offsets.tolist()
        self.passages = int(row_offsets[-1])

    @property
    def nbytes(self) -> int:
        return self.passages * self.dim * 4

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Each document's best cosine similarity to the vector; -1 where it has no vector."""
        best = np.full(len(self._has_rows), -1.0, dtype=np.float32)
        if self.passages:
            rows = np.empty(self.passages, dtype=np.float32)
            vector = np.asarray(vector, dtype=np.float32)
            with _one_blas_thread():
                for part, start in zip(self.parts, self._row_offsets, strict=False):
                    if len(part.rows):  # each segment's rows straight from its mapped file
                        np.dot(part.rows, vector, out=rows[start : start + len(part.rows)])
            best[self._has_rows] = np.maximum.reduceat(rows, self._firsts)
            best[self._dead] = -1.0
        return best

    def first_row(self, docnum: int) -> np.ndarray:
        """The first vector of a document that has vectors (its title and summary)."""
        part = int(np.searchsorted(self._doc_offsets, docnum, side="right")) - 1
        local = docnum - int(self._doc_offsets[part])
        return np.asarray(self.parts[part].rows[int(self.parts[part].starts[local])])


def _one_blas_thread():
    """The product on one BLAS thread. Requests already run in parallel (threads and worker
    processes), and on a busy 2-core machine OpenBLAS's two threads mostly wait for each other:
    at 100k practices (218k passages) a product took 100 ms p50 on two threads against 23 ms on
    one (docs/search.md, Speed)."""
    return _BLAS.limit(limits=1, user_api="blas")
