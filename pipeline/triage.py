"""Triage of untrusted input: pre-flight checks and plain-words reasons for bad files.

Every input file is untrusted. This module answers three questions for the
runner, each with a sentence a person can act on:

* before parsing: is this file worth opening at all (empty, not a PDF)?
  `check_bytes`, `open_pdf` (encryption, damaged cross-reference table,
  page count) and `explain` (an exception turned into a reason);
* after the layout stage: did the text come out (`assess_layout`: image-only
  pages that need OCR, `(cid:NN)` glyph garbage)?
* when asked: make a text layer with ocrmypdf (`ocr_copy`).

Pure functions over a path or a `DocumentLayout`; no process handling here
(that is `pipeline/run.py`).
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from extractors.layout import DocumentLayout


@dataclass(frozen=True)
class TriageSettings:
    """Every threshold of triage, named."""

    head_bytes: int = 1024          # "%PDF-" must start within this many bytes (as Acrobat allows)
    tail_bytes: int = 2048          # "%%EOF" must be within this many bytes of the end, else truncated
    min_bytes_per_page: int = 64    # a claimed page count above size/this is a lie (caps the time allowance)
    scan_min_image_area: float = 0.25  # a page with no characters and images covering this share is a scan
    cid_min_words: int = 3          # a page with at least this many "(cid:NN)" words ...
    cid_min_share: float = 0.05     # ... making up at least this share of its words has glyph garbage
    max_pages_listed: int = 12      # longer page lists are cut with "..."


class BadInput(Exception):
    """A file that cannot be read, with the reason for the documents row."""


_SIGNATURES = [
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "an XML file"),
]


def _describe_start(head: bytes) -> str:
    lowered = head.lstrip().lower()
    for magic, what in _SIGNATURES:
        if lowered.startswith(magic.lower()):
            return what
    shown = "".join(chr(b) if 32 <= b < 127 else "." for b in head[:16])
    return repr(shown)


def check_bytes(path: str | Path, s: TriageSettings = TriageSettings()) -> str | None:
    """The reason a file is not worth parsing (empty, not a PDF), or None."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return "empty file (0 bytes)"
    with open(path, "rb") as fh:
        head = fh.read(s.head_bytes)
    if b"%PDF-" not in head:
        return f"not a PDF (starts with {_describe_start(head)})"
    return None


def is_truncated(path: str | Path, s: TriageSettings = TriageSettings()) -> bool:
    """True when no "%%EOF" marker ends the file: the download or copy was cut short."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - s.tail_bytes))
        return b"%%EOF" not in fh.read()


@dataclass(frozen=True)
class Opened:
    n_pages: int             # the page count the page tree claims (capped by file size)
    xref_recovered: bool     # the cross-reference table was damaged and rebuilt by scanning
    encrypted: bool


def open_pdf(path: str | Path, password: str | None, s: TriageSettings = TriageSettings()) -> Opened:
    """Open the document structure only (xref, trailer, catalog, page tree root).

    Cheap next to reading the pages; raises the parser's own exception for a
    file that cannot be opened (turn it into a reason with `explain`).
    """
    from pdfminer.pdfdocument import PDFDocument, PDFXRefFallback
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        doc = PDFDocument(PDFParser(fh), password=password or "")
        recovered = any(isinstance(x, PDFXRefFallback) for x in doc.xrefs)
        try:
            tree = resolve1(doc.catalog.get("Pages"))
            count = resolve1(tree.get("Count")) if isinstance(tree, dict) else 0
            n = int(count) if isinstance(count, (int, float)) else 0
        except Exception:  # a broken page tree: pdfplumber may still find pages by walking
            n = 0
        return Opened(n_pages=max(0, min(n, size // s.min_bytes_per_page)), xref_recovered=recovered,
                      encrypted=doc.encryption is not None)


def cap_pages(path: str | Path, n_pages: int, s: TriageSettings = TriageSettings()) -> int:
    """A claimed page count, capped by the file's size (a lie must not buy time)."""
    return max(0, min(int(n_pages or 0), Path(path).stat().st_size // s.min_bytes_per_page))


def _pdfium_reason(exc: BaseException, password: str | None, truncated: bool) -> str:
    """PDFium's FPDF_GetLastError code (`extractors.layout.pdfium_reader.PdfiumError`) in plain words."""
    code = getattr(exc, "code", 0)
    if code == 4:
        return "encrypted: wrong password" if password else "encrypted: password required"
    if code == 5:
        return "encrypted: unsupported encryption (unsupported security handler)"
    detail = f"PDFium: {exc}"
    if truncated:
        return f"truncated PDF (no end-of-file marker): {detail}"[:300]
    return f"truncated or damaged PDF: {detail}"[:300]


def _unwrap(exc: BaseException) -> BaseException:
    # pdfplumber wraps pdfminer's exceptions in PdfminerException(original)
    seen = 0
    while seen < 5 and exc.args and isinstance(exc.args[0], BaseException):
        exc, seen = exc.args[0], seen + 1
    return exc


def memory_reason(max_memory_mb: int | None) -> str:
    if max_memory_mb:
        return f"exceeded memory ceiling of {max_memory_mb} MB"
    return "out of memory"


def explain(exc: BaseException, *, password: str | None = None, truncated: bool = False,
            max_memory_mb: int | None = None) -> str:
    """One clear sentence for why a file could not be read."""
    exc = _unwrap(exc)
    if type(exc).__name__ == "PdfiumError":
        return _pdfium_reason(exc, password, truncated)
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    name = type(exc).__name__
    msg = str(exc).strip()
    if isinstance(exc, PDFPasswordIncorrect) or name == "PDFPasswordIncorrect":
        return "encrypted: wrong password" if password else "encrypted: password required"
    if isinstance(exc, PDFEncryptionError):
        return f"encrypted: unsupported encryption ({msg or name})"[:300]
    if isinstance(exc, RecursionError):
        return "deeply nested objects (recursion limit reached)"
    if isinstance(exc, MemoryError):
        return memory_reason(max_memory_mb)
    detail = f"{name}: {msg}" if msg else name
    if truncated:
        return f"truncated PDF (no end-of-file marker): {detail}"[:300]
    return f"truncated or damaged PDF: {detail}"[:300]


def explain_page_error(text: str, max_memory_mb: int | None = None) -> str:
    """A `page_errors` entry ("MemoryError: ...") in plain words.

    pdfplumber re-raises pdfminer's errors as PdfminerException, so the type
    name is often lost and the message is all there is to go on.
    """
    low = text.lower()
    if text.startswith("MemoryError") or "unable to allocate" in low or "out of memory" in low:
        return memory_reason(max_memory_mb)
    if text.startswith("RecursionError") or "recursion depth" in low:
        return "deeply nested objects (recursion limit reached)"
    return text


def _pages(numbers: list[int], s: TriageSettings) -> str:
    shown = ", ".join(str(n) for n in numbers[: s.max_pages_listed])
    return shown + (", ..." if len(numbers) > s.max_pages_listed else "")


@dataclass(frozen=True)
class TextCheck:
    scanned_pages: list[int]   # no character at all, mostly covered by images
    cid_pages: list[int]       # "(cid:NN)" glyphs with no font mapping
    text_pages: int            # pages with a text layer

    @property
    def needs_ocr(self) -> bool:
        return bool(self.scanned_pages)


def check_text(layout: DocumentLayout, s: TriageSettings = TriageSettings()) -> TextCheck:
    scanned, cid, text = [], [], 0
    for p in layout.pages:
        if p.n_chars == 0:
            if p.n_images and p.image_area >= s.scan_min_image_area:
                scanned.append(p.number)
            continue
        text += 1
        if p.cid_chars >= s.cid_min_words and p.cid_chars >= s.cid_min_share * max(1, len(p.words)):
            cid.append(p.number)
    return TextCheck(scanned, cid, text)


def text_problems(check: TextCheck, s: TriageSettings = TriageSettings(), ocr_note: str = "") -> list[str]:
    """Reasons for a `partial` status from a `TextCheck` (empty when the text came out)."""
    out = []
    if check.scanned_pages:
        if check.text_pages == 0:
            out.append("no text layer: needs OCR" + ocr_note)
        else:
            out.append(f"no text layer on pages {_pages(check.scanned_pages, s)}: needs OCR" + ocr_note)
    if check.cid_pages:
        out.append(f"(cid:NN) glyph garbage on pages {_pages(check.cid_pages, s)}")
    return out


def ocr_tool() -> str | None:
    """Path of ocrmypdf (Debian package `ocrmypdf`, which brings tesseract), or None."""
    return shutil.which("ocrmypdf")


def ocr_copy(path: str | Path, out_dir: str | Path, language: str = "eng") -> Path:
    """A copy of the PDF with a text layer made by ocrmypdf (pages with text are left alone).

    Raises BadInput with the reason when ocrmypdf is missing or fails.
    """
    tool = ocr_tool()
    if tool is None:
        raise BadInput("ocrmypdf is not installed")
    out = Path(out_dir) / "ocr.pdf"
    # plain PDF out (no PDF/A conversion through ghostscript) and no optimisation: only the text layer matters
    proc = subprocess.run([tool, "--skip-text", "--quiet", "--output-type", "pdf", "--optimize", "0",
                           "-l", language, str(path), str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise BadInput(f"ocrmypdf failed: {tail[0][:200]}")
    return out
