"""Per-reader arrays for exact facet counting and sorting without touching Whoosh per query.

Built once each time the index reader changes: for every facet, the (document, value) pairs as
two parallel arrays; for sorting, one rank per document. Counting a facet over any set of
matched documents is then one numpy bincount.
"""

import numpy as np

from search.params import FACETS
from search.schema import facet_field

ONGOING = 9999


class FacetColumn:
    """The (document number, value number) pairs of one facet."""

    def __init__(self, values: list[str], docs: np.ndarray, codes: np.ndarray):
        self.values = values
        self.index = {value: i for i, value in enumerate(values)}
        self.docs = docs
        self.codes = codes

    def matching(self, selected: tuple[str, ...], size: int) -> np.ndarray:
        """Documents having any of the selected values (OR within a facet)."""
        wanted = np.zeros(len(self.values) + 1, dtype=bool)
        for value in selected:
            if value in self.index:
                wanted[self.index[value]] = True
        hit = np.zeros(size, dtype=bool)
        hit[self.docs[wanted[self.codes]]] = True
        return hit

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        tally = np.bincount(self.codes[mask[self.docs]], minlength=len(self.values))
        return {value: int(tally[i]) for i, value in enumerate(self.values) if tally[i]}


class Snapshot:
    def __init__(self, reader, generation: int):
        self.generation = generation
        size = reader.doc_count_all()
        self.size = size
        self.live = np.zeros(size, dtype=bool)
        self.ids = np.full(size, -1, dtype=np.int64)
        self.start_year = np.zeros(size, dtype=np.int32)
        self.end_year = np.zeros(size, dtype=np.int32)
        published = [""] * size
        titles = [""] * size
        self.versions: dict[int, str] = {}
        self.docnum_by_id: dict[int, int] = {}
        for docnum, stored in reader.iter_docs():
            practice_id = int(stored["id"])
            self.live[docnum] = True
            self.ids[docnum] = practice_id
            self.start_year[docnum] = stored.get("start_year") or 0
            end = stored.get("end_year")
            self.end_year[docnum] = ONGOING if end is None else end
            published[docnum] = stored.get("published_at") or ""
            titles[docnum] = (stored.get("title") or "").casefold()
            self.versions[practice_id] = stored.get("version") or ""
            self.docnum_by_id[practice_id] = docnum
        self.newest_rank = _rank(published, self.ids)
        self.title_rank = _rank(titles, self.ids)
        self.columns = {facet: _column(reader, facet_field(facet), self.live) for facet in FACETS}

    def year_mask(self, year_from: int | None, year_to: int | None) -> np.ndarray:
        """Practices running at some point in [year_from, year_to]; ongoing ones run until now."""
        mask = self.live.copy()
        if year_to is not None:
            mask &= self.start_year <= year_to
        if year_from is not None:
            mask &= self.end_year >= year_from
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


def _rank(keys: list[str], ids: np.ndarray) -> np.ndarray:
    """Each document's position when sorted by key, ties broken by id."""
    order = sorted(range(len(keys)), key=lambda d: (keys[d], ids[d]))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


def _column(reader, field: str, live: np.ndarray) -> FacetColumn:
    values, docs, codes = [], [], []
    for term in reader.lexicon(field):
        postings = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
        postings = postings[live[postings]]
        if not len(postings):
            continue  # a value only deleted documents had
        codes.append(np.full(len(postings), len(values), dtype=np.int64))
        docs.append(postings)
        values.append(term.decode("utf-8") if isinstance(term, bytes) else term)
    if not values:
        return FacetColumn([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return FacetColumn(values, np.concatenate(docs), np.concatenate(codes))
