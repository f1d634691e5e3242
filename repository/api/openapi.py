"""The OpenAPI 3 description of the JSON API, built from the same vocabularies the API checks."""

from functools import cache

from repository import scopes
from repository.api.record_schema import record_properties, record_schema
from repository.discovery.params import PARAMETERS, Parameter
from repository.practices import textrules
from repository.vocabularies import STATUSES

STRING_LIST = {"type": "array", "items": {"type": "string"}}
NULLABLE_INT = {"type": "integer", "nullable": True}


def _parameter(declared: Parameter) -> dict:
    """An OpenAPI query parameter from the search parameter's one declaration."""
    if declared.kind == "facet":
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": list(declared.choices)},
            "maxItems": declared.maximum,
        }
        extra = {"style": "form", "explode": True}
    elif declared.kind == "text":
        # As parse_search checks it: length as sent, words, no control characters and no
        # U+FFFD (what invalid UTF-8 decodes to).
        pattern = textrules.at_most_words(declared.max_words, "\\ufffd")
        schema = {"type": "string", "maxLength": declared.maximum, "pattern": pattern}
        extra = {}
    elif declared.kind == "choice":
        schema = {"type": "string", "enum": list(declared.choices), "default": declared.default}
        extra = {}
    else:  # year or count
        schema = {"type": "integer", "minimum": declared.minimum, "maximum": declared.maximum}
        if declared.default is not None:
            schema["default"] = declared.default
        extra = {}
    description = declared.description
    if declared.max_words:
        description += f" At most {declared.maximum} characters and {declared.max_words} words."
    return {
        "name": declared.name,
        "in": "query",
        "required": False,
        "description": description + " An empty value is the same as none.",
        # Forms send empty fields (an empty year box); the server takes them as not given.
        "allowEmptyValue": True,
        "schema": schema,
        **extra,
    }


def _search_parameters() -> list[dict]:
    return [_parameter(declared) for declared in PARAMETERS.values()]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "A parameter is wrong; the message names it."),
    "503": _json(_ref("Error"), "The search index is being rebuilt; try again shortly."),
}


# Every operation answers labels (facet values, vocabularies, country names, messages) in the
# language asked for, and a practice's title and summary in it where it has a translation.
LANGUAGE_PARAMETERS = [
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of labels and messages: ar, zh, en, fr, ru or es (a regional "
        "tag such as fr-CH counts as fr). Other language tags are ignored; a value longer "
        "than 35 characters or with control characters is refused (400). Takes precedence over "
        "Accept-Language; the answer's Content-Language says which language was used.",
        # Refused like every search parameter when it holds control characters or U+FFFD
        # (invalid UTF-8): the same pattern the text parameters publish.
        "schema": {"type": "string", "maxLength": 35, "pattern": textrules.any_text("\\ufffd")},
    },
    {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "description": "Used when there is no lang parameter; English when it names none of "
        "the six UN languages. Only its first 1,000 characters are read.",
        "schema": {"type": "string"},
    },
]


def _with_language(paths: dict) -> dict:
    for operations in paths.values():
        for operation in operations.values():
            operation["parameters"] = [*operation.get("parameters", []), *LANGUAGE_PARAMETERS]
            # A lang the document rules out is refused, whatever the operation.
            operation.setdefault("responses", {}).setdefault("400", ERRORS["400"])
    return paths


def _paths() -> dict:
    """Each operation of the API with its parameters and answers."""
    return _with_language(_operations())


def _operations() -> dict:
    return {
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
                "summary": "The brief of this session (cookie) or signed-in account, as JSON",
                "responses": {"200": _json(_ref("Brief"), "The brief.")},
            }
        },
        "/api/submissions": {
            "post": {
                "summary": "Create a draft practice (partners' API token)",
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": record_schema()}},
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
    }


def _components(facet_value: dict, result: dict, record_properties: dict) -> dict:
    """The shared schemas the operations refer to."""
    return {
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
                            "errors": {
                                "type": "array",
                                "description": "A record's errors: the field, the format's "
                                "reason, and a message saying what to do.",
                                "items": {
                                    "type": "object",
                                    "required": ["field", "reason", "message"],
                                    "properties": {
                                        "field": {"type": "string"},
                                        "reason": {"type": "string"},
                                        "message": {"type": "string"},
                                    },
                                },
                            },
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
                    "searched",
                    "understood",
                    "suggested_filters",
                    "related_terms",
                ],
                "properties": {
                    "query": {"type": "object"},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "results": {"type": "array", "items": _ref("Result")},
                    "facets": _ref("Facets"),
                    "suggestion": {
                        "type": "string",
                        "nullable": True,
                        "description": "A correction offered for a strict query (quotes or "
                        "operators), not searched.",
                    },
                    "searched": {
                        "type": "string",
                        "nullable": True,
                        "description": "The corrected words searched instead of a misspelt "
                        "plain query; as_typed_url searches the words as typed.",
                    },
                    "understood": {
                        "type": "array",
                        "description": "Places named in the words and applied as filters.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "facet": {"type": "string"},
                                "value": {"type": "string"},
                                "words": {"type": "string"},
                                "label": {"type": "string"},
                            },
                        },
                    },
                    "as_typed_url": {"type": "string", "nullable": True},
                    "suggested_filters": {
                        "type": "array",
                        "description": "Facet values the words name, with the count each gives.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "facet": {"type": "string"},
                                "value": {"type": "string"},
                                "label": {"type": "string"},
                                "count": {"type": "integer"},
                                "url": {"type": "string"},
                            },
                        },
                    },
                    "related_terms": {
                        "type": "array",
                        "description": "Broader, narrower and related concepts of the "
                        "thesaurus, each a search.",
                        "items": {
                            "type": "object",
                            "properties": {"label": {"type": "string"}, "url": {"type": "string"}},
                        },
                    },
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
                    "regions": {
                        **STRING_LIST,
                        "description": "M49 regions where its scope is; 'global' if global.",
                    },
                    "un_groups": {
                        **STRING_LIST,
                        "description": "UN regional groups where its scope is; 'global' if global.",
                    },
                    "is_global": {"type": "boolean"},
                    "scope_area_name": {"type": "string", "nullable": True},
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
                    "name": {"type": "string", "description": "Set for an account's brief."},
                    "topic": {
                        "type": "string",
                        "description": "What it is about: the search that built it.",
                    },
                    "opening": {"type": "string"},
                    "closing": {"type": "string"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "title": {"type": "string"},
                                "spoken": {
                                    "type": "string",
                                    "description": "What the delegate says: their own "
                                    "words if edited, else the suggested line.",
                                },
                                "generated": {"type": "string"},
                                "edited": {"type": "boolean"},
                                "citation": {"type": "string"},
                                "permalink": {"type": "string"},
                            },
                        },
                    },
                    "word_count": {"type": "integer"},
                    "seconds": {"type": "integer"},
                    "speaking_time": {"type": "string"},
                    "over_limit": {"type": "boolean"},
                    "balance": {"type": "object"},
                    "suggestions": {
                        "type": "array",
                        "description": "Practices on the brief's topic that fill a gap, "
                        "each with its reason.",
                    },
                    "unfilled_gaps": {
                        "type": "array",
                        "description": "Gaps no practice on this topic fills.",
                    },
                },
            },
        },
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
            "scope": {"type": "string", "enum": [v for v, _ in scopes.SCOPES]},
            "scope_area_name": {"type": "string", "nullable": True},
            "pillars": STRING_LIST,
            "actor_types": STRING_LIST,
            "start_year": {"type": "integer"},
            "end_year": NULLABLE_INT,
            "snippet": {
                "type": "string",
                "nullable": True,
                "description": "HTML: escaped text with <mark> around matches.",
            },
            "snippet_language": {
                "type": "string",
                "description": "The language the snippet is in: the language asked for where "
                "the practice's translation into it has the words searched, else its own.",
            },
            "snippet_dir": {"type": "string", "enum": ["ltr", "rtl"]},
            "language": {"type": "string", "description": "The practice's own language."},
            "text_language": {
                "type": "string",
                "description": "The language title and summary are in: the language asked "
                "for where the practice has a translation, else its own.",
            },
            "text_dir": {"type": "string", "enum": ["ltr", "rtl"]},
            "translated": {"type": "boolean"},
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
            "JSON Lines format (docs/jsonl-format.md); labels and messages come in the "
            "language asked for with ?lang= or Accept-Language (ar, zh, en, fr, ru, es).",
        },
        "paths": _paths(),
        "components": _components(facet_value, result, record_properties()),
        "x-statuses": list(STATUSES.values),
    }
