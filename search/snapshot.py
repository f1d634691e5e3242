"""Per-reader arrays for exact facet counting and sorting without touching Whoosh per query.

Built once each time the index reader changes: for every facet, the (document, value) pairs as
two parallel arrays; for sorting and year ranges, one number per document. Counting a facet over
any set of matched documents is then one numpy bincount. Everything is read in bulk (posting
blocks and fixed-width columns), never one document at a time.
"""

import numpy as np

from search.params import FACETS
from search.schema import ONGOING, facet_field
from search.scoring import numeric_column, read_postings


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
    def __init__(self, reader, generation: int):
        self.generation = generation
        self.reader = reader
        self.lengths: dict[str, np.ndarray] | None = None  # field lengths, filled on first use
        size = reader.doc_count_all()
        self.size = size
        self.live = np.ones(size, dtype=bool)
        for segment, offset in reader.leaf_readers():
            for docnum in segment.deleted_docs_set if segment.has_deletions() else ():
                self.live[offset + docnum] = False
        self.ids = numeric_column(reader, "num_id", size)
        self.start_year = numeric_column(reader, "start_year", size)
        self.end_year = numeric_column(reader, "end_year", size, default=ONGOING)
        published = numeric_column(reader, "published", size)
        self.added_rank = _rank(published, self.ids)
        # Most recent activity: still running (end year ONGOING), then ended later, then started
        # later; the last published breaks ties.
        self.recent_rank = _rank_by((self.added_rank, self.start_year, self.end_year))
        self.start_rank = _rank_by((self.ids, -self.added_rank, self.start_year))
        self._title_rank: np.ndarray | None = None
        self._docnum_by_id: dict[int, int] | None = None
        self.columns = {facet: _column(reader, facet_field(facet), self.live) for facet in FACETS}
        self.vectors = None  # a search.vectors.VectorTable when the semantic layer is on

    @property
    def title_rank(self) -> np.ndarray:
        """Rank by title, read from stored fields the first time a search sorts by title."""
        if self._title_rank is None:
            titles = [""] * self.size
            for docnum, stored in self.reader.iter_docs():
                titles[docnum] = (stored.get("title") or "").casefold()
            order = sorted(range(self.size), key=lambda d: (titles[d], self.ids[d]))
            rank = np.empty(self.size, dtype=np.int64)
            rank[order] = np.arange(self.size)
            self._title_rank = rank
        return self._title_rank

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


def _rank_by(keys: tuple) -> np.ndarray:
    """Each document's position when sorted by the keys (the last one first, as np.lexsort)."""
    order = np.lexsort(keys)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _rank(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each document's position when sorted by key, ties broken by id."""
    order = np.lexsort((ids, keys))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


def _column(reader, field: str, live: np.ndarray) -> FacetColumn:
    values, docs, codes = [], [], []
    for term in reader.lexicon(field):
        postings, _weights = read_postings(reader, field, term)
        postings = postings[live[postings]]
        if not len(postings):
            continue  # a value only deleted documents had
        codes.append(np.full(len(postings), len(values), dtype=np.int64))
        docs.append(postings)
        values.append(term.decode("utf-8") if isinstance(term, bytes) else term)
    if not values:
        return FacetColumn([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return FacetColumn(values, np.concatenate(docs), np.concatenate(codes))
