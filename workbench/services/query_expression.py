"""A coding query, parsed once: codes combined by AND, OR, NOT, NEAR/n and FOLLOWED BY, with brackets.

    Trust AND Operational systems/Information sharing    a code by its path or its name, unquoted
    "Trust AND respect" OR Time                           quotes for a name holding an operator word,
                                                          a bracket or a quote (\\" inside quotes)
    Trust NOT Funding, Trust AND NOT Funding              passages of Trust with no Funding
    Trust NEAR/2 Time, Trust NEAR Time (= NEAR/1)         within 2 turns of each other
    Trust FOLLOWED BY Time, ... FOLLOWED BY/3 Time        Time later in the document (within 3 turns)
    (Trust OR Respect) AND Time                           brackets group

Operators are written in capitals (as in the full-text search, NVivo and MAXQDA), so "Time and
resources" is one code name. NEAR and FOLLOWED BY bind tightest, then AND and NOT (left to right),
then OR. Code names are matched case-insensitively later (services/queries.py); here a name is the
run of words between operators, its spaces collapsed. Errors name the character (1-based) where
the problem is. Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass

from workbench.services.errors import Invalid

MAX_CODES = 30  # code names in one query
MAX_DISTANCE = 1000  # turns, for NEAR/n and FOLLOWED BY/n
OPERATOR_WORDS = ("AND", "OR", "NOT", "NEAR", "FOLLOWED", "BY")
HELP = "code names joined by AND, OR, NOT, NEAR/n or FOLLOWED BY, with brackets"


@dataclass(frozen=True)
class CodeRef:
    """A code as the query names it; `position` is its first character (1-based)."""

    name: str
    position: int


@dataclass(frozen=True)
class Operation:
    op: str  # "or", "and", "not", "near", "followed"
    left: object
    right: object
    position: int  # where the operator is written
    distance: int | None = None  # turns, for near (always set) and followed (None: anywhere later)


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "name" (quoted), "(", ")", "op"
    text: str
    position: int
    distance: int | None = None


PRECEDENCE = {"or": 0, "and": 1, "not": 1, "near": 2, "followed": 2}


def parse(expression: str):
    """The tree of CodeRef and Operation nodes, or Invalid naming the position of the problem."""
    tokens = _tokens(str(expression or ""))
    if not tokens:
        raise Invalid(f"Type a coding query: {HELP}.")
    parser = _Parser(tokens, len(str(expression or "")))
    tree = parser.expression()
    if parser.at < len(tokens):
        token = tokens[parser.at]
        if token.kind == ")":
            raise Invalid(f"The closing bracket at character {token.position} has no opening bracket.")
        raise Invalid(f"Expected an operator (AND, OR, NOT, NEAR/n, FOLLOWED BY) at character {token.position}, "
                      f"found {_shown(token)}.")
    if len(references(tree)) > MAX_CODES:
        raise Invalid(f"Use at most {MAX_CODES} code names in one query.")
    return tree


def references(node) -> list[CodeRef]:
    """The code names of a tree, left to right."""
    if isinstance(node, CodeRef):
        return [node]
    return references(node.left) + references(node.right)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char.isspace():
            at += 1
        elif char in "()":
            out.append(_Token(char, char, at + 1))
            at += 1
        elif char == '"':
            name, at = _quoted(text, at)
            out.append(name)
        else:
            end = at
            while end < len(text) and not text[end].isspace() and text[end] not in '()"':
                end += 1
            out.append(_word(text[at:end], at + 1))
            at = end
    return _join_followed_by(out)


def _quoted(text: str, at: int) -> tuple[_Token, int]:
    chars, index = [], at + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\':
            chars.append(text[index + 1])
            index += 2
        elif char == '"':
            name = " ".join("".join(chars).split())
            if not name:
                raise Invalid(f"The quotes at character {at + 1} hold no code name.")
            return _Token("name", name, at + 1), index + 1
        else:
            chars.append(char)
            index += 1
    raise Invalid(f"The quote opened at character {at + 1} is never closed.")


def _word(word: str, position: int) -> _Token:
    head, slash, tail = word.partition("/")
    if head in ("NEAR", "BY") and slash:
        if not tail.isdigit():
            raise Invalid(f"{head}/ takes a whole number of turns ({head}/2) at character {position}, not {word!r}.")
        distance = int(tail)
        if distance > MAX_DISTANCE:
            raise Invalid(f"{head}/{distance} at character {position}: use at most {MAX_DISTANCE} turns.")
        return _Token("op", head, position, distance)
    if word in OPERATOR_WORDS:
        return _Token("op", word, position, 1 if word == "NEAR" else None)
    return _Token("word", word, position)


def _join_followed_by(tokens: list[_Token]) -> list[_Token]:
    out: list[_Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "op" and token.text == "FOLLOWED":
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is None or after.kind != "op" or after.text != "BY":
                raise Invalid(f"FOLLOWED at character {token.position} needs BY after it (Trust FOLLOWED BY Time).")
            out.append(_Token("op", "FOLLOWED BY", token.position, after.distance))
            index += 2
            continue
        if token.kind == "op" and token.text == "BY":
            raise Invalid(f"BY at character {token.position} belongs after FOLLOWED (Trust FOLLOWED BY Time).")
        out.append(token)
        index += 1
    return out


def _shown(token: _Token | None) -> str:
    if token is None:
        return "the end of the query"
    if token.kind == "name":
        return f'"{token.text}"'
    return token.text if token.kind != "word" else repr(token.text)


class _Parser:
    """expression := conjunction (OR conjunction)*
    conjunction := sequence ((AND | AND NOT | NOT) sequence)*
    sequence    := operand ((NEAR[/n] | FOLLOWED BY[/n]) operand)*
    operand     := ( expression ) | name"""

    def __init__(self, tokens: list[_Token], length: int):
        self.tokens, self.at, self.length = tokens, 0, length

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _is_op(self, *names: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in names

    def expression(self):
        tree = self.conjunction()
        while self._is_op("OR"):
            token = self.tokens[self.at]
            self.at += 1
            tree = Operation("or", tree, self.conjunction(), token.position)
        return tree

    def conjunction(self):
        tree = self.sequence()
        while self._is_op("AND", "NOT"):
            token = self.tokens[self.at]
            self.at += 1
            op = "not" if token.text == "NOT" else "and"
            if op == "and" and self._is_op("NOT"):
                self.at += 1
                op = "not"
            tree = Operation(op, tree, self.sequence(), token.position)
        return tree

    def sequence(self):
        tree = self.operand()
        while self._is_op("NEAR", "FOLLOWED BY"):
            token = self.tokens[self.at]
            self.at += 1
            op = "near" if token.text == "NEAR" else "followed"
            tree = Operation(op, tree, self.operand(), token.position, token.distance)
        return tree

    def operand(self):
        token = self.peek()
        if token is None or token.kind == ")" or token.kind == "op":
            where = self.length + 1 if token is None else token.position
            if token is not None and token.text == "NOT" and self.at == 0:
                raise Invalid("NOT keeps the passages of the code before it that have none of the code after it: "
                              "put a code before NOT (Trust NOT Funding), at character 1.")
            raise Invalid(f"Expected a code name at character {where}, found {_shown(token)}.")
        if token.kind == "(":
            self.at += 1
            inner = self.expression()
            if self.peek() is None:
                raise Invalid(f"The bracket opened at character {token.position} is never closed.")
            if self.peek().kind != ")":
                found = self.peek()
                raise Invalid(f"Expected an operator or a closing bracket at character {found.position}, found {_shown(found)}.")
            self.at += 1
            return inner
        self.at += 1
        if token.kind == "name":
            return CodeRef(token.text, token.position)
        words = [token.text]
        while self.peek() is not None and self.peek().kind == "word":
            words.append(self.tokens[self.at].text)
            self.at += 1
        return CodeRef(" ".join(words), token.position)


def quote_name(name: str) -> str:
    """A code name as a query writes it: quoted only when it must be."""
    words = name.split()
    needs = any(w in OPERATOR_WORDS or w.split("/")[0] in ("NEAR", "BY") for w in words) or any(c in name for c in '()"\\')
    if not needs:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


WRITTEN = {"or": "OR", "and": "AND", "not": "NOT", "near": "NEAR", "followed": "FOLLOWED BY"}


def render(node, name_of=lambda ref: ref.name) -> str:
    """The tree as text again, with brackets only where needed; `name_of(ref)` may put a code's
    current path in place of the name it was typed as."""
    if isinstance(node, CodeRef):
        return quote_name(name_of(node))
    word = WRITTEN[node.op]
    if node.op == "near" or (node.op == "followed" and node.distance is not None):
        word += f"/{node.distance}"
    return f"{_child(node.left, node, False, name_of)} {word} {_child(node.right, node, True, name_of)}"


def _child(child, parent: Operation, right: bool, name_of) -> str:
    text = render(child, name_of)
    if isinstance(child, Operation) and (PRECEDENCE[child.op] < PRECEDENCE[parent.op]
                                         or (right and PRECEDENCE[child.op] == PRECEDENCE[parent.op])):
        return f"({text})"
    return text
