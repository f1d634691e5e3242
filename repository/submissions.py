"""Partners' pages: their submissions, the guided form, the pre-submission check, attachments
and proposed updates. Every object is checked against the signed-in user, not only the page."""

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from repository import attachments
from repository.accounts.sessions import current_user, require_user
from repository.i18n import _
from repository.models import Attachment, Practice, PracticeUpdate, User
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.practices.forms import PracticeForm
from repository.practices.privacy import scan
from repository.practices.similar import similar_published
from repository.practices.validation import SUMMARY_MAX_WORDS, validate_record
from repository.security import read_form
from repository.web import flash, in_thread, redirect, render

MAX_ID = 2**31 - 1
KINDS = {"practice": Practice, "update": PracticeUpdate}


def kind_of(request: Request) -> str:
    """Whether the address names a proposed update or a practice."""
    return "update" if "/updates/" in request.url.path else "practice"


def _id(request: Request, name: str) -> int:
    value = request.path_params[name]
    if value > MAX_ID:
        raise HTTPException(404)
    return value


def _base(kind: str, item_id: int) -> str:
    return f"/submissions/updates/{item_id}" if kind == "update" else f"/submissions/{item_id}"


def _load(session, kind: str, item_id: int, user: User | None, edit: bool = False):
    """The submission if this user may see (or edit) it; 404 otherwise, never a hint."""
    item = session.get(KINDS[kind], item_id)
    if item is None or not workflow.can_view(user, item):
        raise HTTPException(404)
    if (
        kind == "practice"
        and item.status == "published"
        and not (workflow.owns(user, item) or workflow.is_curator(user))
    ):
        raise HTTPException(404)  # the public sees published practices at their permalink
    if edit and not workflow.can_edit(user, item):
        raise HTTPException(404)
    return item


def _record(item) -> dict:
    return dict(item.document) if isinstance(item, PracticeUpdate) else to_record(item)


def my_submissions(request: Request) -> Response:
    user = require_user(request)
    if workflow.is_curator(user):
        return redirect("/review")
    with request.app.state.db.read() as session:
        practices = (
            session.scalars(
                select(Practice)
                .where(Practice.owner_organisation_id == user.organisation_id)
                .order_by(Practice.updated_at.desc())
            )
            .unique()
            .all()
            if user.organisation_id
            else []
        )
        updates = (
            session.scalars(
                select(PracticeUpdate)
                .where(PracticeUpdate.owner_organisation_id == user.organisation_id)
                .order_by(PracticeUpdate.updated_at.desc())
            )
            .unique()
            .all()
            if user.organisation_id
            else []
        )
        rows = [
            {
                "title": p.title or _("(untitled draft)"),
                "status": p.status,
                "kind": "practice",
                "url": _base("practice", p.id),
                "updated": p.updated_at,
            }
            for p in practices
        ] + [
            {
                "title": u.document.get("title") or "",
                "status": u.status,
                "kind": "update",
                "url": _base("update", u.id),
                "updated": u.updated_at,
            }
            for u in updates
        ]
    rows.sort(key=lambda r: r["updated"], reverse=True)
    return render(request, "submissions/list.html", {"rows": rows})


def _form_context(form: PracticeForm, record: dict, **extra) -> dict:
    return {
        "form": form,
        "summary_max_words": SUMMARY_MAX_WORDS,
        "privacy_warnings": scan(record),
        **extra,
    }


async def new_submission(request: Request) -> Response:
    user = require_user(request, "partner")
    if request.method == "GET":
        form = PracticeForm.from_record(
            {"organisation": user.organisation.name if user.organisation else ""}
        )
        return render(
            request, "submissions/form.html", _form_context(form, {}, action="/submissions/new")
        )
    formdata = await read_form(request)
    form = PracticeForm(formdata)
    record = form.to_record()

    def create():
        with request.app.state.db.write() as session:
            fresh = session.get(User, user.id)
            return workflow.create_draft(session, fresh, record).id

    try:
        practice_id = await in_thread(create)
    except workflow.Incomplete as problem:
        summary = form.attach_errors(problem.errors)
        context = _form_context(form, record, action="/submissions/new", error_summary=summary)
        return render(request, "submissions/form.html", context, 400)
    return _after_save(request, formdata, "practice", practice_id)


def _after_save(request: Request, formdata, kind: str, item_id: int) -> Response:
    if formdata.get("intent") == "submit":
        return redirect(f"{_base(kind, item_id)}/submit")
    flash(request, _("Your draft is saved. You can come back to it at any time."))
    return redirect(f"{_base(kind, item_id)}/edit")


async def edit_submission(request: Request) -> Response:
    kind = kind_of(request)
    item_id = _id(request, "item_id")
    user = require_user(request, "partner")
    action = f"{_base(kind, item_id)}/edit"
    if request.method == "GET":
        with request.app.state.db.read() as session:
            item = _load(session, kind, item_id, user, edit=True)
            record = _record(item)
            files = _attachments(session, item)
        form = PracticeForm.from_record(record)
        return render(
            request,
            "submissions/form.html",
            _form_context(
                form,
                record,
                action=action,
                kind=kind,
                item_id=item_id,
                attachments=files,
                status=item.status,
            ),
        )
    formdata = await read_form(request)
    form = PracticeForm(formdata)
    record = form.to_record()

    def save():
        with request.app.state.db.write() as session:
            item = _load(session, kind, item_id, user, edit=True)
            fresh = session.get(User, user.id)
            if kind == "update":
                workflow.save_update(session, fresh, item, record)
            else:
                workflow.save_draft(session, fresh, item, record)

    try:
        await in_thread(save)
    except workflow.Incomplete as problem:
        summary = form.attach_errors(problem.errors)
        context = _form_context(
            form, record, action=action, kind=kind, item_id=item_id, error_summary=summary
        )
        return render(request, "submissions/form.html", context, 400)
    return _after_save(request, formdata, kind, item_id)


def _attachments(session, item) -> list[Attachment]:
    if not isinstance(item, Practice):
        return []
    return session.scalars(
        select(Attachment).where(Attachment.practice_id == item.id).order_by(Attachment.id)
    ).all()


def submission_detail(request: Request) -> Response:
    kind = kind_of(request)
    item_id = _id(request, "item_id")
    user = require_user(request)
    with request.app.state.db.read() as session:
        item = _load(session, kind, item_id, user)
        record = _record(item)
        events = workflow.review_events(session, item, workflow.is_curator(user))
        context = {
            "item": item,
            "kind": kind,
            "record": record,
            "events": events,
            "attachments": _attachments(session, item),
            "base": _base(kind, item_id),
            "can_edit": workflow.can_edit(user, item),
            "max_files": attachments.MAX_PER_PRACTICE,
        }
    return render(request, "submissions/detail.html", context)


async def submit_check(request: Request) -> Response:
    """Before submitting: look-alike published practices, privacy warnings, the confirmation."""
    kind = kind_of(request)
    item_id = _id(request, "item_id")
    user = require_user(request, "partner")
    base = _base(kind, item_id)
    error, problems = None, []
    if request.method == "POST":
        form = await read_form(request)
        choice = str(form.get("action", ""))

        def act():
            with request.app.state.db.write() as session:
                item = _load(session, kind, item_id, user, edit=True)
                fresh = session.get(User, user.id)
                if choice == "make_update" and kind == "practice":
                    raw = str(form.get("target", ""))
                    valid = raw.isdigit() and 0 < int(raw) <= MAX_ID
                    target = session.get(Practice, int(raw)) if valid else None
                    if target is None or target.status != "published":
                        raise workflow.WorkflowError(_("Choose a published practice to update."))
                    return "update", workflow.turn_into_update(session, fresh, item, target).id
                workflow.transition(
                    session,
                    fresh,
                    item,
                    "submit",
                    confirmed_no_personal_data=form.get("confirm") == "yes",
                )
                return kind, item_id

        try:
            new_kind, new_id = await in_thread(act)
        except workflow.Incomplete as incomplete:
            problems = incomplete.errors
        except workflow.WorkflowError as refused:
            error = str(refused)
        else:
            if new_kind == "update" and kind == "practice":
                flash(
                    request,
                    _(
                        "Your submission is now a proposed update of the published "
                        "practice. Review it and submit."
                    ),
                )
                return redirect(f"{_base('update', new_id)}/edit")
            flash(
                request, _("Submitted. A curator will review it; you will find their notes here.")
            )
            return redirect(_base(new_kind, new_id))
    with request.app.state.db.read() as session:
        item = _load(session, kind, item_id, user, edit=True)
        record = _record(item)
        exclude = item.id if kind == "practice" else None
        similar = similar_published(session, request.app.state.index, record, exclude)
        if kind == "update":
            similar = [p for p in similar if p.id != item.practice_id]
        similar = [
            {
                "id": p.id,
                "title": p.title,
                "organisation": p.organisation.name,
                "years": f"{p.start_year}–{p.end_year or ''}",
            }
            for p in similar
        ]
    if not problems:
        problems = validate_record({**record, "status": "submitted"})[1]
    context = {
        "kind": kind,
        "base": base,
        "record": record,
        "similar": similar,
        "error": error,
        "problems": problems,
        "privacy_warnings": scan(record),
    }
    refused = error or (problems and request.method == "POST")
    return render(request, "submissions/submit.html", context, 400 if refused else 200)


async def upload_attachment(request: Request) -> Response:
    item_id = _id(request, "item_id")
    user = require_user(request, "partner")
    form = await read_form(request, max_files=1)
    with request.app.state.db.read() as session:
        _load(session, "practice", item_id, user, edit=True)  # 404 before anything else
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        flash(request, _("Choose a file to attach."))
        return redirect(f"/submissions/{item_id}/edit")
    data = await upload.read(attachments.MAX_BYTES + 1)
    directory = request.app.state.settings.upload_dir

    def add():
        with request.app.state.db.write() as session:
            item = _load(session, "practice", item_id, user, edit=True)
            attachments.add(
                session,
                directory,
                item.id,
                session.get(User, user.id),
                attachments.Upload(upload.filename or "file", data),
            )

    try:
        await in_thread(add)
    except attachments.AttachmentError as refused:
        flash(request, str(refused))
        response = redirect(f"/submissions/{item_id}/edit#attachments")
        return response
    flash(request, _("The file is attached."))
    return redirect(f"/submissions/{item_id}/edit#attachments")


async def delete_attachment(request: Request) -> Response:
    attachment_id = _id(request, "attachment_id")
    user = require_user(request, "partner")
    await read_form(request)

    def remove():
        with request.app.state.db.write() as session:
            attachment = session.get(Attachment, attachment_id)
            if attachment is None:
                raise HTTPException(404)
            item = _load(session, "practice", attachment.practice_id, user, edit=True)
            return item.id, attachments.remove(session, attachment, session.get(User, user.id))

    practice_id, stored_name = await in_thread(remove)
    (request.app.state.settings.upload_dir / stored_name).unlink(missing_ok=True)
    flash(request, _("The file is removed."))
    return redirect(f"/submissions/{practice_id}/edit#attachments")


def download_attachment(request: Request) -> Response:
    attachment_id = _id(request, "attachment_id")
    user = current_user(request)
    with request.app.state.db.read() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise HTTPException(404)
        practice = session.get(Practice, attachment.practice_id)
        if practice is None or not workflow.can_view(user, practice):
            raise HTTPException(404)
    path = attachments.path_of(request.app.state.settings.upload_dir, attachment)
    if not path.exists():
        raise HTTPException(404)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.original_name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


async def propose_update(request: Request) -> Response:
    practice_id = _id(request, "practice_id")
    user = require_user(request, "partner")
    await read_form(request)

    def create():
        with request.app.state.db.write() as session:
            practice = session.get(Practice, practice_id)
            if practice is None or practice.status != "published":
                raise HTTPException(404)
            return workflow.propose_update(session, session.get(User, user.id), practice).id

    try:
        update_id = await in_thread(create)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
        return redirect(f"/practices/{practice_id}")
    flash(
        request,
        _(
            "Edit the practice below; the published version stays public until a "
            "curator publishes your update."
        ),
    )
    return redirect(f"{_base('update', update_id)}/edit")
