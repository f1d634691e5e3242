"""Evidence files: checked by content as well as by name, stored under server-made names
outside the web root, served as downloads only to those who may see the practice."""

import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repository import audit
from repository.i18n import _
from repository.models import Attachment, User

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_PRACTICE = 5
KINDS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


MACRO_DOCX = "application/vnd.ms-word.document.macroEnabled.12"


class AttachmentError(ValueError):
    """The file cannot be attached; the message says why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# Parts of an Office file that hold code or embedded programs: a reviewer opening evidence
# should never be asked to enable macros (a .docm renamed .docx still opens in Word).
ACTIVE_PARTS = re.compile(
    r"vbaProject|vbaData|activeX|macrosheets|/embeddings/.*\.(bin|exe|docm|xlsm|pptm)$", re.I
)
MACRO_CONTENT_TYPES = (b"macroEnabled", b"vbaProject", b"ms-office.activeX")


def _docx_problem(archive: zipfile.ZipFile) -> str | None:
    names = archive.namelist()
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return "not a DOCX"
    types = archive.read("[Content_Types].xml")[:1_000_000]
    if any(ACTIVE_PARTS.search(name) for name in names) or any(
        marker.lower() in types.lower() for marker in MACRO_CONTENT_TYPES
    ):
        return "macros"
    return None


def detect_type(data: bytes) -> str | None:
    """The file's real type from its first bytes (and, for DOCX, its zip contents)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                problem = _docx_problem(archive)
        except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
            return None
        if problem == "macros":
            return MACRO_DOCX
        if problem is None:
            return KINDS[".docx"]
    return None


def safe_filename(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    base = re.sub(r"[^\w.\- ]+", "_", base)[:200]
    return base.lstrip(".") or "file"


def check(upload: Upload) -> str:
    """The content type of an acceptable upload; AttachmentError otherwise."""
    extension = Path(upload.filename.lower()).suffix
    if extension not in KINDS:
        raise AttachmentError(_("Only PDF, DOCX, PNG and JPEG files can be attached."))
    if not upload.data:
        raise AttachmentError(_("The file is empty."))
    if len(upload.data) > MAX_BYTES:
        raise AttachmentError(_("A file may be at most 10 MB."))
    actual = detect_type(upload.data)
    if actual == MACRO_DOCX:
        raise AttachmentError(
            _(
                "Word files with macros or embedded programs are not accepted: save it as a "
                "plain DOCX or a PDF."
            )
        )
    if actual != KINDS[extension]:
        raise AttachmentError(
            _("The file's content does not match its name (%(extension)s).")
            % {"extension": extension}
        )
    return actual


def add(
    session: Session, directory: Path, practice_id: int, user: User, upload: Upload
) -> Attachment:
    content_type = check(upload)
    existing = session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.practice_id == practice_id)
    )
    if existing >= MAX_PER_PRACTICE:
        raise AttachmentError(
            _("A practice may have at most %(limit)d files.") % {"limit": MAX_PER_PRACTICE}
        )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    temporary = directory / f".{stored_name}.part"
    # Evidence is private: readable by the application's user only.
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(upload.data)
    os.replace(temporary, directory / stored_name)
    attachment = Attachment(
        practice_id=practice_id,
        stored_name=stored_name,
        original_name=safe_filename(upload.filename),
        content_type=content_type,
        size=len(upload.data),
        uploaded_by_id=user.id,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        "attachment.added",
        user,
        f"practice:{practice_id}",
        attachment=attachment.id,
        size=attachment.size,
    )
    return attachment


def remove(session: Session, attachment: Attachment, user: User) -> str:
    """Delete the row; the caller removes the file (its stored name is returned) after commit,
    so a rolled-back transaction never loses a file."""
    session.delete(attachment)
    audit.record(
        session,
        "attachment.removed",
        user,
        f"practice:{attachment.practice_id}",
        attachment=attachment.id,
    )
    return attachment.stored_name


def path_of(directory: Path, attachment: Attachment) -> Path:
    return directory / attachment.stored_name
