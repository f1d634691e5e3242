"""Evaluating a parsed query over whole posting lists at once, with numpy.

Whoosh's matchers step through documents one by one in Python, which costs tens of
milliseconds when a common word matches most of the index. Here each term's postings are read a
block at a time into arrays and scored with the same BM25F formula and global statistics that
Whoosh uses; the boolean structure (AND, OR, NOT) becomes array operations. Query types this
module does not know are handed to Whoosh's own matcher, so every query gets an exact answer
either way. Phrases are read in bulk too: Whoosh's span matchers stepped through every document
holding all the words (1,700 per field for "referral mechanism" at 100k practices), and the
slowest searches were quoted phrases.

The fast path reads the posting blocks and columns of the whoosh3 codec through attributes that
are not public API. The Whoosh distribution is pinned exactly (docs/search.md), and before the
fast path is used, `fast_path_available()` checks on a small probe index that those attributes
exist and give the same postings, weights, lengths and column values as the public API. If they
do not, every read goes through the public API instead (slower, same results) and one line says
so in the log.
"""

import logging
import os
import threading
import uuid
from collections import OrderedDict
from functools import cache
from itertools import pairwise

import numpy as np
from whoosh import query as q
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import bm25

from search.analysis import CJK, pair_term
from search.querying import Coordinated
from search.schema import pairs_field

log = logging.getLogger(__name__)
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


COMMON_SHARE = 0.4  # a word in more than this share of live documents does not count as a topic
COMMON_MIN_DOCS = 50
# A Chinese run of n characters is n - 1 overlapping two-character pieces but about n / 2 words:
# counted whole toward the minimum, "幸存者主导的反贩运组织和咨询委员会" asked a practice for 6
# of its 12 topics and found 4 (judged set: 4 Chinese queries better, none worse; 0.773 to
# 0.775). A document still counts every piece it matches.
CJK_PIECE_SHARE = 0.5


def _word_share(topic) -> float:
    """How much of a word a topic of a plain query is: a two-character piece of a Chinese run
    (querying._cjk_pieces) half of one, anything else one."""
    texts = [text for _field, text in topic.iter_all_terms()]
    if texts and all(isinstance(t, str) and len(t) == 2 and CJK.match(t) for t in texts):
        return CJK_PIECE_SHARE
    return 1.0


def _fixed_column(column, count: int, default: int, fast: bool | None = None) -> np.ndarray:
    """All values of a fixed-width numeric column at once (documents past its end: default)."""
    values = np.full(count, default, dtype=np.int64)
    data = None
    if fast if fast is not None else fast_path_available():
        try:
            raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
            data = np.frombuffer(raw, dtype=np.dtype(">" + column._typecode))
        except AttributeError:  # not the fixed-width reader this was written for
            data = None
    if data is None:
        size = min(count, len(column))
        data = np.fromiter((column[d] for d in range(size)), dtype=np.int64, count=size)
    values[: len(data)] = data[:count]
    return values


def numeric_column(
    reader, field: str, size: int, default: int = 0, fast: bool | None = None
) -> np.ndarray:
    values = np.full(size, default, dtype=np.int64)
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        if segment.has_column(field):
            column = segment.column_reader(field, translate=False)
            values[offset : offset + count] = _fixed_column(column, count, default, fast)
    return values


def field_lengths(reader, field: str, size: int, fast: bool | None = None) -> np.ndarray:
    """Every document's length in a field, decoded from the codec's one-byte length column."""
    if not (fast if fast is not None else fast_path_available()):
        return _public_field_lengths(reader, field, size)
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    lengths = np.zeros(size, dtype=np.float64)
    table = _byte_to_length_table()
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        perdoc = getattr(segment, "_perdoc", None)  # an empty index has no per-document data
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
        if column is not None:
            lengths[offset : offset + count] = table[_fixed_column(column, count, 0, fast=True)]
    return lengths


def _public_field_lengths(reader, field: str, size: int) -> np.ndarray:
    lengths = np.zeros(size, dtype=np.float64)
    for segment, offset in reader.leaf_readers():
        for docnum in range(segment.doc_count_all()):
            lengths[offset + docnum] = segment.doc_field_length(docnum, field, 0)
    return lengths


def _leaf_postings(reader, field: str, text, blocks: bool = False):
    """Each segment's postings of a term: (segment, its first document number, matcher).
    Deleted documents are included (the live mask removes them later); `blocks` asks for the
    codec's block matcher, whose private attributes the fast path reads."""
    for segment, offset in reader.leaf_readers():
        matcher = _matcher(segment, field, text, blocks)
        if matcher is not None:
            yield segment, offset, matcher


def _matcher(segment, field: str, text, blocks: bool):
    """One segment's matcher of a term, None when the segment lacks it."""
    try:
        matcher = segment.postings(field, text)
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if blocks and not hasattr(matcher, "_read_ids"):
        raise Unsupported(type(matcher).__name__)
    return matcher


def read_postings(reader, field: str, text, fast: bool | None = None):
    """A term's document numbers and weights, a block at a time (deleted ones included)."""
    if not (fast if fast is not None else fast_path_available()):
        return _public_postings(reader, field, text)
    ids, weights = [], []
    for segment, offset in reader.leaf_readers():
        key = getattr(segment, POSTINGS_KEY, None)
        found = DECODED.get((key, field, text)) if key is not None else None
        if found is None:
            found = _segment_postings(segment, field, text)
            if key is not None:
                DECODED.put((key, field, text), found)
        if len(found[0]):
            ids.append(np.add(found[0], offset, dtype=np.int64))
            weights.append(found[1])
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


def _segment_postings(segment, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """One segment's postings of a term, numbered from 0 in the segment."""
    matcher = _matcher(segment, field, text, blocks=True)
    if matcher is None:
        return _EMPTY
    ids, weights = [], []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int32))
        weights.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    if not ids:
        return _EMPTY
    found = np.concatenate(ids), np.concatenate(weights)
    for array in found:
        array.flags.writeable = False  # shared by every search that reads the term
    return found


class DecodedPostings:
    """Decoded postings of recently searched terms, per segment, least recently used out first.

    Whoosh stores a term's postings as pickled, compressed blocks, and decoding them was a third
    of a search's time: the same common words ("trafficking", "victims") were decoded again by
    every search. A committed segment's postings never change (deletions are a separate mask),
    so a segment's decoded arrays stay right for as long as the segment exists; the key holds
    the index generation's directory and the segment's name, which no other segment reuses.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    @staticmethod
    def _size(value) -> int:
        # The arrays' headers, the tuples, the key and the dictionary's entry: about 500 bytes,
        # more than a rare word's postings themselves (measured with tracemalloc).
        return value[0].nbytes + value[1].nbytes + ENTRY_BYTES

    def put(self, key, value) -> None:
        size = self._size(value)
        if size > self.max_bytes // 8:
            return  # one huge list would push out many useful ones
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _key, value = self._items.popitem(last=False)
                self.bytes -= self._size(value)


_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0))
ENTRY_BYTES = 500  # each entry's cost besides its arrays' data
POSTINGS_KEY = "_practice_hub_postings_key"  # set on a segment reader by the search engine
# Per process; 0 turns the cache off (for measuring). A segment holds at most 6,000 documents,
# so one entry is at most about 70 KB.
CACHE_SETTING = "PRACTICES_POSTINGS_CACHE_MB"
DECODED = DecodedPostings(int(os.environ.get(CACHE_SETTING, "32") or 0) << 20)


def read_positions(reader, field: str, text, wanted: np.ndarray) -> dict[int, list[int]]:
    """The positions of a term in the wanted documents (sorted document numbers), reading only
    the posting blocks that hold one of them."""
    decode = reader.schema[field].format.decoder("positions")
    found: dict[int, list[int]] = {}
    for segment, offset, matcher in _leaf_postings(reader, field, text, blocks=True):
        inside = wanted[(wanted >= offset) & (wanted < offset + segment.doc_count_all())]
        if not len(inside):
            continue
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            ids = np.asarray(matcher._ids, dtype=np.int64) + offset
            hits = np.flatnonzero(np.isin(ids, inside, assume_unique=True))
            if len(hits):
                if matcher._values is None:
                    matcher._read_values()
                for i in hits:
                    found[int(ids[i])] = decode(matcher._values[i])
            matcher._next_block()
    return found


def _public_positions(reader, field: str, text, wanted: np.ndarray) -> dict[int, list[int]]:
    """The same as `read_positions` through Whoosh's public matcher API."""
    wanted_set = {int(d) for d in wanted}
    found = {}
    for _segment, offset, matcher in _leaf_postings(reader, field, text):
        while matcher.is_active():
            if matcher.id() + offset in wanted_set:
                found[matcher.id() + offset] = list(matcher.value_as("positions"))
            matcher.next()
    return found


def _public_postings(reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """The same as `read_postings` through Whoosh's public matcher API, one posting at a time."""
    ids, weights = [], []
    for _segment, offset, matcher in _leaf_postings(reader, field, text):
        while matcher.is_active():
            ids.append(matcher.id() + offset)
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


@cache
def fast_path_available() -> bool:
    """Whether the codec's private attributes exist and agree with the public API.

    Checked once per process on a probe index of two segments with a deletion: postings and
    weights of a few terms, field lengths and a numeric column, read both ways.
    """
    try:
        problem = _probe()
    except Exception as error:  # any failure of the private path means: do not use it
        problem = f"{type(error).__name__}: {error}"
    if problem:
        log.warning("fast scoring path disabled (%s); using Whoosh's public API", problem)
        return False
    return True


def _probe() -> str | None:
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(),
        year=fields.NUMERIC(int, bits=32, stored=False, sortable=True),
    )
    storage = RamStorage()
    # Whoosh names the writer's temporary directory after the index ("MAIN.tmp" in /tmp): a
    # name of its own keeps two processes probing at once from deleting each other's files.
    index = storage.create_index(schema, indexname=f"probe_{os.getpid()}_{uuid.uuid4().hex}")
    words = ["shelter police", "shelter shelter court", "police labour", "labour court shelter"]
    for batch in range(2):  # two segments
        writer = index.writer()
        for n in range(150):
            text = " ".join([words[(n + batch) % 4]] * (1 + n % 3))
            writer.add_document(id=f"{batch}-{n}", text=text, year=1990 + n % 37)
        writer.commit(merge=False)
    writer = index.writer()
    writer.delete_by_term("id", "0-7")
    writer.commit(merge=False)
    with index.reader() as reader:
        size = reader.doc_count_all()
        for term in ("shelter", "police", "labour", "court"):
            fast = read_postings(reader, "text", term, fast=True)
            slow = _public_postings(reader, "text", term)
            if not (np.array_equal(fast[0], slow[0]) and np.allclose(fast[1], slow[1])):
                return f"postings of {term!r} differ"
            wanted = slow[0][::3]
            if read_positions(reader, "text", term, wanted) != _public_positions(
                reader, "text", term, wanted
            ):
                return f"positions of {term!r} differ"
        fast_lengths = field_lengths(reader, "text", size, fast=True)
        if not np.allclose(fast_lengths, _public_field_lengths(reader, "text", size)):
            return "field lengths differ"
        if not np.array_equal(
            numeric_column(reader, "year", size, fast=True),
            numeric_column(reader, "year", size, fast=False),
        ):
            return "numeric column differs"
    return None


class Evaluator:
    """Turns a Whoosh query into (matched mask, score array) over all document numbers."""

    def __init__(
        self,
        searcher,
        size: int,
        live: np.ndarray,
        lengths: dict[str, np.ndarray],
        scope: np.ndarray | None = None,
    ):
        self.searcher = searcher
        self.size = size
        self.live = live
        self.lengths = lengths
        # The documents the search's filters allow: a plain query's "one word is enough when no
        # document has more" is judged among them, not across the whole collection.
        self.scope = live if scope is None else scope & live
        self.live_count = int(live.sum())
        # Filters (a place the query names, a ticked facet) that leave a handful of practices:
        # any word is enough there, the best matches still first. Half the words of an Arabic
        # query on Brazil's blacklist of slave-labour employers left one of Brazil's practices,
        # not its pact against slave labour nor the brands' rating.
        self.narrow = int(self.scope.sum()) < min(COMMON_MIN_DOCS, self.live_count)
        # Set when a plain query of three words or more matched by its one-word fallback.
        self.weak = False
        # The query's own (outermost) word scores of the documents having some of its telling
        # words but fewer than its minimum: no match by words, yet a semantic neighbour among
        # them ranks by them too (search.fusion).
        self.below: np.ndarray | None = None
        self._root = None

    def run(self, query, stepwise: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Live matching document numbers and their scores."""
        self._root = query
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
        if kind is Coordinated:
            return self._coordinated(node)
        if kind is q.Phrase:
            return self._phrase(node)
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

    def _coordinated(self, node):
        """Any of the words, the documents matching more of them first (querying.Coordinated):
        the score is the number of words matched plus the BM25 sum squeezed into [0, 1).

        A word most documents have ("trafficking", "victims" in this collection) tells them
        apart no better than a stop word: it adds to BM25 but not to the count, unless every
        word of the query is that common."""
        masks, shares, total = [], [], np.zeros(self.size)
        for child in node.subqueries:
            child_mask, child_scores = self._eval(child)
            masks.append(child_mask & self.live)
            shares.append(_word_share(child))
            total += child_scores
        live = self.live_count
        telling = list(zip(masks, shares, strict=True))
        if live >= COMMON_MIN_DOCS:  # in a handful of documents any share is chance
            telling = [(m, s) for m, s in telling if m.sum() <= COMMON_SHARE * live] or telling
        matched = np.zeros(self.size, dtype=np.int32)
        for mask, _share in telling:
            matched += mask
        anything = np.zeros(self.size, dtype=bool)
        for mask in masks:
            anything |= mask
        mask = (matched >= node.minimum(sum(s for _m, s in telling))) & anything
        if self.narrow or not (mask & self.scope).any():
            # Among the few practices narrow filters leave, one word is enough by design; where
            # no practice has the minimum, one word is a weak sign (search.fusion reads it).
            self.weak = self.weak or (not self.narrow and len(telling) > 2)
            mask = anything
        if node is self._root:
            below = anything & ~mask & (matched > 0)
            self.below = np.where(below, matched + total / (1.0 + total), 0.0) * node.boost
        return mask, np.where(mask, matched + total / (1.0 + total), 0.0) * node.boost

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

    def _phrase(self, node):
        """The words next to each other in this order (Whoosh's Phrase with slop 1), scored as
        Whoosh does: the sum of the words' own scores where the phrase occurs."""
        field = node.fieldname
        fmt = field in self.searcher.schema and self.searcher.schema[field].format
        if (
            node.slop != 1
            or len(node.words) < 2
            or field not in self.lengths
            or not (fmt and fmt.supports("positions"))
            or not fast_path_available()
        ):
            return self._with_whoosh(node)
        words = []
        for word in node.words:
            try:
                words.append(self.searcher.schema[field].to_bytes(word))
            except ValueError:
                return self._empty()
        mask, scores = np.ones(self.size, dtype=bool), np.zeros(self.size)
        for word in words:
            word_mask, word_scores = self._term(q.Term(field, word))
            mask &= word_mask
            scores += word_scores
        pairs = pairs_field(field)
        if pairs in self.searcher.schema:
            # Documents holding every neighbouring pair of the phrase: exactly the phrase for
            # two words, and few enough to check by positions for more.
            reader = self.searcher.reader()
            for first, second in pairwise(node.words):  # as typed: pair terms are text
                text = pair_term(first, second)
                holding = np.zeros(self.size, dtype=bool)
                holding[read_postings(reader, pairs, text)[0]] = True
                mask &= holding
            if len(words) == 2:
                return mask, np.where(mask, scores, 0.0) * node.boost
        candidates = np.flatnonzero(mask & self.live)
        if not len(candidates):
            return self._empty()
        reader = self.searcher.reader()
        positions = [read_positions(reader, field, word, candidates) for word in words]
        phrase = np.zeros(self.size, dtype=bool)
        for docnum in candidates.tolist():
            starts = set(positions[0].get(docnum, ()))
            for shift, following in enumerate(positions[1:], start=1):
                starts &= {p - shift for p in following.get(docnum, ())}
                if not starts:
                    break
            phrase[docnum] = bool(starts)
        return phrase, np.where(phrase, scores, 0.0) * node.boost

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
