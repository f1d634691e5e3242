"""Words and meaning in one ranking.

Which documents match, so that totals and facet counts stay exact over what is shown:
- every document the words match (search.querying.Coordinated), and
- every document whose best passage is at least `threshold` similar to the query (cosine): its
  semantic neighbours.

The order is by a weighted sum of the two scores, each scaled to the best of this search:
    lexical score / best lexical score  +  WEIGHT * (similarity - floor) / (best - floor)
(a semantic neighbour with too few of the words to match by them takes `below_share` of their
score as its lexical score).
The lexical score counts the query's topics matched (then BM25), so the word part still ranks a
document matching more topics higher. The constants were chosen on the judged set
(benchmarks/relevance; docs/search.md has the figures): reciprocal-rank fusion measured 0.667
nDCG@10 there against 0.678 for this, and thresholds of 0.30 and 0.35 lost recall (0.662, 0.643).

When no document matches half the words of a plain query of three or more (the words' one-word
fallback, search.scoring: "weak"), a document the words match is kept only if its meaning is not
unrelated to the query (similarity above the floor): "tectonic plate subduction rates" matched five
practices by "rates" (apps that rate recruiters) at similarities of 0.01-0.09, and "sourdough
starter hydration ratio" one. Of the judged set's 12 real queries that fall back so, none lost a
practice of its top 10 (the two nonsense queries now find nothing).

The floor and the threshold are a model's (`Scale`): each model spreads its similarities
differently. Universal Sentence Encoder's are USE_SCALE. The blend's (search.blend) sit higher,
since e5's cosines of unrelated texts are high even centred: 15 queries about something else
(bread, guitars, volcanoes, in the six languages) reached 0.22-0.30 there against 0.10-0.20 with
USE, so with USE's scale the blend's nonsense queries matched practices.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scale:
    """How one model's similarities read. `floor`: at or below it a passage has nothing to do
    with the query (queries about something else entirely top out around here); `threshold`: at
    or above it a practice matches by meaning alone (a semantic neighbour)."""

    floor: float
    threshold: float


USE_SCALE = Scale(floor=0.15, threshold=0.25)


def scale_of(model, text: str) -> Scale:
    """The model's scale for this query (its optional `scale` method); USE's for a model
    without one."""
    scale = getattr(model, "scale", None)
    return scale(text) if scale is not None else USE_SCALE


@dataclass(frozen=True)
class Fusion:
    weight: float = 1.5
    # A query whose every topic names a facet value or a place ("trade unions Asia", "GRETA
    # monitoring") is matched exactly by the thesaurus; the model's similarity to a few labels
    # mostly reordered it by chance (judged set: facet words 0.72 to 0.77, acronyms 0.82 to
    # 0.86, all 0.752 to 0.759; 0.5 gave 0.756, 0 the same as 0.25). Meaning still breaks ties,
    # and semantic neighbours still match.
    facet_weight: float = 0.25
    # A semantic neighbour with some of the query's telling words, fewer than its minimum,
    # ranks by a share of their score too, where it had none: "independent body that checks
    # how well the government is fighting trafficking" (seven topics, four needed) put the
    # national rapporteurs, which say "independent" and "government", below practices matching
    # four common words. Judged set: 0.25 gave +0.0027, 0.5 +0.0031, 0.75 +0.0013, 1 -0.0004
    # (natural questions and paraphrases gain; see docs/search.md).
    below_share: float = 0.5

    def fuse(
        self,
        matched: np.ndarray,
        scores: np.ndarray,
        similarities: np.ndarray,
        facets_only: bool = False,
        weak: bool = False,
        scale: Scale = USE_SCALE,
        below: np.ndarray | None = None,
    ):
        """(matched mask, fused scores) from the lexical matches and scores and each
        document's similarity (-1 where it has no vector), read on the model's `scale`;
        `weak`: the words matched by their one-word fallback; `below`: the word scores of
        documents with too few of the words to match by them."""
        weight = self.facet_weight if facets_only else self.weight
        floor = scale.floor
        if weak:
            matched = matched & ~((similarities > -1) & (similarities <= floor))
            scores = np.where(matched, scores, 0.0)
        fused = np.zeros(len(scores))
        lexical = np.flatnonzero(matched)
        if len(lexical):
            best_lexical = max(scores[lexical].max(), 1e-9)
            fused[lexical] = scores[lexical] / best_lexical
            if below is not None and not weak:  # zero where the words match
                fused += self.below_share * below / best_lexical
        embedded = similarities > -1
        if embedded.any():
            best = similarities[embedded].max()
            closeness = np.clip((similarities - floor) / max(best - floor, 1e-9), 0.0, None)
            fused += weight * np.where(embedded, closeness, 0.0)
        return matched | (similarities >= scale.threshold), fused
