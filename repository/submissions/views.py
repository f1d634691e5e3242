"""Partners' pages: their submissions, the guided form, the pre-submission check, attachments
and proposed updates. Views parse and render; `services` loads, checks access and writes."""

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from repository.accounts.sessions import current_user, require_user
from repository.i18n import _
from repository.params import path_id
from repository.practices import workflow
from repository.practices.validation import SUMMARY_MAX_WORDS, validate_record
from repository.submissions import attachments, services
from repository.submissions.forms import PracticeForm
from repository.submissions.privacy import scan
from repository.web import flash, redirect, render, with_form


def kind_of(request: Request) -> str:
    """Whether the address names a proposed update or a practice."""
    return "update" if "/updates/" in request.url.path else "practice"


def item_path(request: Request, kind: str, item_id: int, page: str = "") -> str:
    """The path of a submission's page: "" (detail), "edit" or "submit"."""
    name = f"{'update' if kind == 'update' else 'submission'}{'_' + page if page else ''}"
    return str(request.app.url_path_for(name, item_id=item_id))


def my_submissions(request: Request) -> Response:
    user = require_user(request)
    if workflow.is_curator(user):
        return redirect(request.app.url_path_for("review_queue"))
    rows = services.organisation_rows(request.app.state.db, user)
    for row in rows:
        row["url"] = item_path(request, row["kind"], row["id"])
    return render(request, "submissions/list.html", {"rows": rows})


def _form_context(form: PracticeForm, record: dict, **extra) -> dict:
    return {
        "form": form,
        "summary_max_words": SUMMARY_MAX_WORDS,
        "privacy_warnings": scan(record),
        **extra,
    }


@with_form
def new_submission(request: Request, formdata) -> Response:
    user = require_user(request, "partner")
    action = request.app.url_path_for("submission_new")
    if formdata is None:
        form = PracticeForm.from_record(
            {"organisation": user.organisation.name if user.organisation else ""}
        )
        return render(request, "submissions/form.html", _form_context(form, {}, action=action))
    form = PracticeForm(formdata)
    record = form.to_record()
    try:
        practice_id = services.create_draft(request.app.state.db, user, record)
    except workflow.Incomplete as problem:
        summary = form.attach_errors(problem.errors)
        context = _form_context(form, record, action=action, error_summary=summary)
        return render(request, "submissions/form.html", context, 400)
    return _after_save(request, formdata, "practice", practice_id)


def _after_save(request: Request, formdata, kind: str, item_id: int) -> Response:
    if formdata.get("intent") == "submit":
        return redirect(item_path(request, kind, item_id, "submit"))
    flash(request, _("Your draft is saved. You can come back to it at any time."))
    return redirect(item_path(request, kind, item_id, "edit"))


@with_form
def edit_submission(request: Request, formdata) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    action = item_path(request, kind, item_id, "edit")
    if formdata is None:
        item = services.editable(db, kind, item_id, user)
        form = PracticeForm.from_record(item.record)
        context = _form_context(
            form,
            item.record,
            action=action,
            kind=kind,
            item_id=item_id,
            attachments=item.attachments,
            status=item.status,
        )
        return render(request, "submissions/form.html", context)
    form = PracticeForm(formdata)
    record = form.to_record()
    try:
        services.save(db, kind, item_id, user, record)
    except workflow.Incomplete as problem:
        summary = form.attach_errors(problem.errors)
        context = _form_context(
            form, record, action=action, kind=kind, item_id=item_id, error_summary=summary
        )
        return render(request, "submissions/form.html", context, 400)
    return _after_save(request, formdata, kind, item_id)


def submission_detail(request: Request) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request)
    context = services.detail(request.app.state.db, kind, item_id, user)
    context.update(
        kind=kind,
        base=item_path(request, kind, item_id),
        max_files=attachments.MAX_PER_PRACTICE,
    )
    return render(request, "submissions/detail.html", context)


@with_form
def submit_check(request: Request, form) -> Response:
    """Before submitting: look-alike published practices, privacy warnings, the confirmation."""
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    error, problems = None, []
    if form is not None:
        try:
            if form.get("action") == "make_update" and kind == "practice":
                update_id, removed = services.make_update_of(
                    db,
                    request.app.state.settings.upload_dir,
                    item_id,
                    user,
                    str(form.get("target", "")),
                )
                flash(
                    request,
                    _(
                        "Your submission is now a proposed update of the published "
                        "practice. Review it and submit."
                    ),
                )
                if removed:
                    flash(
                        request,
                        _(
                            "Its %(n)d evidence files were deleted with the draft: an update "
                            "carries no files of its own."
                        )
                        % {"n": removed},
                    )
                return redirect(item_path(request, "update", update_id, "edit"))
            services.submit(db, kind, item_id, user, confirmed=form.get("confirm") == "yes")
        except workflow.Incomplete as incomplete:
            problems = incomplete.errors
        except workflow.WorkflowError as refused:
            error = str(refused)
        else:
            flash(
                request, _("Submitted. A curator will review it; you will find their notes here.")
            )
            return redirect(item_path(request, kind, item_id))
    record, similar = services.look_alikes(db, request.app.state.index, kind, item_id, user)
    if not problems:
        problems = validate_record({**record, "status": "submitted"})[1]
    context = {
        "kind": kind,
        "base": item_path(request, kind, item_id),
        "record": record,
        "similar": similar,
        "error": error,
        "problems": problems,
        "privacy_warnings": scan(record),
    }
    refused = error or (problems and form is not None)
    return render(request, "submissions/submit.html", context, 400 if refused else 200)


@with_form(max_files=1)
def upload_attachment(request: Request, form) -> Response:
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    services.check_can_attach(db, item_id, user)  # 404 before anything else
    back = item_path(request, "practice", item_id, "edit")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        flash(request, _("Choose a file to attach."))
        return redirect(back)
    data = upload.file.read(attachments.MAX_BYTES + 1)
    try:
        services.add_attachment(
            db,
            request.app.state.settings.upload_dir,
            item_id,
            user,
            attachments.Upload(upload.filename or "file", data),
        )
    except attachments.AttachmentError as refused:
        flash(request, str(refused))
        return redirect(f"{back}#attachments")
    flash(request, _("The file is attached."))
    return redirect(f"{back}#attachments")


@with_form
def delete_attachment(request: Request, form) -> Response:
    attachment_id = path_id(request, "attachment_id")
    user = require_user(request, "partner")
    practice_id = services.remove_attachment(
        request.app.state.db, request.app.state.settings.upload_dir, attachment_id, user
    )
    flash(request, _("The file is removed."))
    return redirect(f"{item_path(request, 'practice', practice_id, 'edit')}#attachments")


def download_attachment(request: Request) -> Response:
    attachment_id = path_id(request, "attachment_id")
    attachment = services.attachment_for(request.app.state.db, attachment_id, current_user(request))
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


@with_form
def propose_update(request: Request, form) -> Response:
    practice_id = path_id(request, "practice_id")
    user = require_user(request, "partner")
    try:
        update_id = services.propose_update(request.app.state.db, practice_id, user)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
        return redirect(request.app.url_path_for("practice_detail", practice_id=practice_id))
    flash(
        request,
        _(
            "Edit the practice below; the published version stays public until a "
            "curator publishes your update."
        ),
    )
    return redirect(item_path(request, "update", update_id, "edit"))


GET_POST = ["GET", "POST"]
routes = [
    Route("/submissions", my_submissions, name="submissions"),
    Route("/submissions/new", new_submission, methods=GET_POST, name="submission_new"),
    Route("/submissions/{item_id:int}", submission_detail, name="submission"),
    Route(
        "/submissions/{item_id:int}/edit", edit_submission, methods=GET_POST, name="submission_edit"
    ),
    Route(
        "/submissions/{item_id:int}/submit",
        submit_check,
        methods=GET_POST,
        name="submission_submit",
    ),
    Route(
        "/submissions/{item_id:int}/attachments",
        upload_attachment,
        methods=["POST"],
        name="attachment_upload",
    ),
    Route("/submissions/updates/{item_id:int}", submission_detail, name="update"),
    Route(
        "/submissions/updates/{item_id:int}/edit",
        edit_submission,
        methods=GET_POST,
        name="update_edit",
    ),
    Route(
        "/submissions/updates/{item_id:int}/submit",
        submit_check,
        methods=GET_POST,
        name="update_submit",
    ),
    Route("/attachments/{attachment_id:int}", download_attachment, name="attachment"),
    Route(
        "/attachments/{attachment_id:int}/delete",
        delete_attachment,
        methods=["POST"],
        name="attachment_delete",
    ),
    Route(
        "/practices/{practice_id:int}/propose-update",
        propose_update,
        methods=["POST"],
        name="propose_update",
    ),
]
