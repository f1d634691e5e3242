"""The search index: generations on disk, the single writer's operations, and searching.

Layout: ROOT/current is a symlink to ROOT/gen-<n>, a Whoosh index whose file `applied_seq` holds
the last outbox number it reflects. A rebuild writes a new generation and swaps the symlink
atomically, so searches never see a half-built index.
"""

import fcntl
import json
import multiprocessing
import os
import queue
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import _lenfield
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from search import dictionary, integrity, semantic
from search.analysis import analysis_version
from search.fusion import Fusion, scale_of
from search.highlighting import marked_passages, snippet, snippet_terms
from search.params import FACETS, SearchParams, SearchResult
from search.projection import Projection, for_model
from search.querying import Coordinated, QueryBuilder, load_synonyms
from search.schema import make_schema, to_fields
from search.scoring import POSTINGS_KEY, Evaluator, Unsupported, read_postings
from search.segments import SegmentArrays
from search.segments import paths as array_paths
from search.snapshot import Snapshot
from search.vectors import (
    SegmentVectors,
    VectorCache,
    VectorTable,
    content_key,
    passages,
    shared_files_enabled,
)

CACHE_SIZE = 512
FRESHNESS_CHECK_SECONDS = 0.05
EMBED_BATCH = 64  # documents embedded together when rebuilding (batches run faster)
# A rebuild writes segments of at most this many documents, so that each segment's postings
# are sorted in memory: beyond SEGMENT_MB Whoosh pickles them to temporary files and merges
# those, which took a third of a rebuild's time.
SEGMENT_DOCS = 6_000
SEGMENT_MB = 512
AUTO = object()  # the process-wide model, unless PRACTICES_SEMANTIC=off
# How long a reader with nothing open waits for a writer between its commit and its manifest.
COMMIT_WAIT_SECONDS = 2.0


class Matches(NamedTuple):
    """What a query's words match: live document numbers, their scores, whether a plain
    query of several words fell back to one word because no document had more (weak), and the
    word scores of documents with fewer of its words than its minimum (scoring.Evaluator)."""

    docnums: np.ndarray
    scores: np.ndarray
    weak: bool = False
    below: np.ndarray | None = None


def _finds_more(typed: np.ndarray, typed_query, corrected: np.ndarray, corrected_query) -> bool:
    """Whether the corrected words' best document matches a larger share of their topics than
    the typed words' best does of theirs (a plain query's score counts its topics matched,
    search.scoring). Shares, not counts: a correction can join words into one concept
    ("organ traficking" is two topics, of which "organ" matches; "organ trafficking" is one,
    organ removal, which the practices about it match)."""
    if not len(corrected):
        return False
    if not len(typed):
        return True
    return _share(corrected, corrected_query) > _share(typed, typed_query)


def _share(scores: np.ndarray, query) -> float:
    return int(scores.max()) / max(len(getattr(query, "subqueries", ())), 1)


class _KnownLengths:
    """The lengths a new segment's postings are written with, remembering which fields keep
    none: for those Whoosh looks for the column's file again on every posting (a file-system
    call per posting, a tenth of a rebuild's time)."""

    def __init__(self, reader):
        self._reader = reader
        self._kept: dict[str, bool] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        kept = self._kept.get(fieldname)
        if kept is None:
            kept = self._kept[fieldname] = self._reader.has_column(_lenfield(fieldname))
        if not kept:
            return default
        return self._reader.doc_field_length(docnum, fieldname, default)

    def close(self):
        self._reader.close()


class _RebuildWriter(SegmentWriter):
    """A writer of one of a rebuild's segments."""

    def per_document_reader(self):
        return _KnownLengths(super().per_document_reader())


class IndexUnavailable(Exception):
    """There is no usable index: missing, or unreadable."""


class IndexBusy(Exception):
    """Another writer holds the index lock; try again later."""


def _segment_id(leaf) -> str | None:
    """The Whoosh segment a leaf reader reads (None for the empty reader of an empty index)."""
    segment = getattr(leaf, "segment", None)
    segment = segment() if callable(segment) else None
    return segment.segment_id() if segment is not None else None


def _vector_file_name(cache: VectorCache, projection: Projection | None, segment: str) -> str:
    tag = f"-{projection.tag}" if projection is not None else ""
    return f"vec-{cache.slug}{tag}-{segment}"


class SearchIndex:
    def __init__(
        self,
        root: Path | str,
        synonyms_file: Path | str | None = None,
        embedder: "semantic.Embedder | object | None" = AUTO,
    ):
        self.root = Path(root)
        self._embedder = embedder  # AUTO until first needed: loading takes about a second
        self._vector_cache: VectorCache | None = None
        self._projection: Projection | None = None  # set with the vector cache
        self._query_vectors: OrderedDict = OrderedDict()
        self.fusion = Fusion()
        self.queries = QueryBuilder(make_schema(), load_synonyms(synonyms_file))
        self._lock = threading.RLock()  # Whoosh searchers are not safe to share across threads
        self._write_lock = threading.Lock()
        self._searcher = None
        self._retired = None  # the searcher before, still open for requests under way
        self._snapshot: Snapshot | None = None
        self._target: str | None = None
        self._generation = 0
        self._checked_at = 0.0
        self._cache: OrderedDict = OrderedDict()
        self._digests = integrity.FileDigests()
        # Vectors of the open snapshot's segments by (generation directory, segment id).
        self._segments: dict[tuple[str, str], SegmentVectors] = {}
        # The same for the other arrays of each segment (search.segments).
        self._arrays: dict[tuple[str, str], SegmentArrays] = {}
        self._opened: dict[str, integrity.Signature | None] = {}  # files of the open searcher
        # Why the open index was found damaged, until a rebuild replaces it (the writer looks).
        self.damage: str | None = None

    # -- the semantic layer ------------------------------------------------------------------

    @property
    def embedder(self) -> "semantic.Embedder | None":
        if self._embedder is AUTO:
            self._embedder = semantic.load()
        return self._embedder

    def vector_cache(self) -> VectorCache | None:
        embedder = self.embedder
        if embedder is None:
            return None
        if self._vector_cache is None:
            # The projection first: another thread that finds the cache set also finds it
            # (a table built without it held 512-dimension rows against projected queries).
            self._projection = for_model(embedder.name, embedder.dim)
            self._vector_cache = VectorCache(self.root, embedder.name, embedder.dim)
        return self._vector_cache

    @property
    def _vector_dim(self) -> int:
        return self._projection.dim if self._projection is not None else self.embedder.dim

    def _from_cache(self, keys: np.ndarray, cache: VectorCache) -> SegmentVectors:
        project = self._projection.rows if self._projection is not None else None
        return SegmentVectors.from_cache(keys, cache, self._vector_dim, project)

    def _with_vectors(self, documents: list[dict]) -> list[dict]:
        """Index fields for the documents, each with the key of its vectors; vectors missing
        from the cache are computed now (the writer is the only place that embeds)."""
        fields = [to_fields(document) for document in documents]
        cache = self.vector_cache()
        if cache is None:
            return fields
        texts = [passages(document) for document in documents]
        keys = [content_key(self.embedder.name, t) for t in texts]
        on_disk = cache.stored(keys)
        wanted = {key: t for key, t in zip(keys, texts, strict=True) if key not in on_disk}
        computed = cache.remembered(wanted)
        todo = [(key, t) for key, t in wanted.items() if key not in computed]
        if todo:
            rows = self.embedder.passages([text for _key, t in todo for text in t])
            position = 0
            for key, t in todo:
                computed[key] = rows[position : position + len(t)]
                position += len(t)
        cache.put(computed)
        for item, key in zip(fields, keys, strict=True):
            item["vkey"] = key
        return fields

    def _prefetch(self, q: str) -> None:
        """Let the model start embedding the query while its words are matched, when it can
        (the blend's second model runs in its own thread), unless the vector is remembered."""
        prefetch = getattr(self.embedder, "prefetch", None)
        if prefetch is None:
            return
        with self._lock:
            if q in self._query_vectors:
                return
        prefetch(q)

    def _query_vector(self, q: str) -> np.ndarray:
        """The query's vector in the space of the snapshot's rows (projected)."""
        self.vector_cache()
        with self._lock:
            if q in self._query_vectors:
                self._query_vectors.move_to_end(q)
                return self._query_vectors[q]
        vector = self.embedder.query(q)
        if self._projection is not None:
            vector = self._projection.vector(vector)
        with self._lock:
            self._query_vectors[q] = vector
            if len(self._query_vectors) > CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def built_with_other_model(self) -> str | None:
        """The sentence model the current generation was embedded with, when it is not the one
        loaded now (its vector keys are of that model: no vector would be found, and search
        would match by words only); None when it is the same, or not known."""
        directory = self.current_dir()
        if self.embedder is None or directory is None or not (directory / "model").exists():
            return None  # an index written before the model was recorded is taken as it is
        found = (directory / "model").read_text().strip()
        return None if found == self.embedder.name else (found or "none")

    def semantic_status(self) -> str:
        """For /readyz: 'ok', or why search runs on words only."""
        if self.embedder is None:
            return semantic.unavailable_reason() or "off"
        return semantic.degraded_reason() or "ok"

    # -- generations on disk -------------------------------------------------------------

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def current_dir(self) -> Path | None:
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        path = self.root / target
        return path if path.is_dir() else None

    def exists(self) -> bool:
        directory = self.current_dir()
        try:
            return directory is not None and whoosh_index.exists_in(str(directory))
        except Exception:  # a damaged table of contents raises here
            return False

    def _open(self, directory: Path):
        try:
            return whoosh_index.open_dir(str(directory))
        except Exception as error:  # Whoosh raises many kinds on damaged files
            raise IndexUnavailable(f"cannot open the index in {directory}: {error!r}") from error

    def applied_seq(self) -> int:
        directory = self.current_dir()
        if directory is None:
            return 0
        try:
            return int((directory / "applied_seq").read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    @staticmethod
    def _write_seq(directory: Path, seq: int) -> None:
        temporary = directory / "applied_seq.tmp"
        temporary.write_text(str(seq))
        os.replace(temporary, directory / "applied_seq")

    def _write_manifest(self, directory: Path) -> None:
        """Checksums of the index files as committed (search/integrity.py); files that were
        there before this commit were checked against the previous manifest first."""
        integrity.write_manifest(directory, self._digests.of(directory))

    def verify(self, fresh: bool = True) -> None:
        """Raise IndexUnavailable unless the last commit's files are as it recorded them
        (every file hashed again unless `fresh` is False); IndexBusy when another writer keeps
        committing meanwhile. Holds no lock, so other writers may work while it reads."""
        directory = self.current_dir()
        if directory is None:
            raise IndexUnavailable("no index yet")
        deadline = time.monotonic() + COMMIT_WAIT_SECONDS
        while True:
            with self._writers_away() as away:
                if away:  # nobody can commit meanwhile: every file counts, leftovers too
                    verdict = integrity.problem(directory, self._digests, fresh)
                else:
                    verdict = integrity.reader_problem(directory, self._digests, fresh)
            if verdict is not integrity.PENDING:
                break
            if time.monotonic() > deadline:
                raise IndexBusy("another writer is committing to the index")
            time.sleep(0.05)
        if verdict:
            raise IndexUnavailable(verdict)
        analysis = directory / "analysis"
        found = analysis.read_text().strip() if analysis.exists() else "1"
        if found != analysis_version():
            # Built with other text analysis: the same words would not find the same terms.
            raise IndexUnavailable(f"built with text analysis {found}, {analysis_version()} needed")

    @contextmanager
    def _writers_away(self):
        """True while this holds the writer lock (taken only if free), so that no writer can
        be half-way through a commit; False when a writer holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "writer.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _writer_lock(self, wait: bool):
        """One writer at a time across processes, covering the commit and its bookkeeping."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "writer.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as error:
                raise IndexBusy("another writer is applying changes") from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, upserts: Iterable[dict], deletes: Iterable[int], seq: int) -> None:
        """Add or replace documents and remove others in one commit; record `seq` as applied.

        Raises IndexBusy at once if another writer holds the lock: callers retry later rather
        than wait, so no request ever waits on the index.
        """
        with self._write_lock, self._writer_lock(wait=False):
            directory = self.current_dir()
            if directory is None:
                raise IndexUnavailable("no index yet")
            # Another process may have written (or damaged) files since this one last looked:
            # check them before adding to them, or the manifest below would bless the damage.
            if problem := integrity.problem(directory, self._digests):
                raise IndexUnavailable(f"not adding to a damaged index: {problem}")
            ix = self._open(directory)
            upserts, deletes = list(upserts), list(deletes)
            try:
                writer = ix.writer()
            except LockError as error:
                ix.close()
                raise IndexBusy(str(error)) from error
            try:
                replaced = self._vector_keys(writer, [d["id"] for d in upserts] + deletes)
                fields = self._with_vectors(upserts)
                for item in fields:
                    writer.update_document(**item)
                for practice_id in deletes:
                    writer.delete_by_term("id", str(practice_id))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            finally:
                ix.close()
            self._write_segment_files(directory)
            # The manifest first: readers wait for it after a commit (search.integrity).
            self._write_manifest(directory)
            self._forget_vectors(directory, replaced - {item["vkey"] for item in fields})
            if seq > self.applied_seq():
                self._write_seq(directory, seq)
        self.mark_stale()

    @staticmethod
    def _vector_keys(writer, practice_ids) -> set[int]:
        """The vector keys the given practices have in the index now (read with the writer's
        own searcher, which it keeps open for replacing documents anyway)."""
        keys = set()
        searcher = writer.searcher()
        for practice_id in practice_ids:
            stored = searcher.document(id=str(practice_id))
            if stored and stored.get("vkey"):
                keys.add(int(stored["vkey"]))
        return keys

    def _forget_vectors(self, directory: Path, keys: set[int]) -> None:
        """Delete cached vectors no live document uses any more (a practice unpublished or
        changed): derived data goes with what it was derived from."""
        cache = self.vector_cache() if keys else None
        if cache is None:
            return
        from whoosh.query import NumericRange

        with whoosh_index.open_dir(str(directory)).searcher() as searcher:
            unused = [k for k in keys if not searcher.search(NumericRange("vkey", k, k), limit=1)]
        cache.delete(unused)

    def rebuild(
        self,
        documents: Iterable[dict],
        seq: int,
        progress: Callable[[int], None] | None = None,
        wait: bool = True,
        parts: list[Callable[[], Iterable[dict]]] | None = None,
    ) -> int:
        """Build a new generation from all documents, then swap it in atomically (IndexBusy
        at once if another writer holds the lock and `wait` is False).

        With `parts`, each part's documents (a function returning them, called in a process of
        its own) become segments, written in parallel; `documents` is then not read."""
        with self._write_lock, self._writer_lock(wait=wait):
            directory = self.root / f"gen-{time.time_ns()}"
            directory.mkdir()
            ix = whoosh_index.create_in(str(directory), make_schema())
            (directory / "analysis").write_text(analysis_version())
            # Which sentence model the vector keys belong to (search/semantic.py): another
            # model finds none of them in its cache, so its index must be built again.
            (directory / "model").write_text(self.embedder.name if self.embedder else "")
            writer = ix.writer()  # only commits the parts' segments (and holds Whoosh's lock)
            try:
                if parts:
                    written = self._write_in_parallel(directory, parts, progress)
                else:
                    written = [self._write_segments(directory, documents, progress)]
                segments = [segment for part, _keys, _count in written for segment in part]
                # What Whoosh's own multiprocessing writer does with its processes' segments.
                writer._close_segment()
                writer._commit_toc(segments)
                writer._finish()
            except BaseException:
                writer.cancel()
                ix.close()
                shutil.rmtree(directory, ignore_errors=True)
                raise
            ix.close()
            keys = set().union(*(keys for _segment, keys, _count in written))
            count = sum(count for _segment, _keys, count in written)
            if self.vector_cache() is not None:
                self.vector_cache().keep_only(keys)
            self._write_segment_files(directory)
            self._write_manifest(directory)
            self._write_seq(directory, seq)
            link = self.root / f"current.{time.time_ns()}"
            os.symlink(directory.name, link)
            os.replace(link, self.current_link)
            # Older generations, and any a killed rebuild left half-written, are garbage now
            # (this process holds the writer lock, so no other rebuild is under way).
            for path in self.root.iterdir():
                if path.name.startswith("gen-") and path != directory:
                    shutil.rmtree(path, ignore_errors=True)
                    self._digests.forget(path)
                elif path.name.startswith("current.") and path.is_symlink():
                    path.unlink(missing_ok=True)
        self.mark_stale()
        return count

    def _write_segments(self, directory: Path, documents: Iterable[dict], progress):
        """New segments of the documents, SEGMENT_DOCS at most in each: (segments, their
        vector keys, how many documents)."""
        ix = whoosh_index.open_dir(str(directory))
        segments, keys, count = [], set(), 0
        writer, in_writer, batch = None, 0, []

        def flush():
            nonlocal writer, in_writer, keys
            if batch:
                if writer is None:
                    # The rebuild's writer holds the lock: this one writes a segment for it.
                    writer = _RebuildWriter(ix, _lk=False, limitmb=SEGMENT_MB)
                keys |= self._add_batch(writer, batch, progress)
                in_writer += len(batch)
            if writer is not None and (in_writer >= SEGMENT_DOCS or not batch):
                # Not writer._finish(): it would delete the temporary directory every writer of
                # this index shares (named after the index); the rebuild's writer does.
                segments.append(writer._finalize_segment())
                writer, in_writer = None, 0

        try:
            for document in documents:
                batch.append(document)
                if len(batch) == EMBED_BATCH:
                    flush()
                    count, batch = count + len(batch), []
            flush()
            count += len(batch)
            batch = []
            flush()
        except BaseException:
            if writer is not None:
                writer._close_segment()
            raise
        return segments, keys, count

    def _write_in_parallel(self, directory: Path, parts, progress) -> list:
        """Each part written into a segment by a process of its own (forked, so the parts need
        not be pickled); their progress is reported here as it comes."""
        self.vector_cache()  # the model loaded once, before the fork: its pages are shared
        context = multiprocessing.get_context("fork")
        events = context.Queue()
        workers = [
            context.Process(
                target=self._segment_worker, args=(directory, number, part, events), daemon=True
            )
            for number, part in enumerate(parts)
        ]
        for worker in workers:
            worker.start()
        written: dict[int, tuple] = {}
        try:
            while len(written) < len(workers):
                try:
                    kind, number, value = events.get(timeout=1.0)
                except queue.Empty:
                    failed = [n for n, w in enumerate(workers) if w.exitcode not in (None, 0)]
                    if failed and all(n not in written for n in failed):
                        raise RuntimeError(f"index writer process {failed[0]} died") from None
                    continue
                if kind == "progress":
                    if progress:
                        progress(value)
                elif kind == "error":
                    raise RuntimeError(f"index writer process {number} failed: {value}")
                else:
                    written[number] = value
        finally:
            for worker in workers:
                if worker.is_alive() and len(written) < len(workers):
                    worker.terminate()
                worker.join()
            events.close()
        return [written[number] for number in range(len(workers))]

    def _segment_worker(self, directory: Path, number: int, part, events) -> None:
        """In a forked process: write one part's segment and send it back."""
        # SQLite connections must not cross a fork: this process opens its own.
        self._vector_cache = None
        try:
            written = self._write_segments(
                directory, part(), lambda n: events.put(("progress", number, n))
            )
            events.put(("done", number, written))
        except BaseException as error:
            events.put(("error", number, repr(error)))

    def _add_batch(self, writer, documents: list[dict], progress) -> set[int]:
        fields = self._with_vectors(documents)
        for item in fields:
            writer.add_document(**item)
        if progress and documents:
            progress(len(documents))
        return {item["vkey"] for item in fields}

    # -- reading ---------------------------------------------------------------------------

    def mark_stale(self) -> None:
        self._checked_at = 0.0

    def _fresh(self):
        """The current searcher and snapshot, reopened when the index changed on disk, and
        never one whose files differ from what was committed."""
        with self._lock:
            now = time.monotonic()
            if self._searcher is not None and now - self._checked_at < FRESHNESS_CHECK_SECONDS:
                return self._searcher, self._snapshot
            self._checked_at = now
            directory = self.current_dir()
            if directory is None:
                raise IndexUnavailable("no index yet")
            target = str(directory)
            if self._searcher is not None and target == self._target:
                # Whoosh never rewrites a committed file, and removes old ones only after the
                # next commit's table of contents is written: a file of the open searcher that
                # changed while the searcher is still the latest is damage.
                touched = integrity.signatures(directory, self._opened) != self._opened
                if self._searcher.up_to_date():
                    if touched:
                        self._close_damaged(f"index files changed on disk under {target}")
                    return self._searcher, self._snapshot
            # Searcher.refresh() brings back deleted documents in some Whoosh forks: open anew.
            if self._searcher is None or target != self._target or not self._searcher.up_to_date():
                self._reopen(directory)
            return self._searcher, self._snapshot

    def _reopen(self, directory: Path) -> None:
        """Open the commit whose files were just checked (if another commit lands between the
        check and the opening, check again); keep the open searcher while a writer is busy."""
        for _attempt in range(3):
            manifest = self._committed(directory)
            if manifest is None:
                return  # the searcher open until the writer's manifest is written
            ix = self._open(directory)
            try:
                searcher = ix.searcher()
                for leaf, _offset in searcher.reader().leaf_readers():
                    # A committed segment never changes: its decoded postings can be kept.
                    if segment := _segment_id(leaf):
                        setattr(leaf, POSTINGS_KEY, (str(directory), segment))
                opened = searcher.reader().generation()  # None for an index with no segment
                if opened is not None and opened != integrity.generation(manifest["toc"]):
                    searcher.close()
                    continue
                self._generation += 1
                parts = self._segment_arrays(directory, searcher.reader())
                snapshot = Snapshot(searcher.reader(), self._generation, parts)
                snapshot.vectors = self._vector_table(snapshot, directory)
            except IndexUnavailable:
                raise
            except Exception as error:
                raise IndexUnavailable(f"cannot read the index: {error!r}") from error
            if self._searcher is not None:
                # A request that took the old searcher just before may still be reading it
                # (stored fields of its page): it is closed at the next reopen, not now.
                if self._retired is not None:
                    self._retired.close()
                self._retired = self._searcher
            self._searcher, self._snapshot, self._target = searcher, snapshot, str(directory)
            self._opened = integrity.signatures(directory, manifest["files"])
            self.damage = None
            self._cache.clear()
            return
        if self._searcher is None:
            raise IndexBusy("the index keeps changing while it is opened")

    def _committed(self, directory: Path) -> dict | None:
        """Check the files before opening them: the manifest they were checked against; None
        to keep the searcher already open while a writer finishes its commit;
        IndexUnavailable when they are damaged, IndexBusy when a commit takes too long and
        nothing is open."""
        deadline = time.monotonic() + COMMIT_WAIT_SECONDS
        while True:
            manifest = integrity.read_manifest(directory)
            verdict = integrity.reader_problem(directory, self._digests, manifest=manifest)
            if verdict is not integrity.PENDING:
                break
            if self._searcher is not None and str(directory) == self._target:
                return None
            with self._writers_away() as away:
                # Out of step with no writer at work: one was killed before its manifest.
                if away and (verdict := integrity.problem(directory, self._digests)):
                    break
            if time.monotonic() > deadline:
                raise IndexBusy("a commit of the index is under way")
            time.sleep(0.05)
        if verdict:
            self._close_damaged(verdict)
        return manifest

    def _close_damaged(self, reason: str):
        """Stop answering from damaged files: searches get 503 until the writer rebuilds."""
        if self.damage != reason:
            self.damage = reason
        for searcher in (self._searcher, self._retired):
            if searcher is not None:
                searcher.close()
        self._searcher = self._snapshot = self._target = self._retired = None
        self._segments = {}
        self._arrays = {}
        self._opened = {}
        self._cache.clear()
        raise IndexUnavailable(reason)

    def _segment_arrays(self, directory: Path, reader) -> list[SegmentArrays]:
        """Each segment's arrays: kept from an earlier snapshot, mapped from the writer's
        files, or read from the segment (an index written before the files, or sharing off)."""
        mapped = shared_files_enabled()
        parts, held = [], {}
        for leaf, _offset in reader.leaf_readers():
            segment = _segment_id(leaf)
            part = self._arrays.get((str(directory), segment)) if segment else None
            if part is None or (mapped and not part.mapped):
                loaded = None
                if mapped and segment:
                    loaded = SegmentArrays.load(directory, segment, leaf.doc_count_all())
                part = loaded or part or SegmentArrays.compute(leaf)
            parts.append(part)
            if segment:
                held[(str(directory), segment)] = part
        self._arrays = held  # those of segments merged away are let go (and unmapped)
        return parts

    def _segment_vectors(self, directory: Path, leaf, keys: np.ndarray, mapped: bool):
        """One segment's vectors: kept from an earlier snapshot, mapped from the writer's
        files, or read from the cache into memory."""
        segment = _segment_id(leaf)
        held = self._segments.get((str(directory), segment)) if segment else None
        if held is not None and (held.mapped or not mapped):
            return held
        cache = self.vector_cache()
        part = None
        if mapped and segment:
            name = _vector_file_name(cache, self._projection, segment)
            part = SegmentVectors.load(directory, name, keys, self._vector_dim)
        return part or held or self._from_cache(keys, cache)

    def _vector_table(self, snapshot: Snapshot, directory: Path) -> VectorTable | None:
        if self.vector_cache() is None:
            return None
        mapped = shared_files_enabled()
        keys = snapshot.vkeys
        parts, held = [], {}
        for leaf, offset in snapshot.reader.leaf_readers():
            own = keys[offset : offset + leaf.doc_count_all()]
            part = self._segment_vectors(directory, leaf, own, mapped)
            parts.append(part)
            if segment := _segment_id(leaf):
                held[(str(directory), segment)] = part
        self._segments = held  # parts of segments merged away are let go (and unmapped)
        return VectorTable(parts, snapshot.live, self._vector_dim)

    @staticmethod
    def _segment_file_names(directory: Path) -> list[str]:
        return sorted(p.name for pattern in ("vec-*", "arr-*") for p in directory.glob(pattern))

    def complete_vector_files(self) -> None:
        """Write the segment files an index lacks (one written before they existed, or while
        the model was off), without waiting for the next commit. IndexBusy if locked."""
        with self._write_lock, self._writer_lock(wait=False):
            directory = self.current_dir()
            if directory is None or integrity.problem(directory, self._digests):
                return  # nothing to complete, or damage: the repair's business
            before = self._segment_file_names(directory)
            self._write_segment_files(directory)
            if self._segment_file_names(directory) == before:
                return
            self._write_manifest(directory)
        with self._lock:
            self._target = None  # reopen, mapping the new files
        self.mark_stale()

    def _write_segment_files(self, directory: Path) -> None:
        """After a commit, under the writer lock: write the arrays and vector rows of every
        segment that has none yet, and remove those of segments merged away (before the
        manifest, which then lists exactly these files)."""
        cache = self.vector_cache()
        wanted = set()
        ix = self._open(directory)
        try:
            # Only segments without files are opened: opening a reader of every segment
            # took 150 ms at 100k practices, for files that exist but one pair.
            for info in ix._segments():
                segment = info.segment_id()
                arrays = self._arrays.get((str(directory), segment))
                files = array_paths(directory, segment).values()
                wanted |= {p.name for p in files}
                vectors = ()
                if cache is not None:
                    name = _vector_file_name(cache, self._projection, segment)
                    vectors = SegmentVectors.paths(directory, name)
                    wanted |= {p.name for p in vectors}
                if all(p.exists() for p in (*files, *vectors)):
                    continue
                with SegmentReader(ix.storage, ix.schema, info) as leaf:
                    if not all(p.exists() for p in files):
                        arrays = arrays or SegmentArrays.compute(leaf)
                        arrays.save(directory, segment)
                        self._arrays[(str(directory), segment)] = arrays
                    if cache is None or all(p.exists() for p in vectors):
                        continue
                    if arrays is None:
                        arrays = SegmentArrays.load(directory, segment, leaf.doc_count_all())
                        arrays = arrays or SegmentArrays.compute(leaf)
                keys = np.asarray(arrays.column("vkey"))
                part = self._segments.get((str(directory), segment))
                part = part or self._from_cache(keys, cache)
                part.save(directory, name)
        finally:
            ix.close()
        for path in self._segment_file_names(directory):
            if path not in wanted:
                (directory / path).unlink(missing_ok=True)

    def warm(self) -> None:
        """Open the current reader and build its arrays now (the writer calls this after a
        commit, so that the next request does not pay for it)."""
        dictionary.preload()  # once: the word lists a correction reads (about a second)
        self.mark_stale()
        searcher, snapshot = self._fresh()
        self._lengths(searcher, snapshot)

    def _lengths(self, searcher, snapshot: Snapshot) -> dict:
        with self._lock:
            if snapshot.lengths is None:
                snapshot.lengths = snapshot.field_lengths()
            return snapshot.lengths

    def document_versions(self) -> dict[int, str]:
        """Every indexed id with the version (update time) it was indexed at."""
        snapshot = self._fresh()[1]
        with self._lock:
            return snapshot.versions()

    def search(self, params: SearchParams) -> SearchResult:
        searcher, snapshot = self._fresh()
        return self._cached(
            (snapshot.generation, "search", params),
            lambda: self._search(searcher, snapshot, params),
        )

    def memo(self, key, compute: Callable[[], object]):
        """Whatever `compute` returns, kept until the index changes (for callers' own views of
        a search, such as a serialised page)."""
        snapshot = self._fresh()[1]
        return self._cached((snapshot.generation, "memo", key), compute)

    def _cached(self, key, compute):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def _match(
        self, searcher, snapshot: Snapshot, query, scope: np.ndarray | None = None
    ) -> Matches:
        """Every live matching document with its exact score, in one pass over the postings."""
        lengths = self._lengths(searcher, snapshot)
        with self._lock:
            evaluator = Evaluator(searcher, snapshot.size, snapshot.live, lengths, scope)
            try:
                docnums, scores = evaluator.run(query)
            except Unsupported:
                docnums, scores = evaluator.run(query, stepwise=True)
            return Matches(docnums, scores, evaluator.weak, evaluator.below)

    def _search(self, searcher, snapshot: Snapshot, params: SearchParams) -> SearchResult:
        candidates = snapshot.year_mask(params.year_from, params.year_to)
        scores = np.zeros(snapshot.size)
        text = params.q
        query = self.queries.parse(text, areas=params.areas) if text.strip() else None
        suggestion = corrected_from = None
        selections = {facet: params.selected(facet) for facet in FACETS}
        if query is not None:
            if isinstance(query, Coordinated) and snapshot.vectors is not None:
                self._prefetch(text)
            scope = snapshot.filtered(candidates, selections)
            docnums, matched_scores, weak, below = self._match(searcher, snapshot, query, scope)
            if not isinstance(query, Coordinated):
                # Quotes and operators keep their strict sense: a correction is only offered.
                suggestion = self._suggest(searcher, snapshot, text, len(docnums))
            elif not params.as_typed:
                correction = self._correction(searcher, snapshot, text, params.areas)
                if correction is not None:
                    fixed = self._match(searcher, snapshot, correction[1], scope)
                    if _finds_more(matched_scores, query, fixed.scores, correction[1]):
                        corrected_from, (text, query) = text, correction
                        docnums, matched_scores, weak, below = fixed
                    elif len(fixed.docnums):
                        # The typed words find as much: keep them, and offer the correction
                        # ("Did you mean"), as for a strict query.
                        suggestion = correction[0]
            matched = np.zeros(snapshot.size, dtype=bool)
            matched[docnums] = True
            scores[docnums] = matched_scores
            # Plain queries also match by meaning.
            if isinstance(query, Coordinated) and snapshot.vectors is not None:
                similarities = snapshot.vectors.similarities(self._query_vector(text))
                matched, scores = self.fusion.fuse(
                    matched,
                    scores,
                    similarities,
                    facets_only=query.facets_only,
                    weak=weak,
                    scale=scale_of(self.embedder, text),
                    below=below,
                )
            if params.areas and isinstance(query, Coordinated):
                scores = self._area_first(searcher, snapshot, params.areas, matched, scores)
            candidates &= matched
        results, counts, totals_without = snapshot.count(candidates, selections)

        hits = np.flatnonzero(results)
        sort = params.sort
        if query is None and sort == "relevance":
            sort = "newest"
        total = len(hits)
        pages = max(1, -(-total // params.per_page))
        start = (params.page - 1) * params.per_page
        page_docnums = self._page(hits, results, snapshot, scores, sort, start, params.per_page)

        ids, cards, snippets, languages = [], {}, {}, {}
        marked = (
            snippet_terms(query, self.queries.highlight_terms(text))
            if query is not None
            else frozenset()
        )
        with self._lock:
            for docnum in page_docnums:
                stored = searcher.stored_fields(int(docnum))
                practice_id = int(stored["id"])
                ids.append(practice_id)
                cards[practice_id] = json.loads(stored.get("card") or "{}")
                if query is None:
                    continue
                # The reader's language first: the card shows the title translated too.
                own = json.loads(stored.get("summaries") or "{}").get(params.reader)
                found = own and marked_passages(self.queries.marking, (own,), marked)
                if found:
                    snippets[practice_id], languages[practice_id] = found, params.reader
                else:
                    snippets[practice_id] = snippet(
                        self.queries.marking,
                        stored.get("summary", ""),
                        stored.get("body", ""),
                        marked,
                    )
        return SearchResult(
            ids=ids,
            total=total,
            facets=counts,
            snippets=snippets,
            snippet_languages=languages,
            cards=cards,
            suggestion=suggestion,
            totals_without=totals_without,
            pages=pages,
            searched=text if corrected_from is not None else None,
        )

    def _area_first(self, searcher, snapshot: Snapshot, areas, matched, scores) -> np.ndarray:
        """Practices of a sub-region named in the words (SearchParams.areas: of its countries,
        or naming it) before the others the search finds: "NGOs Latin America" is about Latin
        America, within the Americas."""
        topic = self.queries.areas_topic(areas)
        inside = np.zeros(snapshot.size, dtype=bool)
        inside[self._match(searcher, snapshot, topic)[0]] = True
        inside &= matched
        if not inside.any():
            return scores
        return np.where(inside, scores + scores.max() + 1.0, scores)

    @staticmethod
    def _page(hits, results, snapshot: Snapshot, scores, sort: str, start: int, count: int):
        """The document numbers of one page of the results in the sort's order, without
        sorting every result: by relevance only those scoring at least the page's last one
        are sorted; the other sorts read the results off the snapshot's fixed order."""
        end = start + count
        if sort == "relevance":
            chosen = hits
            if len(hits) > 4 * end:
                # Every result scoring at least the end-th best (ties included) comes first.
                matched = scores[hits]
                floor = np.partition(matched, len(hits) - end)[len(hits) - end]
                chosen = hits[matched >= floor]
            # Best first; equal scores: the most recent activity first, as "newest".
            order = np.lexsort((-snapshot.recent_rank[chosen], -scores[chosen]))
            return chosen[order][start:end]
        ranks = {
            "newest": snapshot.recent_rank,
            "oldest": snapshot.start_rank,
            "added": snapshot.added_rank,
            "title": snapshot.title_rank,
        }[sort]
        # Each rank is a permutation of the document numbers: inverted, it lists them in order.
        in_order = np.empty(len(ranks), dtype=np.int64)
        in_order[ranks] = np.arange(len(ranks))
        if sort in ("newest", "added"):  # the highest rank first
            in_order = in_order[::-1]
        return in_order[np.flatnonzero(results[in_order])[start:end]]

    def _correction(self, searcher, snapshot: Snapshot, q: str, areas=()):
        """The query with its unknown words corrected, parsed, or None."""
        reader = searcher.reader()

        def live(term: str) -> bool:
            postings, _weights = read_postings(reader, "spell", term)
            return bool(snapshot.live[postings].any())

        with self._lock:
            corrected = self.queries.correct(reader, q, live, areas)
        if corrected is None:
            return None
        query = self.queries.parse(corrected, areas=areas)
        return (corrected, query) if query is not None else None

    def _suggest(self, searcher, snapshot: Snapshot, q: str, matched: int) -> str | None:
        """A corrected query, offered only when it finds more than what was typed."""
        correction = self._correction(searcher, snapshot, q)
        if correction is None:
            return None
        docnums = self._match(searcher, snapshot, correction[1]).docnums
        return correction[0] if len(docnums) > matched else None

    def related(self, q: str, limit: int = 3) -> list[tuple[int, dict]]:
        """A few practices sharing any word with the query, for a search that found nothing."""
        searcher, snapshot = self._fresh()
        query = self.queries.parse(q, any_word=True) if q.strip() else None
        if query is None:
            hits = np.flatnonzero(snapshot.live)
            chosen = hits[np.argsort(-snapshot.recent_rank[hits])][:limit]
        else:
            docnums, scores = self._match(searcher, snapshot, query)[:2]
            chosen = docnums[np.argsort(-scores, kind="stable")][:limit]
        return self._cards(searcher, chosen)

    def more_like_this(self, practice_id: int, limit: int = 5) -> list[tuple[int, dict]]:
        """Practices like this one: by meaning when the semantic layer is on (in any language:
        its title and summary compared with every passage of the others), else by key words."""
        searcher, snapshot = self._fresh()
        docnum = snapshot.docnum_by_id.get(practice_id)
        if docnum is None:
            return []
        vectors = snapshot.vectors
        if vectors is not None and vectors.with_vectors[docnum]:
            similarities = vectors.similarities(vectors.first_row(docnum))
            similarities[docnum] = -1.0
            order = np.argsort(-similarities, kind="stable")[:limit]
            return self._cards(searcher, [d for d in order if similarities[d] > -1])
        with self._lock:
            stored = searcher.stored_fields(docnum)
            text = " ".join(
                [stored.get("title", ""), stored.get("summary", ""), stored.get("body", "")]
            )
            hits = searcher.more_like(docnum, "body", text=text, top=limit + 1, numterms=15)
            chosen = [hit.docnum for hit in hits if hit.docnum != docnum][:limit]
        return self._cards(searcher, chosen)

    def _cards(self, searcher, docnums) -> list[tuple[int, dict]]:
        cards = []
        with self._lock:
            for docnum in docnums:
                stored = searcher.stored_fields(int(docnum))
                cards.append((int(stored["id"]), json.loads(stored.get("card") or "{}")))
        return cards

    def close(self) -> None:
        with self._lock:
            for searcher in (self._searcher, self._retired):
                if searcher is not None:
                    searcher.close()
            self._searcher = self._snapshot = self._retired = None
            self._segments = {}
            self._arrays = {}
