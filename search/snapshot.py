"""Per-reader arrays for exact facet counting and sorting without touching Whoosh per query.

Joined each time the index reader changes, from its segments' arrays (search.segments): for
every facet, the (document, value) pairs as two parallel arrays; for sorting and year ranges, one
number per document. Counting a facet over any set of matched documents is then one numpy
bincount.
"""

from functools import cached_property

import numpy as np

from search.params import FACETS
from search.schema import ONGOING
from search.segments import LENGTH_FIELDS, SegmentArrays


class FacetColumn:
    """The (document number, value number) pairs of one facet."""

    def __init__(self, values: list[str], docs: np.ndarray, codes: np.ndarray):
        self.values = values
        self.index = {value: i for i, value in enumerate(values)}
        self.docs = docs
        self.codes = codes
        # Where each value's documents start when the pairs come grouped by value, every value
        # present, in value order (as _column reads them, a posting list after another): then
        # counting is one sum per run, and a value's documents are one slice.
        self._runs = None
        if len(codes) and len(values):
            starts = np.flatnonzero(np.diff(codes, prepend=-1))
            if len(starts) == len(values) and np.array_equal(codes[starts], np.arange(len(values))):
                self._runs = np.append(starts, len(codes))

    def matching(self, selected: tuple[str, ...], size: int) -> np.ndarray:
        """Documents having any of the selected values (OR within a facet)."""
        hit = np.zeros(size, dtype=bool)
        chosen = sorted({self.index[value] for value in selected if value in self.index})
        if self._runs is not None:
            for i in chosen:
                hit[self.docs[self._runs[i] : self._runs[i + 1]]] = True
            return hit
        wanted = np.zeros(len(self.values) + 1, dtype=bool)
        wanted[chosen] = True
        hit[self.docs[wanted[self.codes]]] = True
        return hit

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        if self._runs is not None:
            # Several times faster than a bincount of the matching pairs' values.
            tally = np.add.reduceat(mask[self.docs].view(np.uint8), self._runs[:-1], dtype=np.int64)
        else:
            tally = np.bincount(self.codes[mask[self.docs]], minlength=len(self.values))
        return {self.values[i]: int(tally[i]) for i in np.flatnonzero(tally).tolist()}


class Snapshot:
    """The arrays of one reader, joined from its segments' (search.segments): each segment's
    are read once and reused by later snapshots, so a commit costs only its new segment; the
    live mask comes from each segment's deleted documents, and the sort ranks are computed on
    the first search that needs them."""

    def __init__(self, reader, generation: int, parts: "list[SegmentArrays] | None" = None):
        self.generation = generation
        self.reader = reader
        self.lengths: dict[str, np.ndarray] | None = None  # field lengths, filled on first use
        leaves = reader.leaf_readers()
        if parts is None:
            parts = [SegmentArrays.compute(leaf) for leaf, _offset in leaves]
        self.parts = parts
        self.offsets = [offset for _leaf, offset in leaves]
        size = reader.doc_count_all()
        self.size = size
        self.live = np.ones(size, dtype=bool)
        for leaf, offset in leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                self.live[offset + deleted] = False
        self.ids = self._joined("num_id")
        self.start_year = self._joined("start_year")
        self.end_year = self._joined("end_year")
        self.published = self._joined("published")
        self.vkeys = self._joined("vkey")
        self._docnum_by_id: dict[int, int] | None = None
        self.columns = {facet: self._column(facet) for facet in FACETS}
        self.vectors = None  # a search.vectors.VectorTable when the semantic layer is on

    def _joined(self, name: str) -> np.ndarray:
        if not self.parts:
            return np.zeros(self.size, dtype=np.int64)
        return np.concatenate([part.column(name) for part in self.parts])

    def field_lengths(self) -> dict[str, np.ndarray]:
        """Every document's length in each scored field."""
        return {
            field: np.concatenate([p.field_lengths(field) for p in self.parts])
            if self.parts
            else np.zeros(self.size)
            for field in LENGTH_FIELDS
        }

    def _column(self, facet: str) -> "FacetColumn":
        found = [part.facet(facet) for part in self.parts]
        values = sorted({value for part_values, _docs, _codes in found for value in part_values})
        if not values:
            return FacetColumn([], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32))
        number = {value: i for i, value in enumerate(values)}
        docs, codes = [], []
        for (part_values, part_docs, part_codes), offset in zip(found, self.offsets, strict=True):
            if len(part_values):
                renumber = np.array([number[v] for v in part_values], dtype=np.int32)
                docs.append(np.asarray(part_docs, dtype=np.int32) + np.int32(offset))
                codes.append(renumber[part_codes])
        return FacetColumn(values, np.concatenate(docs), np.concatenate(codes))

    # Ranks: one argsort each over keys made unique (a lexsort of several keys over 100k
    # documents took ten times as long), so the order is exactly the sort by those keys.

    @cached_property
    def added_rank(self) -> np.ndarray:
        """By publication time, ties broken by id."""
        order = np.argsort(self.published, kind="stable")
        ordered = self.published[order]
        if len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any()):
            order = np.lexsort((self.ids, self.published))
        return _rank_of(order)

    @cached_property
    def recent_rank(self) -> np.ndarray:
        """Most recent activity: still running (end year ONGOING), then ended later, then
        started later; the last published breaks ties."""
        years = self.end_year * (ONGOING + 1) + self.start_year
        return _rank_of(np.argsort(years * max(self.size, 1) + self.added_rank))

    @cached_property
    def start_rank(self) -> np.ndarray:
        """By start year, the last published first within a year."""
        later = max(self.size, 1) - 1 - self.added_rank
        return _rank_of(np.argsort(self.start_year * max(self.size, 1) + later))

    @cached_property
    def title_rank(self) -> np.ndarray:
        """Rank by title, read from stored fields the first time a search sorts by title (each
        segment's titles are kept with its arrays, so a later snapshot reads only new ones)."""
        titles: list[str] = []
        for part, (leaf, _offset) in zip(self.parts, self.reader.leaf_readers(), strict=True):
            if part.titles is None:
                own = [""] * part.size
                for docnum, stored in leaf.iter_docs():
                    own[docnum] = (stored.get("title") or "").casefold()
                part.titles = own
            titles.extend(part.titles)
        ids = self.ids.tolist()
        order = sorted(range(self.size), key=lambda d: (titles[d], ids[d]))
        return _rank_of(np.asarray(order, dtype=np.int64))

    @property
    def docnum_by_id(self) -> dict[int, int]:
        if self._docnum_by_id is None:
            live = np.flatnonzero(self.live)
            self._docnum_by_id = dict(zip(self.ids[live].tolist(), live.tolist(), strict=True))
        return self._docnum_by_id

    def versions(self) -> dict[int, str]:
        """Each live document's indexed version, from stored fields (for drift checks)."""
        return {int(s["id"]): s.get("version") or "" for _d, s in self.reader.iter_docs()}

    def year_mask(self, year_from: int | None, year_to: int | None) -> np.ndarray:
        """Practices running at some point in [year_from, year_to]; ongoing ones run until now."""
        mask = self.live.copy()
        if year_to is not None:
            mask &= self.start_year <= year_to
        if year_from is not None:
            mask &= self.end_year >= year_from
        return mask

    def filtered(self, candidates: np.ndarray, selections: dict[str, tuple[str, ...]]):
        """The candidates every facet filter allows."""
        mask = candidates.copy()
        for facet, values in selections.items():
            if values:
                mask &= self.columns[facet].matching(values, self.size)
        return mask

    def count(self, candidates: np.ndarray, selections: dict[str, tuple[str, ...]]):
        """Results, per-facet counts and totals-without-each-filter, in one exact pass.

        A facet's counts apply every other facet's filter but not its own, so each count says
        how many results ticking that value gives.
        """
        passing = {f: self.columns[f].matching(v, self.size) for f, v in selections.items() if v}
        results = candidates.copy()
        for mask in passing.values():
            results &= mask
        counts, totals_without = {}, {}
        for facet, column in self.columns.items():
            if facet in passing:
                others = candidates.copy()
                for other, mask in passing.items():
                    if other != facet:
                        others &= mask
                totals_without[facet] = int(others.sum())
            else:
                others = results
            counts[facet] = column.counts(others)
        return results, counts, totals_without


def _rank_of(order: np.ndarray) -> np.ndarray:
    """Each document's position in the order."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank
