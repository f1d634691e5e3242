"""Evaluating a parsed query over whole posting lists at once, with numpy.

Whoosh's matchers step through documents one by one in Python, which costs tens of
milliseconds when a common word matches most of the index. Here each term's postings are read a
block at a time into arrays and scored with the same BM25F formula and global statistics that
Whoosh uses; the boolean structure (AND, OR, NOT) becomes array operations. Query types this
module does not know (phrases, for example) are handed to Whoosh's own matcher, so every query
gets an exact answer either way.

This reads the posting blocks of the whoosh3 codec through attributes that are not public API;
the Whoosh distribution is pinned exactly (docs/search.md) and a test compares the results with
Whoosh's matchers.
"""

import numpy as np
from whoosh import query as q
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import bm25

B = 0.75
K1 = 1.2
_BYTE_TO_LENGTH = None


class Unsupported(Exception):
    """A matcher this module cannot read in bulk."""


def _byte_to_length_table() -> np.ndarray:
    global _BYTE_TO_LENGTH
    if _BYTE_TO_LENGTH is None:
        from whoosh.util.numeric import byte_to_length

        _BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
    return _BYTE_TO_LENGTH


def _fixed_column(column, count: int, default: int) -> np.ndarray:
    """All values of a fixed-width numeric column at once (documents past its end: default)."""
    values = np.full(count, default, dtype=np.int64)
    try:
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        data = np.frombuffer(raw, dtype=np.dtype(">" + column._typecode))
    except AttributeError:  # not the fixed-width reader this was written for: go slowly
        data = np.fromiter((column[d] for d in range(count)), dtype=np.int64, count=count)
    values[: len(data)] = data[:count]
    return values


def numeric_column(reader, field: str, size: int, default: int = 0) -> np.ndarray:
    values = np.full(size, default, dtype=np.int64)
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        if segment.has_column(field):
            column = segment.column_reader(field, translate=False)
            values[offset : offset + count] = _fixed_column(column, count, default)
    return values


def field_lengths(reader, field: str, size: int) -> np.ndarray:
    """Every document's length in a field, decoded from the codec's one-byte length column."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    lengths = np.zeros(size, dtype=np.float64)
    table = _byte_to_length_table()
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        perdoc = getattr(segment, "_perdoc", None)  # an empty index has no per-document data
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
        if column is not None:
            lengths[offset : offset + count] = table[_fixed_column(column, count, 0)]
    return lengths


def read_postings(reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights, a block at a time (deleted ones included)."""
    ids, weights = [], []
    for segment, offset in reader.leaf_readers():
        try:
            matcher = segment.postings(field, text)
        except TermNotFound:
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child  # deleted documents are removed by the live mask later
        if not hasattr(matcher, "_read_ids"):
            raise Unsupported(type(matcher).__name__)
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


class Evaluator:
    """Turns a Whoosh query into (matched mask, score array) over all document numbers."""

    def __init__(self, searcher, size: int, live: np.ndarray, lengths: dict[str, np.ndarray]):
        self.searcher = searcher
        self.size = size
        self.live = live
        self.lengths = lengths

    def run(self, query, stepwise: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Live matching document numbers and their scores."""
        mask, scores = self._with_whoosh(query) if stepwise else self._eval(query)
        mask &= self.live
        docnums = np.flatnonzero(mask)
        return docnums, scores[docnums]

    def _empty(self):
        return np.zeros(self.size, dtype=bool), np.zeros(self.size)

    def _eval(self, node):
        kind = type(node)
        if kind is q.Term:
            return self._term(node)
        if kind is q.Or:
            mask, scores = self._empty()
            for child in node.subqueries:
                child_mask, child_scores = self._eval(child)
                mask |= child_mask
                scores += child_scores
            return mask, scores * node.boost
        if kind is q.And:
            mask, scores = np.ones(self.size, dtype=bool), np.zeros(self.size)
            for child in node.subqueries:
                child_mask, child_scores = self._eval(child)
                mask &= child_mask
                scores += child_scores
            return mask, np.where(mask, scores, 0.0) * node.boost
        if kind is q.Not:
            child_mask, _ = self._eval(node.query)
            # Whoosh's inverse matcher scores every document it matches 1.0.
            return ~child_mask, np.where(child_mask, 0.0, 1.0)
        if kind is q.AndNot:
            mask, scores = self._eval(node.a)
            other, _ = self._eval(node.b)
            mask &= ~other
            return mask, np.where(mask, scores, 0.0)
        if kind is q.AndMaybe:
            mask, scores = self._eval(node.a)
            _, extra = self._eval(node.b)
            return mask, np.where(mask, scores + extra, 0.0)
        if node is q.NullQuery or kind is type(q.NullQuery):
            return self._empty()
        return self._with_whoosh(node)

    def _term(self, term):
        field, text = term.fieldname, term.text
        if field not in self.lengths:
            return self._with_whoosh(term)
        docnums, weights = read_postings(self.searcher.reader(), field, text)
        mask, scores = self._empty()
        if len(docnums):
            idf = self.searcher.idf(field, text)
            average = self.searcher.avg_field_length(field) or 1
            lengths = self.lengths[field][docnums]
            scores[docnums] = bm25(idf, weights, lengths, average, B, K1) * term.boost
            mask[docnums] = True
        return mask, scores

    def _with_whoosh(self, node):
        """Any other query type: Whoosh's matcher, stepped through (exact, just slower)."""
        mask, scores = self._empty()
        context = self.searcher.context()
        for subsearcher, offset in self.searcher.leaf_searchers():
            matcher = node.matcher(subsearcher, context)
            while matcher.is_active():
                docnum = matcher.id() + offset
                mask[docnum] = True
                scores[docnum] = matcher.score()
                matcher.next()
        return mask, scores
