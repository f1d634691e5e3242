"""Facet counts and result sets, for random filter combinations, against a plain filter over
the database rows: the index must agree exactly."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from repository.indexing import IndexSync
from repository.models import Practice
from repository.practices.documents import to_public
from repository.practices.interchange import import_lines
from repository.practices.synthetic import synthetic_records
from search import FACETS, SearchIndex, SearchParams
from tests.conftest import sample_seed_lines


@pytest.fixture(scope="module")
def corpus(migrated_db, tmp_path_factory):
    """The seed's first practices plus 400 synthetic ones (some unpublished, every facet value
    drawn at random), indexed once for the module. The whole seed added 180 long texts to
    index and nothing to what is checked: counts depend on tags, not on words."""
    from tests.conftest import empty_tables

    empty_tables(migrated_db)
    import_lines(migrated_db, sample_seed_lines())
    import_lines(migrated_db, [json.dumps(r) for r in synthetic_records(400, seed=11)])
    index = SearchIndex(tmp_path_factory.mktemp("property-index"))
    IndexSync(migrated_db, index).rebuild()
    with migrated_db.read() as session:
        practices = session.scalars(select(Practice).where(Practice.status == "published")).unique()
        documents = [to_public(p) for p in practices]
    yield index, documents
    index.close()
    empty_tables(migrated_db)


def values_of(document: dict, facet: str) -> set[str]:
    value = document[FACETS[facet]]
    return {value} if isinstance(value, str) else set(value)


def reference(documents, selections, year_from, year_to):
    """Plain Python over the database rows: ids, and per-facet counts excluding own filter."""

    def passes(document, skip=None):
        for facet, chosen in selections.items():
            if facet != skip and chosen and not values_of(document, facet) & set(chosen):
                return False
        end = document["end_year"] if document["end_year"] is not None else 9999
        return (year_to is None or document["start_year"] <= year_to) and (
            year_from is None or end >= year_from
        )

    ids = {d["id"] for d in documents if passes(d)}
    counts = {}
    for facet in FACETS:
        tally = {}
        for document in documents:
            if passes(document, skip=facet):
                for value in values_of(document, facet):
                    tally[value] = tally.get(value, 0) + 1
        counts[facet] = tally
    return ids, counts


def selection_strategy(documents):
    """Up to every facet, each with one to three values that occur in the corpus."""
    pools = {facet: sorted({v for d in documents for v in values_of(d, facet)}) for facet in FACETS}
    return st.fixed_dictionaries(
        {},
        optional={
            facet: st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)
            for facet, pool in pools.items()
            if pool
        },
    )


@pytest.mark.slow
def test_counts_and_results_match_a_plain_filter_over_the_database(corpus):
    index, documents = corpus
    years = st.one_of(st.none(), st.integers(1994, 2026))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(selections=selection_strategy(documents), year_from=years, year_to=years)
    def check(selections, year_from, year_to):
        if year_from and year_to and year_from > year_to:
            year_from, year_to = year_to, year_from
        expected_ids, expected_counts = reference(documents, selections, year_from, year_to)
        params = SearchParams.build(selections, year_from=year_from, year_to=year_to, per_page=100)
        result = index.search(params)
        got = set(result.ids)
        for page in range(2, result.pages + 1):
            got |= set(
                index.search(
                    SearchParams.build(
                        selections, year_from=year_from, year_to=year_to, per_page=100, page=page
                    )
                ).ids
            )
        assert result.total == len(expected_ids)
        assert got == expected_ids
        assert result.facets == expected_counts

    check()
