"""spaCy span finder of the normaliser: DATE and MONEY candidate spans in a cell.

One blank English pipeline per process (`spacy.blank("en")`, no model, no
download), built lazily on first use, with

- a tokenizer tuned to council notation, so that `£12m-17m`, `-£0.8m`,
  `2019/20`, `2018-28`, `04th-Mar-2025`, `Q3`, `£55k` split into stable pieces
  (`£` always its own token; `/` and `-` always split; a number is split from
  the letters after it: `55k` -> `55` `k`, `04th` -> `04` `th`);
- two token-pattern `Matcher`s, label DATE and label MONEY, whose patterns
  cover what councils write and general-purpose NER misses: financial
  years, quarters, seasons, two-digit years, ranges with `between/and/to/-`,
  prefix words (`by`, `end of`, `starting`, `mid-`), durations, `ongoing`;
  `£` + number + unit + period words, brackets, signs and ranges.
  Overlapping matches keep the longest, then the leftmost, as an
  EntityRuler does (a ruler with the same `*` patterns keeps every sub-match
  and ran 2-3x slower), and the spans are set as the doc's entities.

The matchers propose spans generously; the rule grammar in `dates.py` /
`money.py` then reads and resolves what starts inside each span. Text is
folded (`lexicon.fold`) before tokenising, so offsets are offsets into the
original cell.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import MONTHS, NUMBER_WORDS, SEASONS

# ------------------------------------------------------------ token classes
_MONTH_WORDS = sorted(set(MONTHS) | {m + "." for m in MONTHS})  # `Sept.` is one token (tokenizer exception)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "mon", "tue", "tues", "wed", "wednes", "thu", "thur", "thurs", "fri", "sat", "satur", "sun"]
_NUM_RX = r"^\d[\d.,]*$"
_DATE_PREFIX = ["by", "the", "end", "of", "until", "till", "til", "up", "to", "no", "not", "later", "than", "before",
                "from", "since", "after", "starting", "starts", "start", "started", "commenced", "commencing",
                "commences", "commence", "beginning", "begins", "throughout", "during", "in", "on", "at", "mid",
                "early", "late", "around", "approx", "circa", "as", "between", "within", "over", "for", "across",
                "about", "approximately", "next", "a", "further", "-", ":", "."]
_ONGOING = ["ongoing", "going", "continuous", "continuously", "continual", "continually", "continuing", "throughout"]
_UNITS = ["year", "years", "yr", "yrs", "month", "months", "mth", "mths", "week", "weeks", "wk", "wks", "day", "days"]
_NUM_WORDS = sorted({w for k in NUMBER_WORDS for w in k.split()})
# tokens that can open or close a date expression, and those that may only join two of them
_DATE_STRONG = sorted(set(_MONTH_WORDS) | set(SEASONS) | set(_WEEKDAYS) | set(_ONGOING) | set(_UNITS)
                      | set(_NUM_WORDS) | {"quarter", "onwards", "onward"})
_DATE_STRONG_RX = r"^(?:q[1-4]|fy\d*|\d[\d.,]*)$"
_DATE_JOIN = sorted(set(_DATE_PREFIX) | {"/", "&", "and", "to", "until", "till", "through", "thru", ",", "'", "st",
                                         "nd", "rd", "th", "of", "(", ")"})

_MONEY_UNITS = ["k", "m", "b", "bn", "mn", "million", "billion", "thousand"]
_MONEY_OPEN = ["£", "gbp", "between"]
_MONEY_JOIN = sorted(set(_MONEY_UNITS) | {"£", "gbp", "pounds", "-", "to", "and", "(", ")", "pa", "p.a", "p", ".", "a",
                                          "per", "annum", "year", "yr", "each", "every", "annual", "annually", "/",
                                          "one", "off", ","})
_MONEY_CLOSE = sorted(set(_MONEY_UNITS) | {"pounds", "gbp", "pa", "p.a", ".", "annum", "year", "yr", "annual",
                                           "annually", "off", ")"})


def _tok(words: list[str] | None = None, rx: str | None = None, op: str | None = None, space: bool = False) -> dict:
    """One token test on LOWER: a word list and/or a regex; `space` also admits whitespace tokens (double
    spaces and line breaks in PDF text are tokens of their own)."""
    alts = []
    if words:
        alts.append("^(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")$")
    if rx:
        alts.append(rx)
    if space:
        alts.append(r"^\s+$")
    d = {"LOWER": {"REGEX": "|".join(alts)}}
    if op:
        d["OP"] = op
    return d


def _date_patterns() -> list[dict]:
    pre = _tok(_DATE_PREFIX, op="*", space=True)
    strong = _tok(_DATE_STRONG, _DATE_STRONG_RX)
    any_ = _tok(sorted(set(_DATE_STRONG) | set(_DATE_JOIN)), _DATE_STRONG_RX, op="*", space=True)
    loose = [_tok(rx=r"^[0-3]?\d$"), _tok(["st", "nd", "rd", "th"], op="?"), _tok(["of"], op="?"),
             {"IS_ALPHA": True, "LENGTH": {">=": 3, "<=": 10}}, _tok(["."], op="?"), _tok([","], op="?"),
             _tok(rx=r"^(?:19|20)\d\d$")]  # `10 Febuary 2025`: a month word our lexicon lacks, for dateparser
    return [
        {"label": "DATE", "pattern": [pre, strong]},
        {"label": "DATE", "pattern": [pre, strong, any_, strong]},
        {"label": "DATE", "pattern": loose},
    ]


def _money_patterns() -> list[dict]:
    sign = _tok(["-", "+", "("], op="*")
    num = _tok(rx=_NUM_RX)
    any_ = _tok(sorted(set(_MONEY_JOIN)), _NUM_RX, op="*", space=True)
    close = _tok(_MONEY_CLOSE, _NUM_RX)
    named = [sign, num, _tok(_MONEY_UNITS, op="*", space=True), _tok(["pounds", "gbp"])]  # `1.2 billion pounds`
    return [
        {"label": "MONEY", "pattern": [sign, _tok(_MONEY_OPEN), any_, close]},
        {"label": "MONEY", "pattern": named},
        {"label": "MONEY", "pattern": named + [any_, close]},
    ]


def _tokenizer(nlp):
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    infixes = list(nlp.Defaults.infixes) + [
        r"[/\-\u2013\u2014\u2212]",      # every slash and dash is its own token: 2019/20, 2018-28, 12m-17m
        r"£",                           # -£0.8m, (£2.1m
        r"[()+']",                       # Committee(17 December 2024), 9+Summer, Jan'25
        r",(?!\d)|(?<!\d),",              # Jan,8 (but 1,531,279 stays whole)
        r"(?<=\d)[.,](?=[A-Za-z])",        # Minutes 10.12.24.pdf, 2024,end
        r"(?<=\d)(?=[A-Za-z])",          # 55k, 04th, 12m, 0.159bn
        r"(?<=[A-Za-z]{3})(?=\d)",       # Jan2025, Summer2019 (but Q3 and FY24 stay whole)
    ]
    prefixes = list(nlp.Defaults.prefixes) + [r"£", r"[\-+\u2212/]"]
    suffixes = list(nlp.Defaults.suffixes) + [r"'"]
    tok = nlp.tokenizer
    # one new tokenizer with every setting at once: each setter of a built one reloads its exceptions
    return Tokenizer(
        nlp.vocab,
        # default exceptions holding a digit, `/`, `-` or `£` would keep together pieces we want apart
        rules={k: v for k, v in (tok.rules or {}).items() if not re.search(r"[\d/\-£]", k)},
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=tok.token_match,
        url_match=None,  # `10.12.24.pdf`, `2024.from` are not web addresses here
        faster_heuristics=tok.faster_heuristics,
        max_cache_size=tok.max_cache_size,
    )


@lru_cache(maxsize=1)
def nlp():
    """The process's one blank English pipeline (tokenizer only, no trained components)."""
    import spacy

    pipe = spacy.blank("en")
    pipe.tokenizer = _tokenizer(pipe)
    return pipe


@lru_cache(maxsize=2)
def _matcher(label: str):
    """Token-pattern Matcher for one label; overlapping matches of a pattern keep the longest."""
    from spacy.matcher import Matcher

    m = Matcher(nlp().vocab)
    for i, p in enumerate(_date_patterns() if label == "DATE" else _money_patterns()):
        m.add(f"{label}_{i}", [p["pattern"]], greedy="LONGEST")
    return m


def _matches(doc, label: str) -> list[tuple[int, int]]:
    """Token (start, end) of the non-overlapping `label` matches in `doc`: longest first, then leftmost (the
    EntityRuler's rule), in text order."""
    found = sorted({(s, e) for _, s, e in _matcher(label)(doc, as_spans=False)}, key=lambda p: (p[0] - p[1], p[0]))
    taken: set[int] = set()
    out = []
    for s, e in found:
        if not taken.intersection(range(s, e)):
            out.append((s, e))
            taken.update(range(s, e))
    return sorted(out)


def _ents(text: str, label: str):
    from spacy.tokens import Span

    doc = nlp().make_doc(text)
    doc.ents = [Span(doc, s, e, label=label) for s, e in _matches(doc, label)]
    return doc.ents


def date_spans(text: str):
    """DATE spans (spaCy `Span`s, label DATE, also set as `doc.ents`) of the folded `text`."""
    return _ents(text, "DATE")


def money_spans(text: str):
    """MONEY spans (spaCy `Span`s, label MONEY, also set as `doc.ents`) of the folded `text`."""
    return _ents(text, "MONEY")


def char_spans(text: str, label: str) -> list[tuple[int, int]]:
    """Character (start, end) of the `label` spans of the folded `text`: what `date_spans` / `money_spans`
    return, without building Span objects (the normaliser's hot path)."""
    doc = nlp().make_doc(text)
    return [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in _matches(doc, label)]
