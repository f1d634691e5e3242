"""Attachments are checked by content and name, limited in size and number, and served only as
downloads to those who may see the practice; request bodies are limited before reading."""

import io
import re
import zipfile

import pytest

from tests.conftest import make_user, post_form, sign_in

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def draft(client, db):
    make_user(db, "a@a.example", organisation="Org A")
    sign_in(client, "a@a.example")
    response = post_form(
        client,
        "/submissions/new",
        "/submissions/new",
        {"title": "Draft with evidence", "intent": "save"},
    )
    return int(re.search(r"/submissions/(\d+)/edit", response.headers["location"]).group(1))


def upload(client, practice_id, name, data):
    return post_form(
        client,
        f"/submissions/{practice_id}/edit",
        f"/submissions/{practice_id}/attachments",
        {},
        files={"file": (name, data)},
    )


def attached(client, practice_id) -> list[str]:
    return re.findall(
        r'<a href="/attachments/\d+">([^<]+)</a>',
        client.get(f"/submissions/{practice_id}/edit").text,
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [("report.pdf", PDF), ("chart.png", PNG), ("photo.jpg", JPEG), ("brief.docx", docx())],
)
def test_accepted_types_are_stored_and_served_as_downloads(client, draft, settings, name, data):
    assert upload(client, draft, name, data).status_code == 303
    assert attached(client, draft) == [name]
    link = re.search(
        r'href="(/attachments/\d+)"', client.get(f"/submissions/{draft}/edit").text
    ).group(1)
    response = client.get(link)
    assert response.content == data
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    stored = [p.name for p in settings.upload_dir.iterdir()]
    assert name not in stored and all(re.fullmatch(r"[0-9a-f]{32}", s) for s in stored)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "does not match"),
        ("image.png", PDF, "does not match"),
        ("script.exe", b"MZ\x90\x00", "Only PDF, DOCX, PNG and JPEG"),
        ("page.html", b"<html></html>", "Only PDF, DOCX, PNG and JPEG"),
        ("zip.docx", b"PK\x03\x04not really a zip", "does not match"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_wrong_types_are_refused_with_a_reason(client, draft, name, data, message):
    response = upload(client, draft, name, data)
    assert response.status_code == 400
    assert message in response.text  # beside the file field, on the edit page
    assert 'id="file-error"' in response.text
    assert attached(client, draft) == []


def test_attach_without_a_file_says_to_choose_one(client, draft):
    """The browser sends an empty file part: it once answered "Only PDF, DOCX..." (issue 13)."""
    response = upload(client, draft, "", b"")
    assert response.status_code == 400
    assert "Choose a file to attach first" in response.text
    assert "Only PDF" not in response.text


def test_at_most_five_files(client, draft):
    for n in range(5):
        upload(client, draft, f"file{n}.pdf", PDF)
    response = upload(client, draft, "sixth.pdf", PDF)
    assert response.status_code == 400 and "at most 5 files" in response.text
    assert len(attached(client, draft)) == 5


def test_files_over_10_mb_are_refused_before_the_body_is_read(client, draft):
    big = PDF + b"0" * (10 * 1024 * 1024 + 100 * 1024)
    response = upload(client, draft, "big.pdf", big)
    assert response.status_code == 413
    assert attached(client, draft) == []


def test_ordinary_forms_are_limited_to_one_megabyte(client, draft):
    response = post_form(
        client,
        "/submissions/new",
        "/submissions/new",
        {"title": "x", "description": "y" * 1_200_000},
    )
    assert response.status_code == 413


def test_a_body_without_content_length_is_counted(client, draft):
    def chunks():
        for _ in range(40):
            yield b"a" * 50_000

    response = client.post(
        "/submissions/new",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def office(*parts: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return buffer.getvalue()


MACRO_TYPES = (
    '<Types><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    "data",
    [
        office(
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<document/>"),
            ("word/vbaProject.bin", 'Attribute VB_Name = "ThisDocument"'),
        ),
        office(("[Content_Types].xml", MACRO_TYPES), ("word/document.xml", "<document/>")),
        office(
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<document/>"),
            ("word/embeddings/oleObject1.bin", "MZ"),
        ),
    ],
    ids=["vba project", "macro-enabled content type", "embedded program"],
)
def test_a_docx_with_macros_is_refused(client, draft, data):
    """A .docm renamed .docx opens in Word and offers to run its macros (issue 10, item 15)."""
    response = upload(client, draft, "evidence.docx", data)
    assert response.status_code == 400 and "macros" in response.text
    assert attached(client, draft) == []


def test_a_draft_made_an_update_keeps_its_files_until_the_update_is_submitted(
    client, db, draft, settings
):
    """Files once stayed on disk for ever (issue 10); then went at once, with no undo (issue
    13): now they stay while "Undo" can bring the draft back, and go when the update is
    submitted."""
    from tests.conftest import add_practices, record, sync

    (published,) = add_practices(db, record(title="Published already"))
    sync(client.app)
    upload(client, draft, "a.pdf", PDF)
    upload(client, draft, "b.png", PNG)
    assert len(list(settings.upload_dir.iterdir())) == 2
    confirm = f"/submissions/{draft}/update-of/{published}"
    page = client.get(confirm)
    assert "a.pdf, b.png" in page.text and "deleted then" in page.text
    response = post_form(client, confirm, confirm, {})
    assert response.status_code == 303 and "/submissions/updates/" in response.headers["location"]
    update_page = response.headers["location"]
    assert len(list(settings.upload_dir.iterdir())) == 2
    update_id = int(update_page.rsplit("/", 1)[1])
    undo = post_form(client, update_page, f"/submissions/updates/{update_id}/undo", {})
    assert undo.headers["location"] == f"/submissions/{draft}/edit"
    assert attached(client, draft) == ["a.pdf", "b.png"]

    response = post_form(client, confirm, confirm, {})
    update_id = int(response.headers["location"].rsplit("/", 1)[1])
    base = f"/submissions/updates/{update_id}"
    complete = {**record(title="Draft with evidence"), "scope": "national"}
    with db.write() as session:
        from repository.models import PracticeUpdate

        update = session.get(PracticeUpdate, update_id)
        update.document = {**update.document, **complete, "id": published, "status": "published"}
    submitted = post_form(
        client, f"{base}/submit", f"{base}/submit", {"action": "submit", "confirm": "yes"}
    )
    assert submitted.status_code == 303, submitted.text[submitted.text.find("Complete") :][:1500]
    assert list(settings.upload_dir.iterdir()) == []


@pytest.mark.parametrize("deleted", ["draft", "update made from it"])
def test_deleting_a_draft_or_the_update_made_from_it_leaves_no_file_behind(
    client, db, draft, settings, deleted
):
    """Evidence files must go with the rows that name them (issue 10, item 14)."""
    from tests.conftest import add_practices, record, sync

    upload(client, draft, "a.pdf", PDF)
    upload(client, draft, "b.png", PNG)
    assert len(list(settings.upload_dir.iterdir())) == 2
    page = f"/submissions/{draft}"
    if deleted != "draft":
        (published,) = add_practices(db, record(title="Published already"))
        sync(client.app)
        confirm = f"/submissions/{draft}/update-of/{published}"
        page = post_form(client, confirm, confirm, {}).headers["location"]
    asked = client.get(f"{page}/delete")
    assert "a.pdf" in asked.text and "b.png" in asked.text
    response = post_form(client, f"{page}/delete", f"{page}/delete", {})
    assert response.status_code == 303
    assert list(settings.upload_dir.iterdir()) == []
    assert client.get(f"/submissions/{draft}/edit").status_code == 404
