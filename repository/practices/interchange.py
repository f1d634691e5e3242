"""Import and export of practices as JSON Lines (format: docs/jsonl-format.md)."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository.characters import clean_all
from repository.db import Database
from repository.models import Practice
from repository.practices import services
from repository.practices.documents import to_record
from repository.practices.validation import validate_record

MAX_LINE_BYTES = 1_000_000


@dataclass
class LineError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)


def parse_lines(
    lines: Iterable[str | bytes],
) -> tuple[list[tuple[int, dict]], list[LineError]]:
    """Validate every line; return the clean records with their line numbers, and all errors."""
    records, errors, seen_ids = [], [], {}
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                errors.append(LineError(number, "(line)", f"not valid UTF-8 at byte {error.start}"))
                continue
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            errors.append(LineError(number, "(line)", f"longer than {MAX_LINE_BYTES} bytes"))
            continue
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            reason = getattr(error, "msg", "nested too deeply")
            errors.append(LineError(number, "(line)", f"not valid JSON: {reason}"))
            continue
        # Imported text (often pasted from word processors) loses its control characters.
        clean, problems = validate_record(clean_all(data))
        errors.extend(LineError(number, f, r) for f, r in problems)
        if problems:
            continue
        if clean["id"] is not None:
            if clean["id"] in seen_ids:
                errors.append(
                    LineError(number, "id", f"repeats the id of line {seen_ids[clean['id']]}")
                )
                continue
            seen_ids[clean["id"]] = number
        records.append((number, clean))
    return records, errors


def import_lines(db: Database, lines: Iterable[str], *, skip_invalid: bool = False) -> ImportReport:
    """Import all lines in one transaction; by default nothing at all when any line is invalid."""
    records, errors = parse_lines(lines)
    report = ImportReport(errors=errors)
    if errors and not skip_invalid:
        return report
    report.skipped = len({e.line for e in errors})
    with db.write() as session:
        for _number, clean in records:
            services.save_practice(session, clean, note="imported")
        services.sync_id_sequences(session)
    report.imported = len(records)
    return report


def export_lines(session: Session, statuses: Iterable[str] | None = None) -> Iterator[str]:
    """One JSON line per practice, by id, optionally only those with the given statuses."""
    query = select(Practice).order_by(Practice.id)
    if statuses:
        query = query.where(Practice.status.in_(list(statuses)))
    for practice in session.scalars(query).unique():
        yield json.dumps(to_record(practice), ensure_ascii=False) + "\n"
