"""Partners' pages: their submissions, the guided form (with autosave), the pre-submission
check, evidence files, proposed updates, withdrawing and deleting. Views parse and render;
`services` loads, checks access and writes."""

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from repository import geography, links
from repository.accounts.sessions import current_user, require_user
from repository.i18n import _, current_locale
from repository.params import path_id
from repository.practices import messages, workflow
from repository.practices.reading import reading
from repository.practices.validation import SUMMARY_MAX_WORDS, validate_record
from repository.submissions import attachments, services
from repository.submissions.forms import PracticeForm
from repository.submissions.privacy import EXPLANATION_MIN_CHARS, scan
from repository.web import flash, redirect, render, with_form


def kind_of(request: Request) -> str:
    """Whether the address names a proposed update or a practice."""
    return "update" if "/updates/" in request.url.path else "practice"


def item_path(request: Request, kind: str, item_id: int, page: str = "") -> str:
    """The path of a submission's page: "" (detail), "edit", "submit", "preview"..."""
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


def country_groups(form: PracticeForm) -> list[dict]:
    """The country check boxes by M49 region, each region a group the page folds away (the
    chosen countries are listed above them): a keyboard user passes five regions, not 246
    boxes."""
    by_region: dict[str, list] = {value: [] for value, _label in geography.REGIONS}
    for option in form.countries:  # the choices are geography's countries, each in a region
        by_region[geography.country(option.data).region].append(option)
    return [
        {"label": geography.region_label(value), "options": options}
        for value, options in by_region.items()
        if options
    ]


def _form_context(request: Request, form: PracticeForm, record: dict, **extra) -> dict:
    chosen = [geography.country(code) for code in form.countries.data or []]
    return {
        "form": form,
        "summary_max_words": SUMMARY_MAX_WORDS,
        "privacy_warnings": scan(record),
        "chosen_countries": [c for c in chosen if c is not None],
        "country_groups": country_groups(form),
        "field_label": messages.label,
        **extra,
    }


def _parse(formdata) -> tuple[PracticeForm, dict, list[tuple[str, str]]]:
    """The form as typed, its record, and what could not even be read (a year "20O9")."""
    form = PracticeForm(formdata)
    return form, form.to_record(), form.typing_errors()


def _refused(request, form, record, errors, **extra) -> Response:
    summary = form.attach_errors(errors)
    context = _form_context(request, form, record, error_summary=summary, **extra)
    return render(request, "submissions/form.html", context, 400)


@with_form
def new_submission(request: Request, formdata) -> Response:
    user = require_user(request, "partner")
    action = request.app.url_path_for("submission_new")
    autosave = request.app.url_path_for("submission_new_autosave")
    if formdata is None:
        organisation = user.organisation
        form = PracticeForm.from_record(
            {
                "organisation": organisation.name if organisation else "",
                # The type given at registration: the lead organisation is theirs at first.
                "actor_types": [organisation.actor_type] if organisation else [],
            }
        )
        context = _form_context(request, form, {}, action=action, autosave=autosave)
        return render(request, "submissions/form.html", context)
    form, record, errors = _parse(formdata)
    try:
        if errors:
            raise workflow.Incomplete(errors)
        practice_id = services.create_draft(request.app.state.db, user, record)
    except workflow.Incomplete as problem:
        return _refused(request, form, record, problem.errors, action=action, autosave=autosave)
    return _after_save(request, formdata, "practice", practice_id)


def _after_save(request: Request, formdata, kind: str, item_id: int) -> Response:
    if formdata.get("intent") == "submit":
        return redirect(item_path(request, kind, item_id, "submit"))
    if formdata.get("intent") == "preview":
        return redirect(item_path(request, kind, item_id, "preview"))
    flash(request, _("Your draft is saved. You can come back to it at any time."))
    return redirect(item_path(request, kind, item_id, "edit"))


def _edit_context(request: Request, kind: str, item_id: int, item, **extra) -> dict:
    return {
        "action": item_path(request, kind, item_id, "edit"),
        "autosave": item_path(request, kind, item_id, "autosave"),
        "kind": kind,
        "item_id": item_id,
        "attachments": item.attachments,
        "status": item.status,
        "notes": item.notes,
        "max_files": attachments.MAX_PER_PRACTICE,
        "delete_url": item_path(request, kind, item_id, "delete"),
        **extra,
    }


@with_form
def edit_submission(request: Request, formdata) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    item = services.editable(db, kind, item_id, user)
    context = _edit_context(request, kind, item_id, item)
    if formdata is None:
        form = PracticeForm.from_record(item.record)
        return render(
            request, "submissions/form.html", _form_context(request, form, item.record, **context)
        )
    form, record, errors = _parse(formdata)
    try:
        if errors:
            raise workflow.Incomplete(errors)
        services.save(db, kind, item_id, user, record)
    except workflow.Incomplete as problem:
        return _refused(request, form, record, problem.errors, **context)
    return _after_save(request, formdata, kind, item_id)


@with_form
def autosave(request: Request, formdata) -> Response:
    """The form's JavaScript saves the draft as the partner types: the same save as the
    button, answered in JSON. A new submission becomes a draft at its first autosave."""
    user = require_user(request, "partner")
    db = request.app.state.db
    _form, record, errors = _parse(formdata)
    new = request.url.path == request.app.url_path_for("submission_new_autosave")
    kind = kind_of(request)
    try:
        if errors:
            raise workflow.Incomplete(errors)
        if new:
            item_id = services.create_draft(db, user, record)
            kind = "practice"
        else:
            item_id = path_id(request, "item_id")
            services.save(db, kind, item_id, user, record)
    except workflow.Incomplete as problem:
        return JSONResponse(
            {
                "saved": False,
                "errors": [
                    {"field": f, "message": messages.human(f, r)} for f, r in problem.errors
                ],
            },
            400,
        )
    except links.Elsewhere as moved:
        return JSONResponse({"saved": False, "message": moved.message}, 409)
    return JSONResponse(
        {
            "saved": True,
            "id": item_id,
            "edit_url": item_path(request, kind, item_id, "edit"),
            "autosave_url": item_path(request, kind, item_id, "autosave"),
        }
    )


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


def _explanations(form) -> dict[str, str]:
    return {
        key.removeprefix("explain-"): str(value).strip()[:2000]
        for key, value in form.multi_items()
        if key.startswith("explain-") and isinstance(value, str)
    }


@with_form
def submit_check(request: Request, form) -> Response:
    """Before submitting: look-alike published practices, the privacy check with an
    explanation for each finding, the confirmation."""
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    error, problems, unexplained, explanations = None, [], [], {}
    if form is not None:
        if form.get("action") == "make_update" and kind == "practice":
            target = str(form.get("target", ""))
            if not target.isdigit():
                raise HTTPException(400, _("Choose a published practice to update."))
            return redirect(
                request.app.url_path_for(
                    "submission_update_of", item_id=item_id, practice_id=int(target)
                )
            )
        explanations = _explanations(form)
        try:
            services.submit(
                db,
                request.app.state.settings.upload_dir,
                kind,
                item_id,
                user,
                confirmed=form.get("confirm") == "yes",
                explanations=explanations,
            )
        except workflow.Incomplete as incomplete:
            problems = incomplete.errors
        except workflow.PrivacyUnexplained as missing:
            unexplained = [w.key for w in missing.findings]
            error = str(missing)
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
    stored = services.privacy_state(db, kind, item_id, user)
    context = {
        "kind": kind,
        "item_id": item_id,
        "base": item_path(request, kind, item_id),
        "record": record,
        "similar": similar,
        "error": error,
        "problems": [
            {"field": f, "label": messages.label(f), "message": messages.advice(f, r)}
            for f, r in problems
        ],
        "privacy_warnings": scan(record),
        "explanations": {**stored, **{k: v for k, v in explanations.items() if v}},
        "unexplained": unexplained,
        "explanation_min": EXPLANATION_MIN_CHARS,
        "field_label": messages.label,
    }
    refused = error or (problems and form is not None)
    return render(request, "submissions/submit.html", context, 400 if refused else 200)


@with_form
def update_of(request: Request, form) -> Response:
    """Turn a draft into a proposed update of a published practice: asked first, with what
    it means; undone from the update's page while it is a draft."""
    item_id = path_id(request, "item_id")
    target_id = path_id(request, "practice_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    if form is None:
        context = services.conversion(db, item_id, user, target_id)
        context["base"] = item_path(request, "practice", item_id)
        return render(request, "submissions/update_of.html", context)
    update_id = services.make_update_of(db, item_id, user, target_id)
    flash(
        request,
        _(
            "Your draft is now a proposed update of the published practice. Review it and "
            "submit it, or turn it back into a draft with “Undo”."
        ),
    )
    return redirect(item_path(request, "update", update_id))


@with_form
def undo_update(request: Request, form) -> Response:
    user = require_user(request, "partner")
    draft_id = services.undo_update(request.app.state.db, path_id(request, "item_id"), user)
    flash(request, _("Undone: it is your own draft again, with its evidence files."))
    return redirect(item_path(request, "practice", draft_id, "edit"))


@with_form
def delete_submission(request: Request, form) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    if form is None:
        context = services.deletable(db, kind, item_id, user)
        context.update(kind=kind, base=item_path(request, kind, item_id))
        return render(request, "submissions/delete.html", context)
    title = services.delete(db, request.app.state.settings.upload_dir, kind, item_id, user)
    flash(request, _("“%(title)s” is deleted.") % {"title": title or _("Untitled draft")})
    return redirect(request.app.url_path_for("submissions"))


@with_form
def withdraw(request: Request, form) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    try:
        services.withdraw(request.app.state.db, kind, item_id, user)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
        return redirect(item_path(request, kind, item_id))
    flash(
        request,
        _("Withdrawn: it is a draft again. Edit it and submit it again, or delete it."),
    )
    return redirect(item_path(request, kind, item_id, "edit"))


def preview(request: Request) -> Response:
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    user = require_user(request)
    context = services.preview(request.app.state.db, kind, item_id, user)
    original = request.query_params.get("original") == "1"
    context.update(
        preview=True,
        kind=kind,
        base=item_path(request, kind, item_id),
        reading=reading(context["practice"], current_locale(), original, request.url.path),
        countries=[
            c
            for c in (geography.country(code) for code in context["practice"]["countries"])
            if c is not None
        ],
        more_like_this=[],
    )
    return render(request, "practice.html", context)


@with_form(max_files=1)
def upload_attachment(request: Request, form) -> Response:
    item_id = path_id(request, "item_id")
    user = require_user(request, "partner")
    db = request.app.state.db
    services.check_can_attach(db, item_id, user)  # 404 before anything else
    back = item_path(request, "practice", item_id, "edit")
    upload = form.get("file")
    problem = None
    if not isinstance(upload, UploadFile) or not (upload.filename or "").strip():
        problem = _("Choose a file to attach first, then press “Attach”.")
    else:
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
            problem = str(refused)
    if problem is None:
        flash(request, _("The file is attached. It stays internal unless a curator publishes it."))
        return redirect(f"{back}#attachments")
    item = services.editable(db, "practice", item_id, user)
    form_ = PracticeForm.from_record(item.record)
    context = _form_context(
        request,
        form_,
        item.record,
        **_edit_context(request, "practice", item_id, item, upload_error=problem),
    )
    return render(request, "submissions/form.html", context, 400)


@with_form
def delete_attachment(request: Request, form) -> Response:
    attachment_id = path_id(request, "attachment_id")
    user = require_user(request, "partner")
    practice_id = services.remove_attachment(
        request.app.state.db, request.app.state.settings.upload_dir, attachment_id, user
    )
    flash(request, _("The file is removed."))
    return redirect(f"{item_path(request, 'practice', practice_id, 'edit')}#attachments")


# What a browser may do with an evidence file opened in a page: show it, run nothing, reach
# nothing. The review page frames PDFs, so this page may be framed by the site itself.
INLINE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")


def _file_response(request: Request, inline: bool) -> Response:
    attachment_id = path_id(request, "attachment_id")
    attachment = services.attachment_for(request.app.state.db, attachment_id, current_user(request))
    path = attachments.path_of(request.app.state.settings.upload_dir, attachment)
    if not path.exists():
        raise HTTPException(404)
    inline = inline and attachment.content_type in INLINE_TYPES
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store" if attachment.visibility != "public" else "private",
    }
    if inline:
        headers["Content-Security-Policy"] = INLINE_POLICY
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.original_name,
        content_disposition_type="inline" if inline else "attachment",
        headers=headers,
    )


def download_attachment(request: Request) -> Response:
    return _file_response(request, inline=False)


def view_attachment(request: Request) -> Response:
    """A PDF or image shown in the browser (the review page previews them), sandboxed."""
    return _file_response(request, inline=True)


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
POST = ["POST"]


def _both(path: str, endpoint, name: str, methods=None) -> list[Route]:
    """The same page for a new practice and for a proposed update."""
    return [
        Route(
            f"/submissions/{{item_id:int}}{path}",
            endpoint,
            methods=methods,
            name=f"submission{name}",
        ),
        Route(
            f"/submissions/updates/{{item_id:int}}{path}",
            endpoint,
            methods=methods,
            name=f"update{name}",
        ),
    ]


routes = [
    Route("/submissions", my_submissions, name="submissions"),
    Route("/submissions/new", new_submission, methods=GET_POST, name="submission_new"),
    Route("/submissions/new/autosave", autosave, methods=POST, name="submission_new_autosave"),
    *_both("", submission_detail, ""),
    *_both("/edit", edit_submission, "_edit", GET_POST),
    *_both("/autosave", autosave, "_autosave", POST),
    *_both("/submit", submit_check, "_submit", GET_POST),
    *_both("/preview", preview, "_preview"),
    *_both("/delete", delete_submission, "_delete", GET_POST),
    *_both("/withdraw", withdraw, "_withdraw", POST),
    Route(
        "/submissions/{item_id:int}/update-of/{practice_id:int}",
        update_of,
        methods=GET_POST,
        name="submission_update_of",
    ),
    Route("/submissions/updates/{item_id:int}/undo", undo_update, methods=POST, name="update_undo"),
    Route(
        "/submissions/{item_id:int}/attachments",
        upload_attachment,
        methods=POST,
        name="attachment_upload",
    ),
    Route("/attachments/{attachment_id:int}", download_attachment, name="attachment"),
    Route("/attachments/{attachment_id:int}/view", view_attachment, name="attachment_view"),
    Route(
        "/attachments/{attachment_id:int}/delete",
        delete_attachment,
        methods=POST,
        name="attachment_delete",
    ),
    Route(
        "/practices/{practice_id:int}/propose-update",
        propose_update,
        methods=POST,
        name="propose_update",
    ),
]
