"""Fit the fixed basis that search/projection.py projects the model's vectors onto.

    .venv/bin/python scripts/fit_projection.py [--dims 192] [--write] [--check INDEX_DIR]
    PRACTICES_SEMANTIC=blend .venv/bin/python scripts/fit_projection.py --centre --write

The texts are the seed practices' passages (title and summary, each translation's, the start of
the description: what the index embeds) and every label of the thesaurus in its six languages
(short texts, as queries are). The basis is their vectors' top principal directions, without
centring, so that dot products are kept as well as they can be. `--write` replaces the shipped
basis (search/projection-*.npz: a new digest, so every index rewrites its vector files from its
cache at the next commit; nothing is embedded again). Prints how much of the
vectors' energy the kept directions hold, on these texts and, when given, on the vectors of an
index (`--check INDEX_DIR`, the directory holding its vector cache, e.g. the `index` of a
`search_bench.py --keep` directory).

With PRACTICES_SEMANTIC=blend it fits the blend's basis (search/blend.py); `--centre` first
replaces the mean its e5 vectors are centred on (the mean of e5's vectors of the same texts),
which renames the blend, so its vectors are embedded again.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import blend, semantic  # noqa: E402
from search.projection import BASES, BLEND_BASIS, HERE, load_basis  # noqa: E402
from search.vectors import DESCRIPTION_CHARS, VectorCache, plain_text  # noqa: E402


def texts() -> list[str]:
    found = []
    for line in (ROOT / "seed" / "practices.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        found.append(f"{record['title']}. {record.get('summary', '')}".strip())
        for translation in (record.get("translations") or {}).values():
            found.append(f"{translation.get('title', '')}. {translation.get('summary', '')}")
        description = plain_text(record.get("description", "")).strip()
        if description:
            found.append(description[:DESCRIPTION_CHARS])
    thesaurus = json.loads((ROOT / "search" / "thesaurus.json").read_text(encoding="utf-8"))
    for concept in thesaurus["concepts"]:
        for labels in concept["labels"].values():
            found += [labels["pref"], *labels.get("alt", [])]
    return sorted(set(found))


def energy(rows: np.ndarray, basis: np.ndarray) -> float:
    return float((np.linalg.norm(rows @ basis, axis=1) ** 2).sum() / (rows**2).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, default=192)
    parser.add_argument("--write", action="store_true", help="replace the shipped basis")
    parser.add_argument("--check", type=Path, help="an index directory (with its vector cache)")
    parser.add_argument("--centre", action="store_true", help="replace the blend's e5 centre")
    args = parser.parse_args()
    corpus = texts()
    if args.centre and semantic.wants_blend():
        # Built here rather than loaded: the blend does not load without a centre.
        first, e5 = semantic.UniversalSentenceEncoder(), blend.E5Small()
        second = e5.passages(corpus)
        centre = second.mean(axis=0).astype(np.float32)
        np.savez(blend.CENTRE_FILE, centre=centre)
        print(f"e5 centre written to {blend.CENTRE_FILE.relative_to(ROOT)}")
        model = blend.Blend(first, e5, centre)
        rows = model.side_by_side(first.passages(corpus), second).astype(np.float64)
    elif args.centre:
        sys.exit("--centre needs PRACTICES_SEMANTIC=blend")
    else:
        model = semantic.load()
        if model is None:
            sys.exit("the model did not load")
        rows = model.passages(corpus).astype(np.float64)
    _u, _s, directions = np.linalg.svd(rows, full_matrices=False)
    basis = directions[: args.dims].T.astype(np.float32)
    out = HERE / (BLEND_BASIS if isinstance(model, blend.Blend) else BASES[model.name])
    print(f"{len(corpus)} texts, {args.dims} of {model.dim} dimensions")
    print(f"energy kept on these texts: {energy(rows, basis):.4f} fitted now", end="")
    if out.exists():
        shipped = load_basis(out).basis
        print(f", {energy(rows, shipped):.4f} by the shipped basis ({shipped.shape[1]} dimensions)")
    else:
        print()
    if args.write:
        np.savez(out, basis=basis)
        print(f"written to {out.relative_to(ROOT)}")
    basis = load_basis(out).basis if out.exists() else basis
    if args.check:
        # The index's own vectors, as the model gave them: its cache (the segment files hold
        # projected rows).
        cache = VectorCache(args.check, model.name, model.dim)
        with cache._db() as db:
            keys = [row[0] for row in db.execute("SELECT key FROM vectors")]
        found = cache.get(keys)
        if found:
            rows = np.concatenate(list(found.values())).astype(np.float64)
            kept = energy(rows, basis)
            print(f"energy kept on {len(rows)} vectors of {args.check} (shipped basis): {kept:.4f}")
        else:
            print(f"no vectors of this model in {args.check}")


if __name__ == "__main__":
    main()
