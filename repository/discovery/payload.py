"""The one serializer of a search: the page renders it, the JSON API returns it, feeds and
downloads read it. A search result has one shape everywhere (`result`)."""

from dataclasses import replace
from urllib.parse import urlencode

from repository import facets
from repository.discovery import understanding
from repository.discovery.params import to_query
from repository.i18n import _, current_locale, direction
from repository.practices.reading import shown
from search import FACETS, SearchParams, SearchResult

SEARCH_PATH = "/search"


def search_url(params: SearchParams, path: str = SEARCH_PATH, **changes) -> str:
    pairs = to_query(params, **changes)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def facet_entries(params: SearchParams, name: str, counts: dict[str, int]) -> list[dict]:
    """Each value as {value, label, count, selected}, in vocabulary order or by count."""
    facet = facets.facet(name)
    selected = set(params.selected(name))
    if facet.ordered:
        values = [v for v in facet.values if counts.get(v) or v in selected or facet.always_listed]
        labels = {value: facet.label_of(value) for value in values}
    else:
        labels = {value: facet.label_of(value) for value in set(counts) | selected}
        values = sorted(labels, key=lambda v: (-counts.get(v, 0), labels[v]))
    return [
        {
            "value": value,
            "label": labels[value],
            "count": counts.get(value, 0),
            "selected": value in selected,
        }
        for value in values
    ]


def result(card: dict, snippet: str | None = None, snippet_language: str | None = None) -> dict:
    """One search result, from the card the index keeps with each document, with its title
    and summary in the reader's language where the practice has them (and the language they
    are in, so pages mark it). The snippet is from a translation in `snippet_language`, or
    else from the practice's own texts."""
    view = shown(card, current_locale())
    snippet_language = snippet_language or view["original"]
    return {
        "id": card["id"],
        "title": view["title"],
        "summary": view["summary"],
        "text_language": view["lang"],
        "text_dir": view["dir"],
        "language": view["original"],
        "language_dir": view["original_dir"],
        "translated": view["translated"],
        "url": card["url"],
        "organisation": card["organisation"],
        "countries": card["countries"],
        "country_names": [facets.label("countries", code) for code in card["countries"]],
        "scope": card.get("scope", "national" if card["countries"] else "global"),
        "scope_area_name": card.get("scope_area_name"),
        "pillars": card["pillars"],
        "actor_types": card["actor_types"],
        "start_year": card["start_year"],
        "end_year": card["end_year"],
        "snippet": snippet,
        "snippet_language": snippet_language,
        "snippet_dir": direction(snippet_language),
    }


def _active_filters(params: SearchParams) -> list[dict]:
    active = []
    for name, values in params.filters:
        facet = facets.facet(name)
        for value in values:
            remaining = [v for v in values if v != value]
            active.append(
                {
                    "facet": name,
                    "value": value,
                    "label": f"{facet.title()}: {facet.label_of(value)}",
                    "remove_url": search_url(params, **{name: remaining}, page=None),
                }
            )
    if params.year_from or params.year_to:
        span = f"{params.year_from or '…'}–{params.year_to or '…'}"
        active.append(
            {
                "facet": "years",
                "value": span,
                "label": f"{_('Years')}: {span}",
                "remove_url": search_url(params, year_from=None, year_to=None, page=None),
            }
        )
    return active


def _zero_help(index, params: SearchParams, found: SearchResult) -> dict | None:
    if found.total:
        return None
    loosest = max(found.totals_without.items(), key=lambda item: item[1], default=None)
    remove = None
    if loosest and loosest[1] > 0:
        name = loosest[0]
        remove = {
            "facet": name,
            "label": facets.facet(name).title(),
            "total": loosest[1],
            "url": search_url(params, **{name: []}, page=None),
        }
    related = [result(card) for _id, card in index.related(params.q)]
    return {"remove_filter": remove, "related": related}


def related_terms(q: str, params: SearchParams, limit: int = 6) -> list[dict]:
    """Broader, narrower and related concepts of those the words name, in the language of the
    words that named them (the reader's, where the words fit several), each a search of its
    own."""
    if not q.strip() or params.as_typed:
        return []
    thesaurus = understanding.default_thesaurus()
    named = thesaurus.matches_in(q, prefer=params.reader)
    seen = {concept.id for _s, _e, concept, _language in named}
    # The most specific concepts first: "trafficking" has dozens of narrower concepts and would
    # fill the list on every query.
    named.sort(key=lambda match: len(thesaurus.narrower.get(match[2].id, [])))
    terms = []
    for _start, _end, concept, language in named:
        neighbours = [*concept.broader, *thesaurus.narrower.get(concept.id, []), *concept.related]
        for other_id in neighbours:
            other = thesaurus.concepts.get(other_id)
            if other is None or other_id in seen:
                continue
            seen.add(other_id)
            label = (other.labels.get(language) or other.labels["en"])["pref"]
            terms.append({"label": label, "url": search_url(SearchParams(q=label))})
    return terms[:limit]


def search_payload(index, params: SearchParams, path: str = SEARCH_PATH) -> dict:
    """The search as a dict; kept by the index until it changes, so a repeat costs a lookup."""
    # Labels and snippets are in the reader's language: one memo per language.
    params = replace(params, reader=current_locale())
    key = ("payload", params, path)
    return index.memo(key, lambda: _build(index, params, path))


def _understood(index, params: SearchParams):
    """The search as run: places named in the words applied as filters, unless the words are
    to be taken as typed or the filters would leave nothing (then they are only suggested).
    A place the engine's spelling correction brings out ("shelters in Nigria" searched as
    "shelters in nigeria") is applied too, as if typed right."""
    run, found, applied, understood = _places_applied(index, params)
    if found.searched is None or params.as_typed:
        return run, found, applied, understood
    again = _places_applied(index, replace(run, q=found.searched))
    if again[2]:
        return again[0], replace(again[1], searched=found.searched), applied + again[2], again[3]
    return run, found, applied, understood


def _places_applied(index, params: SearchParams):
    understood = understanding.understand(params.q) if not params.as_typed else None
    applied = [
        u
        for u in (understood.applied if understood else ())
        if u.value not in params.selected(u.facet)
    ]
    areas = understood.areas if understood else ()
    if applied or areas:
        filters = {name: list(values) for name, values in params.filters}
        for u in applied:
            filters.setdefault(u.facet, []).append(u.value)
        narrowed = SearchParams.build(
            filters,
            **{k: getattr(params, k) for k in _PLAIN_FIELDS},
            q=understood.q,
            areas=areas,
        )
        found = index.search(narrowed)
        if found.total:
            return narrowed, found, applied, understood
    found = index.search(params)
    return params, found, [], understood


_PLAIN_FIELDS = ("year_from", "year_to", "sort", "page", "per_page", "as_typed", "reader")


def _understood_chips(params: SearchParams, applied) -> list[dict]:
    return [
        {
            "facet": u.facet,
            "value": u.value,
            "words": u.words,
            # Translators: a filter taken from the words typed, e.g. "Country: Brazil".
            "label": _("%(facet)s: %(value)s")
            % {
                "facet": facets.facet(u.facet).title(),
                "value": facets.facet(u.facet).label_of(u.value),
            },
        }
        for u in applied
    ]


def _suggested_filters(run: SearchParams, found: SearchResult, understood, applied) -> list[dict]:
    """Facet values the words name, offered with their counts when they would narrow."""
    offered = [*(understood.suggested if understood else ())]
    if understood and not applied:
        offered = [*understood.applied, *offered]  # places that would have left nothing
    entries = []
    for u in offered:
        count = found.facets.get(u.facet, {}).get(u.value, 0)
        if u.value in run.selected(u.facet) or not 0 < count < found.total:
            continue
        facet = facets.facet(u.facet)
        entries.append(
            {
                "facet": u.facet,
                "value": u.value,
                "label": f"{facet.title()}: {facet.label_of(u.value)}",
                "count": count,
                "url": search_url(run, **{u.facet: [*run.selected(u.facet), u.value]}, page=None),
            }
        )
    return entries


def _build(index, params: SearchParams, path: str) -> dict:
    run, found, applied, understood = _understood(index, params)
    links = {"self": search_url(params, path)}
    if params.page > 1:
        # Past the end (a page number the API document allows, for a search that shrank since
        # its links were made): no results, and "prev" leads to the last page.
        links["prev"] = search_url(params, path, page=min(params.page - 1, found.pages))
    if params.page < found.pages:
        links["next"] = search_url(params, path, page=params.page + 1)
    as_typed_url = (
        search_url(params, as_typed="1", page=None) if applied or found.searched else None
    )
    return {
        "query": {
            "q": params.q,
            "filters": {name: list(values) for name, values in params.filters},
            "year_from": params.year_from,
            "year_to": params.year_to,
            "sort": params.sort,
        },
        "total": found.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": found.pages,
        "results": [
            result(found.cards[i], found.snippets.get(i), found.snippet_languages.get(i))
            for i in found.ids
        ],
        # Ticked as run: a place understood from the words shows as the filter it became.
        "facets": {name: facet_entries(run, name, found.facets.get(name, {})) for name in FACETS},
        "suggestion": found.suggestion,
        "suggestion_url": search_url(params, q=found.suggestion, page=None)
        if found.suggestion
        else None,
        # Spelling that acts: the corrected words were searched instead of the typed ones.
        "searched": found.searched,
        "understood": _understood_chips(params, applied),
        "as_typed_url": as_typed_url,
        "suggested_filters": _suggested_filters(run, found, understood, applied),
        "related_terms": related_terms(found.searched or params.q, params),
        "active_filters": _active_filters(params),
        "clear_url": search_url(SearchParams(q=params.q)),
        "zero_results": _zero_help(index, run, found),
        "links": links,
    }
