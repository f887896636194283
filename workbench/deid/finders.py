"""Finding identifiers in a text: structured ones by pattern, names from lists, candidate proper nouns.

Every finder returns `Found(start, end, text, type)` spans in code points. `detect` gives the terms a
text suggests (patterns, candidate proper nouns); `sweep` then finds every whole-word occurrence of
every term in a text, so a name spotted once (after "Dr", mid-sentence) is found everywhere, also
where it opens a sentence. Nothing here is downloaded: word frequencies come from the `wordfreq`
package's own data."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

TYPES = ("person", "organisation", "place", "email", "phone", "postcode", "nhs number", "date of birth", "url", "name")
PATTERN_TYPES = ("email", "url", "phone", "postcode", "nhs number", "date of birth")
TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor", "Nurse", "Sister")
RARE_ZIPF = 3.6  # a word rarer than this in ordinary English (wordfreq's Zipf scale) may be a name


@dataclass(frozen=True, order=True)
class Found:
    start: int
    end: int
    text: str
    type: str


EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")
# UK numbers: +44 or 0, then 9-10 more digits in the usual groupings (spaces or hyphens allowed).
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s-]?){8,9}\d\b")
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
NHS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
DATE = re.compile(rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b", re.I)
BIRTH = re.compile(r"\b(?:born|DOB|D\.O\.B\.?|date of birth|birthday)\b", re.I)
BIRTH_WINDOW = 40  # characters between the words and the date
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
CAPITALISED = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check: weights 10..2 on the first nine digits; 11 - (sum mod 11)
    is the check digit (11 counts as 0; 10 means no valid number)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def patterns(text: str) -> list[Found]:
    """E-mail addresses, URLs, UK phone numbers and postcodes, valid NHS numbers, dates of birth."""
    found: list[Found] = []
    for kind, pattern in (("email", EMAIL), ("url", URL), ("phone", PHONE), ("postcode", POSTCODE)):
        found += [Found(m.start(), m.end(), m.group(), kind) for m in pattern.finditer(text)]
    for m in NHS.finditer(text):
        if nhs_number_valid("".join(m.groups())):
            found.append(Found(m.start(), m.end(), m.group(), "nhs number"))
    for m in BIRTH.finditer(text):
        date = DATE.search(text, m.end(), m.end() + BIRTH_WINDOW + 30)
        if date and date.start() - m.end() <= BIRTH_WINDOW:
            found.append(Found(date.start(), date.end(), date.group(), "date of birth"))
    return resolve(found)


@lru_cache(maxsize=1)
def _zipf():
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - the package is a dependency; a fallback keeps finding possible
        return lambda word, _lang: 0.0 if word not in _COMMON else 6.0
    return zipf_frequency


_COMMON = frozenset("i the and a to of in it that you is was for on with he she they we but so my our".split())


POSSESSIVE = re.compile(r"['’]s$")
PRONOUN_I = re.compile(r"^I(?:['’][a-z]+)?$")


def rare(word: str) -> bool:
    """Rare as an ordinary word, and so are its plain forms ("Tuesdays" is "tuesday" said often)."""
    lower = word.lower()
    if lower.endswith("ly") and len(lower) > 5:  # an adverb opening a clause, not a name
        return False
    forms = {lower, lower[:-1] if lower.endswith("s") else lower}
    return all(_zipf()(form, "en") < RARE_ZIPF for form in forms)


def _name_word(word: str) -> bool:
    """A capitalised word that could be (part of) a name: not "I've", not an acronym ("GP’s", "PCNs")."""
    bare = POSSESSIVE.sub("", word)
    bare = bare[:-1] if bare.endswith("s") and bare[:-1].isupper() else bare
    return bool(bare) and bare[0].isupper() and not (bare.isupper() and len(bare) > 1) and not PRONOUN_I.match(word)


def _sentence_initial(text: str, at: int) -> bool:
    before = text[max(0, at - 6):at].rstrip(" \t\"“‘'([—–-")
    return not before or before[-1] in ".!?:;\n…"


def proper_nouns(text: str) -> list[Found]:
    """Candidate names: runs of capitalised words not opening a sentence, one of them rare as an
    ordinary word; after a title ("Dr Patel") a candidate is a person and keeps its title."""
    found = []
    words = list(CAPITALISED.finditer(text))
    i = 0
    while i < len(words):
        if not _name_word(words[i].group()):
            i += 1
            continue
        run = [words[i]]
        while i + 1 < len(words) and _name_word(words[i + 1].group()) and text[run[-1].end():words[i + 1].start()] == " " \
                and not POSSESSIVE.search(run[-1].group()):
            i += 1
            run.append(words[i])
        i += 1
        titled = run[0].group() in TITLES and len(run) > 1
        named = run[1:] if titled else run
        if not any(rare(POSSESSIVE.sub("", w.group())) for w in named):
            continue
        if _sentence_initial(text, run[0].start()) and not titled:
            continue
        start, end = run[0].start(), run[-1].start() + len(POSSESSIVE.sub("", run[-1].group()))
        found.append(Found(start, end, text[start:end], "person" if titled else "name"))
    return found


def detect(text: str) -> list[Found]:
    """The terms this text suggests on its own: patterns first, then candidate proper nouns."""
    return resolve(patterns(text) + proper_nouns(text))


def term_key(term: str) -> str:
    """One pseudonym per person, however written: "Dr Patel", "patel" and "Patel" share a key."""
    words = term.split()
    if len(words) > 1 and words[0].rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words).casefold()


def matcher(terms: Iterable[str]) -> re.Pattern | None:
    """One pattern for every term, longest first, whole words, case-insensitive; a space in a term
    matches any run of spaces or tabs (not a line break). The terms are a trie (one branch per
    common prefix), so a match costs the length of the text, not that times the number of terms:
    a project of 500 interviews has thousands of terms."""
    trie: dict = {}
    for term in {" ".join(t.lower().split()) for t in terms if t.strip()}:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return None
    return re.compile(rf"(?<![\w@/.])(?:{_trie_pattern(trie)})(?![\w@])", re.I)


def _trie_pattern(node: dict) -> str:
    """A node's branches, each continuing before the term may end here: the regex engine tries the
    longer term first and backtracks to the shorter when what follows is not a word's end."""
    branches = [(r"[^\S\n]+" if ch == " " else re.escape(ch)) + _trie_pattern(child)
                for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def sweep(text: str, pattern: re.Pattern | None, types: dict[str, str]) -> list[Found]:
    """Every occurrence of the terms of `pattern`, typed by `types` (keyed by term_key)."""
    if pattern is None:
        return []
    found = []
    for m in pattern.finditer(text):
        kind = types.get(term_key(m.group()))
        if kind is not None:
            found.append(Found(m.start(), m.end(), m.group(), kind))
    return found


PRIORITY = {kind: i for i, kind in enumerate(("email", "url", "nhs number", "phone", "postcode", "date of birth",
                                              "person", "organisation", "place", "name"))}


def resolve(found: Iterable[Found]) -> list[Found]:
    """Non-overlapping findings in order: at a clash a known term beats a mere candidate name (so
    "Northfield" of the cases wins over the candidate "Northfield Park"), then the longer wins,
    then the more specific type."""
    chosen: list[Found] = []
    for f in sorted(found, key=lambda f: (f.type == "name", -(f.end - f.start), PRIORITY.get(f.type, 99), f.start)):
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen)
