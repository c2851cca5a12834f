"""Cell text assembly and the contract's plain-text rules.

Words of one cell -> lines -> paragraphs; hyphenation at line ends re-joined,
ligatures expanded, bullets dropped, white space folded, paragraphs joined
with a newline. No HTML, no control characters, no (cid:NN) glyph codes.
"""
from __future__ import annotations

import operator
import re
import unicodedata

from extractors.layout import Word

# a lone glyph code at a line start is an unmapped bullet symbol (Symbol/Wingdings fonts)
_BULLET_ONLY = re.compile(r"^([•●▪■◦‣∙·➢➤►▸○□✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc]+|\(cid:\d+\)|[-–])$")
_BULLET_LEAD = re.compile(r"^[•●▪■◦‣∙·➢➤►▸○□✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc]\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_CID = re.compile(r"\(cid:\d+\)")
_TAG = re.compile(r"</?(p|i|b|u|em|strong|br|span|div)\b[^>]*>", re.I)
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}


def mostly(words: list[Word], style: str) -> bool:
    """True when more than half of the words' characters are set in `style` ("bold" or "italic")."""
    return sum(len(w.text) for w in words if getattr(w, style)) * 2 > sum(len(w.text) for w in words)


def clean_inline(text: str) -> str:
    """One run of text: ligatures expanded, artefacts removed, white space folded."""
    if not text:
        return ""
    for k, v in _LIGATURES.items():
        text = text.replace(k, v)
    text = _TAG.sub(" ", text)
    text = _CID.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ").replace("\t", " ")
    return re.sub(r"[ \r\n]+", " ", text).strip()


def line_groups(words: list[Word], tol: float = 2.5) -> list[list[Word]]:
    """Words -> printed lines (tops within `tol`), each sorted left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=_TOP_X0):
        if lines and abs(w.top - lines[-1][0].top) <= tol:
            lines[-1].append(w)
        else:
            lines.append([w])
    for ln in lines:
        ln.sort(key=_X0)
    return lines


_TOP_X0 = operator.attrgetter("top", "x0")
_X0 = operator.attrgetter("x0")


# the word after a dash that a wrap put at a line start, when the dash joins a range (`- June 2027`)
_DATE_WORD = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spring|summer|autumn|winter|"
                        r"q[1-4]\b|end\b|early\b|mid\b|late\b)", re.I)

# a line that opens with one of these fragments finishes the word a narrow cell broke (`Commence` / `d`)
_WORD_TAILS = {"d", "e", "s", "t", "n", "y", "ed", "es", "er", "ly", "al", "ty", "ing", "ion", "ions", "ment"}


def _join_lines(parts: list[str]) -> str:
    out = ""
    for p in parts:
        first = p.split(" ", 1)[0]
        if not out:
            out = p
        elif re.search(r"[A-Za-z]-$", out) and p[:1].isalpha():
            out = out + p  # a line-end hyphen: the word runs on (`council-` `owned` -> `council-owned`)
        elif first in _WORD_TAILS and re.search(r"[a-z]{3,}$", out):
            out = out + p
        else:
            out = out + " " + p
    return out


def cell_text(words: list[Word], paragraph_gap_ratio: float = 0.55) -> str:
    """The text of one cell: lines joined with spaces, paragraphs and bullet items with newlines.

    A paragraph starts after a gap wider than `paragraph_gap_ratio` line heights, or at a bullet.
    """
    if not words:
        return ""
    paras: list[list[str]] = []
    prev_bottom = None
    dash_list = False  # the cell opens with a dash item: its later dash lines are items too
    for n, ln in enumerate(line_groups(words)):
        text = clean_inline(" ".join(w.text for w in ln))
        top, bottom = min(w.top for w in ln), max(w.bottom for w in ln)
        h = max(bottom - top, 1.0)
        first = ln[0].text
        bullet = bool(_BULLET_ONLY.match(first) or _BULLET_LEAD.match(first))
        if first in ("-", "–") and (len(ln) < 2 or not ln[1].text[:1].isalpha()):
            bullet = False  # `– 2030/31` continues a range; only `- Develop …` is a dash bullet
        elif first in ("-", "–") and n and _DATE_WORD.match(ln[1].text):
            # `June 2026` / `- June 2027` wraps a range: a dash item follows a finished line or a dash item
            ended = bool(paras) and bool(re.search(r"[.:;!?)]$", paras[-1][-1]))
            bullet = dash_list = dash_list or ended
        elif first in ("-", "–"):
            dash_list = True
        if bullet:
            text = _BULLET_LEAD.sub("", text) if not _BULLET_ONLY.match(first) else clean_inline(" ".join(w.text for w in ln[1:]))
        new_para = prev_bottom is None or bullet or (top - prev_bottom) > paragraph_gap_ratio * h
        prev_bottom = bottom
        if not text:
            continue
        if new_para or not paras:
            paras.append([text])
        else:
            paras[-1].append(text)
    return "\n".join(_join_lines(p) for p in paras if p)
