"""What a snapshot needs from one Whoosh segment, derived once and kept, or shared as files.

A segment never changes once written (deletions are kept apart, as its deleted-documents set),
so everything a snapshot reads from it for facets, sorting, year ranges and scoring can be
read once: the numeric columns (ids, years, publication time, vector keys), the field lengths,
and each facet's (document, value) pairs with the values as strings. A snapshot joins its
segments' arrays (search.snapshot); after a commit only the new segment is read, and the
others are reused, in memory or as files.

The index writer saves each new segment's arrays as .npy files in the generation directory,
next to its vector files and before the manifest, which lists them like the segments; every
worker maps them read-only (numpy memmap), so N workers read and keep one copy in the page
cache. Files are named after a hash of their layout, so a version of the code that reads other
columns never takes another's files for its own: it computes the arrays itself, as a reader of
an index written before these files existed does.
"""

import hashlib
import os
from pathlib import Path

import numpy as np

from search.params import FACETS
from search.schema import ONGOING, TEXT_FIELDS, facet_field
from search.scoring import field_lengths, numeric_column, read_postings

NUMBERS = ("num_id", "start_year", "end_year", "published", "vkey")
DEFAULTS = {"end_year": ONGOING}
LENGTH_FIELDS = (*TEXT_FIELDS, "acronyms", "concepts")
LAYOUT = hashlib.sha256(repr((1, NUMBERS, LENGTH_FIELDS, tuple(FACETS))).encode()).hexdigest()[:8]
PREFIX = "arr-"
PARTS = ("values", "pairs", "lengths", "numbers")  # written in this order: numbers last


def file_name(segment: str) -> str:
    return f"{PREFIX}{LAYOUT}-{segment}"


def paths(directory: Path, segment: str) -> dict[str, Path]:
    name = file_name(segment)
    return {part: directory / f"{name}.{part}.npy" for part in PARTS}


class SegmentArrays:
    """One segment's arrays, by the segment's own document numbers (deleted ones included).

    numbers: int64 rows NUMBERS x documents; lengths: float64 rows LENGTH_FIELDS x documents;
    values: (facet, value) string pairs, grouped by facet; pairs: two int32 rows, a document
    and the number of its value, ordered by value number (so grouped by facet too).
    """

    def __init__(self, numbers, lengths, values, pairs, mapped: bool = False):
        self.numbers = numbers
        self.lengths = lengths
        self.pairs = pairs
        self.size = numbers.shape[1]
        self.mapped = mapped
        self.values = values
        facets = values[:, 0] if len(values) else np.zeros(0, dtype=str)
        codes = pairs[1]
        self._facets = {}
        for facet in FACETS:
            found = np.flatnonzero(facets == facet)
            low, high = (int(found[0]), int(found[-1]) + 1) if len(found) else (0, 0)
            start, end = np.searchsorted(codes, [low, high], side="left")
            self._facets[facet] = (low, high, int(start), int(end))
        self.titles: list[str] | None = None  # casefolded titles, read on the first title sort

    def column(self, name: str) -> np.ndarray:
        return self.numbers[NUMBERS.index(name)]

    def field_lengths(self, field: str) -> np.ndarray:
        return self.lengths[LENGTH_FIELDS.index(field)]

    def facet(self, facet: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The facet's values in this segment, and its (document, value index) pairs."""
        low, high, start, end = self._facets[facet]
        values = [str(v) for v in self.values[low:high, 1]]
        return values, self.pairs[0, start:end], self.pairs[1, start:end] - low

    @classmethod
    def compute(cls, leaf) -> "SegmentArrays":
        """Read from the segment's columns and postings (a few reads per facet value)."""
        size = leaf.doc_count_all()
        numbers = (
            np.stack(
                [
                    numeric_column(leaf, name, size, default=DEFAULTS.get(name, 0))
                    for name in NUMBERS
                ]
            )
            if size
            else np.zeros((len(NUMBERS), 0), dtype=np.int64)
        )
        lengths = np.zeros((len(LENGTH_FIELDS), size), dtype=np.float64)
        for row, field in enumerate(LENGTH_FIELDS):
            if size:
                lengths[row] = field_lengths(leaf, field, size)
        values, docs, codes = [], [], []
        for facet in FACETS:
            field = facet_field(facet)
            for term in leaf.lexicon(field) if size else ():
                postings, _weights = read_postings(leaf, field, term)
                if not len(postings):
                    continue
                docs.append(postings.astype(np.int32))
                codes.append(np.full(len(postings), len(values), dtype=np.int32))
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                values.append((facet, value))
        pairs = (
            np.stack([np.concatenate(docs), np.concatenate(codes)])
            if docs
            else np.zeros((2, 0), dtype=np.int32)
        )
        table = np.array(values, dtype=str).reshape(-1, 2)
        return cls(numbers, lengths, table, pairs)

    def save(self, directory: Path, segment: str) -> None:
        """Each file is written whole under a temporary name, numbers last: a reader that
        finds the numbers file finds the others complete."""
        arrays = {
            "values": self.values,
            "pairs": self.pairs,
            "lengths": self.lengths,
            "numbers": self.numbers,
        }
        for part, path in paths(directory, segment).items():
            temporary = path.with_name(path.name + ".tmp")
            with open(temporary, "wb") as handle:
                np.save(handle, np.asarray(arrays[part]), allow_pickle=False)
            os.replace(temporary, path)

    @classmethod
    def load(cls, directory: Path, segment: str, size: int) -> "SegmentArrays | None":
        """The segment's arrays mapped read-only from the writer's files; None when they are
        missing or do not fit the segment (then the reader computes them itself)."""
        found = paths(directory, segment)
        try:
            numbers = np.load(found["numbers"], mmap_mode="r", allow_pickle=False)
            lengths = np.load(found["lengths"], mmap_mode="r", allow_pickle=False)
            pairs = np.load(found["pairs"], mmap_mode="r", allow_pickle=False)
            values = np.load(found["values"], allow_pickle=False)
        except (OSError, ValueError):
            return None
        fits = (
            numbers.shape == (len(NUMBERS), size)
            and numbers.dtype == np.int64
            and lengths.shape == (len(LENGTH_FIELDS), size)
            and lengths.dtype == np.float64
            and pairs.ndim == 2
            and pairs.shape[0] == 2
            and pairs.dtype == np.int32
            and values.ndim == 2
            and values.shape[1] == 2
            and values.dtype.kind == "U"
        )
        if not fits:
            return None
        return cls(numbers, lengths, values, pairs, mapped=True)
