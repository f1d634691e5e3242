"""Practice vectors: which texts of a document are embedded, the cache that keeps them across
rebuilds, and the matrix a snapshot searches.

Vectors are derived data, like the index: the index writer computes them when it indexes a
published practice and nothing else ever does. They are cached by content (a hash of the model's
name and the embedded texts) in one SQLite file beside the index generations, so a rebuild only
embeds what changed; entries no live document uses are deleted when their practice leaves the
index or changes.
"""

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from search.schema import plain_text

DESCRIPTION_CHARS = 800  # the start of the description: what it is about, before the details
MEMORY_ENTRIES = 4_000  # recently used vectors kept in memory as well (about 25 MB at most)
# Shared by every cache of the process, keyed by model and content: a second index of the same
# practices (a rebuild into a new directory, the test suite) embeds nothing again.
_MEMORY: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
_MEMORY_LOCK = threading.Lock()


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


class VectorTable:
    """The vectors of a snapshot's live documents as one float32 matrix: the rows of document
    `d` are starts[d] to starts[d] + counts[d] (no rows when it has no vector)."""

    def __init__(self, matrix: np.ndarray, starts: np.ndarray, counts: np.ndarray, keys):
        self.matrix = matrix
        self.starts = starts
        self.counts = counts
        self.keys = keys
        self.with_vectors = counts > 0
        self._firsts = starts[self.with_vectors]
        self._positions = {
            int(k): (int(s), int(c)) for k, s, c in zip(keys, starts, counts, strict=True) if c
        }

    @classmethod
    def build(cls, keys: np.ndarray, live: np.ndarray, cache: VectorCache, dim: int, previous):
        """Rows for each live document's key, taken from the previous table where it had them
        (most of them, after a commit) and from the cache otherwise."""
        reusable = previous._positions if previous is not None else {}
        wanted = [int(k) for k, alive in zip(keys, live, strict=True) if alive and k]
        fetched = cache.get(k for k in wanted if k not in reusable)
        pieces, starts = [], np.zeros(len(keys), dtype=np.int64)
        counts = np.zeros(len(keys), dtype=np.int64)
        position = 0
        for docnum, (key, alive) in enumerate(zip(keys.tolist(), live.tolist(), strict=True)):
            if not alive or not key:
                continue
            if key in reusable:
                start, count = reusable[key]
                rows = previous.matrix[start : start + count]
            elif key in fetched:
                rows = fetched[key]
            else:
                continue  # not embedded (the model was off when it was indexed)
            pieces.append(rows)
            starts[docnum], counts[docnum] = position, len(rows)
            position += len(rows)
        matrix = np.concatenate(pieces) if pieces else np.zeros((0, dim), dtype=np.float32)
        return cls(np.ascontiguousarray(matrix, dtype=np.float32), starts, counts, keys)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Each document's best cosine similarity to the vector; -1 where it has no vector."""
        best = np.full(len(self.counts), -1.0, dtype=np.float32)
        if len(self.matrix):
            rows = self.matrix @ vector
            best[self.with_vectors] = np.maximum.reduceat(rows, self._firsts)
        return best
