"""The brief as PDF, without letting PDFs slow every other page.

WeasyPrint is pure Python for the most part: while it lays out a page it holds the interpreter,
and four anonymous loops on /brief.pdf quadrupled a practice page's median time. So each worker
lays out one PDF at a time, the same brief is laid out once (most loops ask for the same one),
and the rate limit (operations.RateLimit) allows few PDFs per address and minute.
"""

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.exceptions import HTTPException

from repository.i18n import _

STYLESHEET = Path(__file__).parent.parent / "static" / "site.css"
CACHED = 32
WAIT_SECONDS = 5

_one_at_a_time = threading.BoundedSemaphore(1)
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _lay_out(html: str, base_url: str) -> bytes:
    from weasyprint import CSS, HTML

    # The same stylesheet as the page (its print rules apply), handed over directly, so
    # making a PDF fetches nothing.
    stylesheet = CSS(string=STYLESHEET.read_text())
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[stylesheet])


def pdf_of(html: str, base_url: str) -> bytes:
    """The PDF of the brief's printable HTML; 503 when this worker is busy making another."""
    key = hashlib.sha256(f"{base_url}\0{html}".encode()).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    if not _one_at_a_time.acquire(timeout=WAIT_SECONDS):
        raise HTTPException(
            503,
            _("Many PDFs are being made just now. Please try again in a few seconds."),
            headers={"Retry-After": str(WAIT_SECONDS)},
        )
    try:
        data = _lay_out(html, base_url)
    finally:
        _one_at_a_time.release()
    with _cache_lock:
        _cache[key] = data
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return data
