"""Search parameters from a query string, checked, with errors that name the parameter.

`PARAMETERS` declares each parameter once (kind, limits, allowed values, description): the
parser below checks against it and the OpenAPI document is generated from it.
"""

from dataclasses import dataclass

from starlette.datastructures import QueryParams

from repository import facets
from repository.characters import FORBIDDEN
from repository.i18n import N_, _
from repository.params import MAX_PAGE, BadParameter, positive_int
from search import FACETS, SORTS, SearchParams
from search.params import MAX_QUERY_CHARS, MAX_QUERY_TERMS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_VALUES_PER_FACET = 50
MAX_PARAMETERS = 200
EARLIEST, LATEST = 1900, 2100


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str  # "text", "facet" (repeatable), "year", "choice" or "count"
    description: str
    minimum: int | None = None
    maximum: int | None = None  # for "text": characters; for "facet": values
    max_words: int | None = None
    choices: tuple[str, ...] = ()
    default: object = None


def _declare() -> dict[str, Parameter]:
    declared = [
        Parameter(
            "q",
            "text",
            'Words, "phrases", AND/OR/NOT.',
            maximum=MAX_QUERY_CHARS,
            max_words=MAX_QUERY_TERMS,
        ),
        *[
            Parameter(
                f.name,
                "facet",
                f"{f.description} Several values combine with OR.",
                maximum=MAX_VALUES_PER_FACET,
                choices=f.values,
            )
            for f in facets.FACET_LIST
        ],
        Parameter("year_from", "year", "Active in or after this year.", EARLIEST, LATEST),
        Parameter("year_to", "year", "Started in or before this year.", EARLIEST, LATEST),
        Parameter("sort", "choice", "Order of the results.", choices=SORTS, default="relevance"),
        Parameter(
            "as_typed",
            "choice",
            "1: search the words exactly as typed (no spelling correction, no places as filters).",
            choices=("1",),
        ),
        Parameter(
            "page",
            "count",
            "Past the last page: no results, and links.prev leads to the last page.",
            1,
            MAX_PAGE,
            default=1,
        ),
        Parameter(
            "per_page", "count", "Results per page.", 1, MAX_PER_PAGE, default=DEFAULT_PER_PAGE
        ),
    ]
    return {p.name: p for p in declared}


PARAMETERS = _declare()


def valid_facet_value(name: str, value: str) -> bool:
    return facets.facet(name).valid(value)


def _single(query: QueryParams, name: str) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, _("give one value"))
    return values[0] if values else None


def _year(query: QueryParams, name: str) -> int | None:
    raw = _single(query, name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not EARLIEST <= int(raw) <= LATEST:
        raise BadParameter(
            name, _("must be a year from %(a)d to %(b)d") % {"a": EARLIEST, "b": LATEST}
        )
    return int(raw)


def parse_search(query: QueryParams) -> SearchParams:
    if len(query.multi_items()) > MAX_PARAMETERS:
        raise BadParameter("query", _("too many parameters"))
    for name, value in query.multi_items():
        # Invalid UTF-8 arrives as U+FFFD once decoded; control characters are never text
        # (and would break the Atom feed that repeats the query).
        if "\ufffd" in value or FORBIDDEN.search(value):
            raise BadParameter(
                FORBIDDEN.sub("?", name[:40]),
                _("must be valid UTF-8 text without control characters"),
            )
    q = _single(query, "q") or ""
    if len(q) > MAX_QUERY_CHARS:  # as sent, as the API document counts it
        raise BadParameter("q", _("must be at most %(n)d characters") % {"n": MAX_QUERY_CHARS})
    q = q.strip()
    if len(q.split()) > MAX_QUERY_TERMS:
        raise BadParameter("q", _("must be at most %(n)d words") % {"n": MAX_QUERY_TERMS})
    filters = {}
    for facet in FACETS:
        values = [v for v in query.getlist(facet) if v != ""]
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadParameter(facet, _("too many values"))
        for value in values:
            if not valid_facet_value(facet, value):
                raise BadParameter(facet, _("unknown value %(value)r") % {"value": value[:80]})
        if values:
            filters[facet] = values
    # A reversed range is read the right way round rather than refused: no API document can
    # say that one parameter must not exceed another.
    year_from, year_to = _year(query, "year_from"), _year(query, "year_to")
    if year_from and year_to and year_from > year_to:
        year_from, year_to = year_to, year_from
    declared = PARAMETERS["sort"]
    sort = _single(query, "sort") or declared.default
    if sort not in declared.choices:
        raise BadParameter(
            "sort", _("must be one of: %(values)s") % {"values": ", ".join(declared.choices)}
        )
    as_typed = _single(query, "as_typed") or ""
    if as_typed not in ("", "1"):
        raise BadParameter("as_typed", _("must be 1 or absent"))
    page, per_page = (
        positive_int(_single(query, name), name, PARAMETERS[name].default, PARAMETERS[name].maximum)
        for name in ("page", "per_page")
    )
    return SearchParams.build(
        filters,
        q=q,
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        per_page=per_page,
        as_typed=as_typed == "1",
    )


YEAR_LABELS = {"year_from": N_("Active since"), "year_to": N_("Started by")}


def parse_search_form(query: QueryParams) -> tuple[SearchParams, dict[str, str], dict[str, str]]:
    """The search page's reading of a query: a year that cannot be used comes back as a message
    for its field (by the field's label) and the rest of the search runs without the years, so
    a slip never costs the person their search. Any other bad parameter is still a 400.

    Returns the parameters, the errors by field and the years as typed (to show them again)."""
    typed = {name: (query.get(name) or "")[:12] for name in YEAR_LABELS}
    errors = {}
    for name, label in YEAR_LABELS.items():
        try:
            _year(query, name)
        except BadParameter:
            errors[name] = _("%(field)s: enter a year from %(a)d to %(b)d, or leave it empty.") % {
                "field": _(label),
                "a": EARLIEST,
                "b": LATEST,
            }
    if not errors:
        year_from, year_to = _year(query, "year_from"), _year(query, "year_to")
        if year_from and year_to and year_from > year_to:
            errors["year_from"] = _(
                "%(since)s (%(a)d) is after %(by)s (%(b)d): swap them, or change one."
            ) % {"since": _("Active since"), "a": year_from, "by": _("Started by"), "b": year_to}
    if errors:
        query = QueryParams([(k, v) for k, v in query.multi_items() if k not in YEAR_LABELS])
    return parse_search(query), errors, typed


def to_query(params: SearchParams, **changes) -> list[tuple[str, str]]:
    """The query-string pairs of a search, with changes (None removes a parameter)."""
    pairs: list[tuple[str, str]] = []
    values = {
        "q": params.q or None,
        "year_from": params.year_from,
        "year_to": params.year_to,
        "sort": params.sort if params.sort != "relevance" else None,
        "as_typed": "1" if params.as_typed else None,
        "per_page": params.per_page if params.per_page != DEFAULT_PER_PAGE else None,
        "page": params.page if params.page != 1 else None,
    }
    filters = {name: list(vals) for name, vals in params.filters}
    for key, value in changes.items():
        if key in FACETS:
            filters[key] = value or []
        else:
            values[key] = value
    for name, vals in values.items():
        if name == "page":
            continue
        if vals is not None and vals != "":
            pairs.append((name, str(vals)))
    for facet in FACETS:
        pairs.extend((facet, v) for v in filters.get(facet, []))
    if values.get("page") not in (None, 1):
        pairs.append(("page", str(values["page"])))
    return pairs
