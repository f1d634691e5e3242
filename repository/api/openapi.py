"""The OpenAPI 3 description of the JSON API, built from the same vocabularies the API checks."""

from functools import cache

from repository import geography
from repository.vocabularies import (
    ACTOR_TYPES,
    EVIDENCE,
    EXPLOITATION_FORMS,
    INSTRUMENTS,
    PILLARS,
    PRACTICE_TYPES,
    STATUSES,
    TARGET_GROUPS,
)
from search import SORTS

STRING_LIST = {"type": "array", "items": {"type": "string"}}
NULLABLE_INT = {"type": "integer", "nullable": True}


def _facet_parameter(name: str, values, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "description": description + " Several values combine with OR.",
        "schema": {
            "type": "array",
            "items": {"type": "string", "enum": list(values)},
            "maxItems": 50,
        },
    }


def _search_parameters() -> list[dict]:
    return [
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": 'Words, "phrases", AND/OR/NOT; at most 200 characters and 16 words.',
            "schema": {"type": "string", "maxLength": 200},
        },
        _facet_parameter("pillar", PILLARS.values, "P-pillar."),
        _facet_parameter("actor_type", ACTOR_TYPES.values, "Actor type."),
        _facet_parameter("region", [v for v, _ in geography.REGIONS], "UN M49 region."),
        _facet_parameter("un_group", [v for v, _ in geography.UN_GROUPS], "UN regional group."),
        _facet_parameter("country", list(geography.countries()), "ISO 3166 alpha-3 code."),
        _facet_parameter("exploitation_form", EXPLOITATION_FORMS.values, "Form of exploitation."),
        _facet_parameter("target_group", TARGET_GROUPS.values, "Target group."),
        _facet_parameter("practice_type", PRACTICE_TYPES.values, "Practice type."),
        _facet_parameter("evidence", EVIDENCE.values, "Evidence level."),
        _facet_parameter("instrument", INSTRUMENTS.values, "Instrument referred to."),
        _facet_parameter(
            "language", ["en", "fr", "es", "ar", "ru", "zh", "pt", "de"], "ISO 639-1."
        ),
        {
            "name": "year_from",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1900, "maximum": 2100},
        },
        {
            "name": "year_to",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1900, "maximum": 2100},
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": list(SORTS)},
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Past the last page answers 400.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
        },
        {
            "name": "per_page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "A parameter is wrong; the message names it."),
    "503": _json(_ref("Error"), "The search index is being rebuilt; try again shortly."),
}


@cache
def document() -> dict:
    facet_value = {
        "type": "object",
        "required": ["value", "label", "count", "selected"],
        "properties": {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
        },
    }
    result = {
        "type": "object",
        "required": [
            "id",
            "title",
            "summary",
            "url",
            "organisation",
            "countries",
            "pillars",
            "actor_types",
            "start_year",
            "snippet",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": {"type": "string"},
            "organisation": {"type": "string"},
            "countries": STRING_LIST,
            "country_names": STRING_LIST,
            "pillars": STRING_LIST,
            "actor_types": STRING_LIST,
            "start_year": {"type": "integer"},
            "end_year": NULLABLE_INT,
            "snippet": {
                "type": "string",
                "nullable": True,
                "description": "HTML: escaped text with <mark> around matches.",
            },
        },
    }
    record_properties = {
        "title": {"type": "string", "maxLength": 200},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "results": {"type": "string"},
        "lessons_learned": {"type": "string"},
        "organisation": {"type": "string"},
        "partner_organisations": STRING_LIST,
        "actor_types": STRING_LIST,
        "countries": STRING_LIST,
        "pillars": STRING_LIST,
        "exploitation_forms": STRING_LIST,
        "target_groups": STRING_LIST,
        "instruments": STRING_LIST,
        "practice_type": {"type": "string"},
        "evidence": {"type": "string"},
        "start_year": {"type": "integer"},
        "end_year": NULLABLE_INT,
        "language": {"type": "string"},
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"title": {"type": "string"}, "url": {"type": "string"}},
            },
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Practice Hub API",
            "version": "1",
            "description": "Good practices against trafficking in persons. Everything here is "
            "published and public, except /api/submissions, which needs a partner's API token "
            "(create one at /account/tokens). Field values are the machine values of the "
            "JSON Lines format (docs/jsonl-format.md).",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search published practices, with facet counts",
                    "parameters": _search_parameters(),
                    "responses": {"200": _json(_ref("Search"), "One page of results."), **ERRORS},
                }
            },
            "/api/practices": {
                "get": {
                    "summary": "List published practices (the search parameters apply)",
                    "parameters": _search_parameters(),
                    "responses": {"200": _json(_ref("PracticeList"), "One page."), **ERRORS},
                }
            },
            "/api/practices/{id}": {
                "get": {
                    "summary": "One published practice",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("Practice"), "The practice."),
                        "404": _json(_ref("Error"), "No published practice has this id."),
                    },
                }
            },
            "/api/facets": {
                "get": {
                    "summary": "Facet counts only",
                    "parameters": _search_parameters(),
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["total", "facets"],
                                "properties": {
                                    "total": {"type": "integer"},
                                    "facets": _ref("Facets"),
                                },
                            },
                            "Counts.",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/vocabularies": {
                "get": {
                    "summary": "Every controlled vocabulary: machine values and labels",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "value": {"type": "string"},
                                            "label": {"type": "string"},
                                        },
                                    },
                                },
                            },
                            "Vocabularies.",
                        )
                    },
                }
            },
            "/api/countries": {
                "get": {
                    "summary": "Countries with their M49 region, sub-region and UN regional group",
                    "responses": {
                        "200": _json({"type": "array", "items": _ref("Country")}, "Countries.")
                    },
                }
            },
            "/api/brief": {
                "get": {
                    "summary": "The brief kept in this session (cookie), as JSON",
                    "responses": {"200": _json(_ref("Brief"), "The brief.")},
                }
            },
            "/api/submissions": {
                "post": {
                    "summary": "Create a draft practice (partners' API token)",
                    "security": [{"token": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": record_properties}
                            }
                        },
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "status": {"type": "string"},
                                    "url": {"type": "string"},
                                    "record": {"type": "object"},
                                },
                            },
                            "The draft.",
                        ),
                        "400": _json(_ref("Error"), "The record has errors; each names its field."),
                        "401": _json(_ref("Error"), "No valid API token."),
                        "403": _json(_ref("Error"), "The token's account may not submit."),
                        "413": {"description": "The body is larger than 1 MB."},
                    },
                }
            },
            "/api/submissions/{id}": {
                "get": {
                    "summary": "One of your organisation's submissions (partners' API token)",
                    "security": [{"token": []}],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    ],
                    "responses": {
                        "200": _json({"type": "object"}, "The submission."),
                        "401": _json(_ref("Error"), "No valid API token."),
                        "403": _json(_ref("Error"), "Not a partner's token."),
                        "404": _json(_ref("Error"), "Not yours, or no such submission."),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                                "parameter": {"type": "string"},
                                "errors": {"type": "array"},
                            },
                        }
                    },
                },
                "Facets": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": facet_value},
                },
                "Result": result,
                "Search": {
                    "type": "object",
                    "required": [
                        "query",
                        "total",
                        "page",
                        "per_page",
                        "results",
                        "facets",
                        "suggestion",
                    ],
                    "properties": {
                        "query": {"type": "object"},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "results": {"type": "array", "items": _ref("Result")},
                        "facets": _ref("Facets"),
                        "suggestion": {"type": "string", "nullable": True},
                        "links": {"type": "object"},
                    },
                },
                "PracticeList": {
                    "type": "object",
                    "required": ["total", "page", "per_page", "results", "links"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "results": {"type": "array", "items": _ref("Result")},
                        "links": {
                            "type": "object",
                            "properties": {
                                "self": {"type": "string"},
                                "next": {"type": "string"},
                                "prev": {"type": "string"},
                            },
                        },
                    },
                },
                "Practice": {
                    "type": "object",
                    "required": ["id", "title", "url", "pillars"],
                    "properties": {
                        **record_properties,
                        "id": {"type": "integer"},
                        "url": {"type": "string"},
                        "regions": STRING_LIST,
                        "un_groups": STRING_LIST,
                        "is_global": {"type": "boolean"},
                        "last_verified": {"type": "string", "nullable": True},
                    },
                },
                "Country": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "region": {"type": "string"},
                        "subregion": {"type": "string"},
                        "un_group": {"type": "string", "nullable": True},
                        "un_member": {"type": "boolean"},
                    },
                },
                "Brief": {
                    "type": "object",
                    "required": ["items", "word_count", "seconds", "over_limit"],
                    "properties": {
                        "items": {"type": "array", "items": {"type": "object"}},
                        "word_count": {"type": "integer"},
                        "seconds": {"type": "integer"},
                        "speaking_time": {"type": "string"},
                        "over_limit": {"type": "boolean"},
                        "balance": {"type": "object"},
                        "suggestions": {"type": "array"},
                    },
                },
            },
        },
        "x-statuses": list(STATUSES.values),
    }
