"""Draw small action plans whose refs and keys of lead codes come in the forms councils print them.

`build_keyed_plan(path, KeyedPlan(...))` draws a real PDF with reportlab: a title, an optional
key before the plan, a ruled or unruled table (refs in their own column or at the start of the
recommendation cell, in any printed style), an optional key after the plan or at the page foot.

Key forms: `dash` (CODE - Name), `equals` (CODE = Name), `colon` (CODE: Name), `paren` (Name (CODE)),
`code_paren` (CODE (Name)); laid out one per line (`lines`), run on in a paragraph separated by `;` or
`,` (`run_semicolon`, `run_comma`), two entries a line side by side (`columns`), or as a two-column table (`table`, with a `Code | Lead role` header
when `table_header`). Titles are any text, or None for no title.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"

REF_STYLES = {
    "plain": "{n}", "dot": "{n}.", "paren": "{n})", "both": "({n})", "R": "R{n}", "R_dash": "R{n} -",
    "rec": "Rec {n}:", "recommendation": "Recommendation {n}:", "decimal": "3.{n}", "A": "A{n}",
    "letter": "({a})", "roman": "{r}.",
}
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]


def ref_text(style: str, n: int) -> str:
    return REF_STYLES[style].format(n=n, a="abcdefgh"[n - 1], r=ROMAN[n - 1])


def ref_value(style: str, n: int) -> str:
    """The ref as the contract writes it: the reference without label words or punctuation."""
    return {"plain": str(n), "dot": str(n), "paren": str(n), "both": str(n), "R": f"R{n}", "R_dash": f"R{n}",
            "rec": str(n), "recommendation": str(n), "decimal": f"3.{n}", "A": f"A{n}",
            "letter": "abcdefgh"[n - 1], "roman": ROMAN[n - 1]}[style]


def entry_text(form: str, code: str, name: str) -> str:
    return {"dash": f"{code} - {name}", "equals": f"{code} = {name}", "colon": f"{code}: {name}",
            "paren": f"{name} ({code})", "code_paren": f"{code} ({name})", "endash": f"{code} – {name}"}[form]


@dataclass
class KeyedPlan:
    rows: list[dict]                      # {"rec", "lead", "timescale", "resource"}
    ref_style: str = "dot"
    ref_column: bool = False              # refs in a column of their own, else at the start of the rec cell
    key: dict[str, str] = field(default_factory=dict)
    key_codes_printed: dict[str, str] = field(default_factory=dict)  # code as printed in the key, if different
    key_form: str = "dash"
    key_layout: str = "lines"             # lines | run_semicolon | run_comma | columns | table
    table_header: bool = False
    key_title: str | None = "Key"
    key_at: str = "after"                 # before | after | foot
    ruled: bool = True
    glossary: dict[str, str] = field(default_factory=dict)  # a second, non-lead glossary printed after the key
    title: str = "Test Borough Council – Scrutiny Action Plan"
    intro: str = ""                       # a paragraph under the title


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    out, line = [], ""
    for word in text.split():
        cand = f"{line} {word}".strip()
        if stringWidth(cand, font, size) <= width - 6 or not line:
            line = cand
        else:
            out.append(line)
            line = word
    return out + ([line] if line else [])


def build_keyed_plan(path: Path, spec: KeyedPlan, size: float = 9.0) -> Path:
    w, h = landscape(A4)
    c = Canvas(str(path), pagesize=(w, h))
    left, lead = 40.0, size * 1.35
    headers = (["Ref"] if spec.ref_column else []) + ["Recommendation", "Lead", "Timescale", "Resource"]
    ref_w = max(stringWidth(ref_text(spec.ref_style, n), FONT, size) for n in range(1, len(spec.rows) + 1)) + 14
    widths = ([max(40.0, ref_w)] if spec.ref_column else []) + [330, 90, 120, 150]
    xs = [left]
    for cw in widths:
        xs.append(xs[-1] + cw)
    right = xs[-1]
    y = h - 45.0

    def text_block(lines: list[str], y: float, font=FONT) -> float:
        c.setFont(font, size)
        for t in lines:
            c.drawString(left, y, t)
            y -= lead
        return y

    def key_block(y: float, key: dict[str, str], title: str | None, codes: dict[str, str]) -> float:
        printed = [(codes.get(k, k), v) for k, v in key.items()]
        if title:
            c.setFont(BOLD, size)
            c.drawString(left, y, title)
            y -= lead
        if spec.key_layout == "table":
            if spec.table_header:
                c.setFont(BOLD, size)
                c.drawString(left, y, "Code")
                c.drawString(left + 70, y, "Lead role")
                y -= lead
            c.setFont(FONT, size)
            for k, v in printed:
                c.drawString(left, y, k)
                c.drawString(left + 70, y, v)
                y -= lead
            return y
        entries = [entry_text(spec.key_form, k, v) for k, v in printed]
        if spec.key_layout == "lines":
            return text_block(entries, y)
        if spec.key_layout == "columns":  # two entries a line, side by side
            c.setFont(FONT, size)
            for k in range(0, len(entries), 2):
                for j, e in enumerate(entries[k:k + 2]):
                    c.drawString(left + j * 260, y, e)
                y -= lead
            return y
        sep = "; " if spec.key_layout == "run_semicolon" else ", "
        return text_block(_wrap(sep.join(entries), right - left, FONT, size), y)

    c.setFont(BOLD, 14)
    c.drawString(left, y, spec.title)
    y -= 28
    if spec.intro:
        y = text_block(_wrap(spec.intro, right - left, FONT, size), y) - 10
    if spec.key and spec.key_at == "before":
        y = key_block(y, spec.key, spec.key_title, spec.key_codes_printed) - 18

    # the table
    top = y + size + 3
    c.setFont(BOLD, size)
    for x, t in zip(xs, headers):
        c.drawString(x + 3, y, t)
    y -= lead + 4
    if spec.ruled:
        c.setLineWidth(0.5)
        c.line(left, top, right, top)
        c.line(left, y + size + 1, right, y + size + 1)
    row_top = y + size + 1
    for n, r in enumerate(spec.rows, start=1):
        ref = ref_text(spec.ref_style, n)
        rec = r["rec"] if spec.ref_column else f"{ref} {r['rec']}"
        cells = ([[ref]] if spec.ref_column else []) + [
            _wrap(rec, widths[-4], FONT, size), _wrap(r["lead"], widths[-3], FONT, size),
            _wrap(r.get("timescale", ""), widths[-2], FONT, size), _wrap(r.get("resource", ""), widths[-1], FONT, size)]
        c.setFont(FONT, size)
        for x, cell in zip(xs, cells):
            for j, t in enumerate(cell):
                c.drawString(x + 3, y - j * lead, t)
        y -= max(len(cell) for cell in cells) * lead + (4 if spec.ruled else 10)
        if spec.ruled:
            c.line(left, y + size + 1, right, y + size + 1)
    if spec.ruled:
        for x in xs:
            c.line(x, top, x, y + size + 1)
    del row_top
    y -= 24
    if spec.key and spec.key_at == "after":
        y = key_block(y, spec.key, spec.key_title, spec.key_codes_printed) - 14
    if spec.glossary:
        y = key_block(y - 10, spec.glossary, "Glossary of terms", {})
    if spec.key and spec.key_at == "foot":
        c.setFont(FONT, 7)
        entries = "; ".join(entry_text(spec.key_form, spec.key_codes_printed.get(k, k), v) for k, v in spec.key.items())
        c.drawString(left, 40, f"{spec.key_title}: {entries}" if spec.key_title else entries)
    c.setFont(FONT, 7)
    c.drawString(w / 2, 20, "1")
    c.save()
    return path
