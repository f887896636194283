"""A researcher's search query, parsed once and written for each database's full-text engine.

    trust                 the whole word (not "trustees")
    "link worker"         a phrase
    volunteer*            words starting with "volunteer"
    GP AND trust, GP trust   both (AND is the default between terms)
    GP OR nurse           either
    trust NOT funding     the first without the second
    (GP OR nurse) trust   groups

Operators are written in capitals, as in NVivo and MAXQDA. Terms are split into words as the
engines split them (letters and digits), so both engines see the same query."""
from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.services.errors import Invalid

MAX_TERMS = 30
_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Node:
    op: str  # "and", "or", "not"
    children: tuple


def parse(query: str):
    tokens = _tokens(query)
    if not tokens:
        raise Invalid("Type a word or a phrase to search for.")
    if sum(1 for t in tokens if isinstance(t, Term)) > MAX_TERMS:
        raise Invalid(f"Use at most {MAX_TERMS} words and phrases in one search.")
    parser = _Parser(tokens)
    tree = parser.expression()
    if parser.at < len(tokens):
        raise Invalid("A closing bracket ) has no opening bracket (.")
    _check_positive(tree)
    return tree


def _tokens(query: str) -> list:
    out, at, text = [], 0, str(query or "").strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            break
        at = match.end()
        if match["phrase"] is not None:
            words = tuple(w.casefold() for w in _WORD.findall(match["phrase"]))
            if words:
                out.append(Term(words))
        elif match["open"]:
            out.append("(")
        elif match["close"]:
            out.append(")")
        elif match["word"] in ("AND", "OR", "NOT"):
            out.append(match["word"])
        else:
            raw = match["word"]
            words = tuple(w.casefold() for w in _WORD.findall(raw))
            if words:  # "don't" is the phrase "don t", as the engines index it
                out.append(Term(words, prefix=raw.endswith("*") and len(words) == 1))
    return out


class _Parser:
    """or := and (OR and)* ; and := unary ((AND)? unary)* ; unary := NOT unary | ( or ) | term"""

    def __init__(self, tokens: list):
        self.tokens, self.at = tokens, 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self):
        parts = [self.conjunction()]
        while self.peek() == "OR":
            self.at += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Node("or", tuple(parts))

    def conjunction(self):
        parts = [self.unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.at += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Node("and", tuple(parts))

    def unary(self):
        token = self.peek()
        if token is None or token in ("AND", "OR", ")"):
            raise Invalid(f"Something is missing {'at the end' if token is None else 'before ' + token}: "
                          "put a word or a phrase there.")
        self.at += 1
        if token == "NOT":
            return Node("not", (self.unary(),))
        if token == "(":
            inner = self.expression()
            if self.peek() != ")":
                raise Invalid("An opening bracket ( is never closed.")
            self.at += 1
            return inner
        return token


def _check_positive(node) -> None:
    """Every OR branch and the whole query must ask for something, not only exclude it."""
    if isinstance(node, Term):
        return
    if node.op == "not":
        raise Invalid("NOT excludes words from what the rest finds: put a word before it (trust NOT funding).")
    for child in node.children:
        if node.op == "and" and isinstance(child, Node) and child.op == "not":
            continue
        _check_positive(child)
    if node.op == "and" and all(isinstance(c, Node) and c.op == "not" for c in node.children):
        raise Invalid("NOT excludes words from what the rest finds: put a word before it (trust NOT funding).")


def fts5(node) -> str:
    """SQLite FTS5 MATCH syntax (NOT is binary there: positives first, then each exclusion)."""
    if isinstance(node, Term):
        quoted = '"' + " ".join(node.words) + '"'
        return quoted + "*" if node.prefix else quoted
    if node.op == "or":
        return "(" + " OR ".join(fts5(c) for c in node.children) + ")"
    positives = [fts5(c) for c in node.children if not (isinstance(c, Node) and c.op == "not")]
    negatives = [fts5(c.children[0]) for c in node.children if isinstance(c, Node) and c.op == "not"]
    return "(" + " AND ".join(positives) + ")" + "".join(f" NOT {n}" for n in negatives)


def tsquery(node) -> str:
    """PostgreSQL to_tsquery syntax."""
    if isinstance(node, Term):
        words = [f"'{w}'" for w in node.words]
        if node.prefix:
            return words[0] + ":*"
        return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"
    if node.op == "not":
        return "!" + tsquery(node.children[0])
    joiner = " | " if node.op == "or" else " & "
    return "(" + joiner.join(tsquery(c) for c in node.children) + ")"


def highlighter(node) -> re.Pattern | None:
    """A pattern for the words the query looks for (not those it excludes), to mark them in a turn."""
    found: list[str] = []

    def walk(n, negated=False):
        if isinstance(n, Term):
            if not negated:
                body = r"\W+".join(re.escape(w) for w in n.words)
                found.append(rf"\b{body}\w*" if n.prefix else rf"\b{body}\b")
            return
        for child in n.children:
            walk(child, negated or n.op == "not")

    walk(node)
    return re.compile("|".join(found), re.IGNORECASE) if found else None
