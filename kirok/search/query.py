"""The query language, and its plan: what to look for in which index column.

    구금 Yodok                 both words (AND is implied)
    "보위원 조사"              a phrase: the terms in this order
    로동*  Chong*              a prefix
    구금 OR 억류, NOT / -word  boolean operators (upper case), with ( )
    province:KP-09 type:event violation:arbitrary_detention from:1998 to:2003
                               filters (also given apart, by the page and the API)

``parse`` turns text into a tree (``Word``, ``Phrase``, ``And``, ``Or``, ``Not``) and filters;
it never fails on odd input (unbalanced quotes or brackets are closed, stray operators are
words). ``plan`` turns the tree into an expression over index columns (``Tok``, ``Seq``,
``All``, ``Any``, ``AndNot``) that every backend renders in its own syntax, so that all backends
answer the same question:

* a word matches its terms in ``terms``, or their keys in ``keys`` or ``names`` (another
  script or romanization), or its whole-name keys in ``names`` (a person or place named in open
  text), or — for a user who may see protected values — their blind tokens in ``blind``
  (protected text), or the blind tokens of its name keys (a protected name: 리명수);
* a phrase matches its terms in order in ``terms`` or its keys in order in ``keys``, or, for a
  user who may see protected values, all its blind terms (order is not kept for protected text:
  see docs/search.md) or the blind tokens of the phrase as a name;
* a prefix matches terms and keys beginning with it (not protected text: a keyed hash has no
  prefix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from kirok.korean import fold
from kirok.search import analysis

FILTERS = {
    "type": "type", "violation": "violation", "province": "province", "facility": "facility",
    "institution": "institution", "source": "source_type", "basis": "basis", "year": "year",
    "from": "date_from", "to": "date_to",
}
MAX_ATOMS = 32


class QueryError(ValueError):
    """A query that cannot be run; the message says what to change."""


# --- the tree ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass
class Parsed:
    tree: object | None
    filters: dict[str, list] = field(default_factory=dict)


_LEX = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')
_FILTER = re.compile(r"^(?P<key>[a-z_]+):(?P<value>\S+)$")


def _lex(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _LEX.finditer(text):
        kind = m.lastgroup
        if kind is None:
            continue
        value = m.group(kind)
        if kind == "phrase":
            value = value.strip('"')
        out.append((kind, value))
    return out


def parse(text: str) -> Parsed:
    """The query tree and the filters written in the query."""
    filters: dict[str, list] = {}
    tokens = []
    for kind, value in _lex(" ".join(str(text).split())):
        m = _FILTER.match(value) if kind == "word" else None
        if m and m.group("key") in FILTERS:
            add_filter(filters, FILTERS[m.group("key")], m.group("value"))
        else:
            tokens.append((kind, value))
    parser = _Parser(tokens)
    return Parsed(parser.parse(), filters)


def add_filter(filters: dict[str, list], name: str, value) -> None:
    """Add one filter value; dates (``from``/``to``) are a year, a month or a day, widened to
    the earliest (from) or latest (to) day they name. Raises QueryError for a bad date."""
    if name in ("date_from", "date_to"):
        filters[name] = [_date(str(value), start=name == "date_from")]
    elif str(value).strip():
        filters.setdefault(name, []).append(str(value).strip())


def _date(text: str, start: bool) -> date:
    from kirok.types.dates import DateError, UncertainDate

    try:
        parsed = UncertainDate.parse(text)
    except DateError:
        parsed = None
    if parsed is None or not parsed.is_known:
        raise QueryError(_("%(value)r is not a date; write a year (1998), a month (1998-03) or a day (1998-03-05)") % {"value": text})
    return parsed.earliest if start else parsed.latest


class _Parser:
    """Recursive descent: or := and (OR and)* ; and := unary (AND? unary)* ;
    unary := NOT unary | -atom | atom ; atom := ( or ) | "phrase" | word."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0
        self.atoms = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self):
        items = []
        while self.peek() is not None:
            node = self.or_()
            if node is not None:
                items.append(node)
            elif self.peek() is not None:
                self.i += 1  # a stray ")" or operator: skip it
        return _join(And, items)

    def or_(self):
        items = [self.and_()]
        while self.peek() == ("word", "OR"):
            self.i += 1
            items.append(self.and_())
        return _join(Or, [i for i in items if i is not None])

    def and_(self):
        items = []
        while (tok := self.peek()) is not None and tok != ("word", "OR") and tok[0] != "close":
            if tok == ("word", "AND"):
                self.i += 1
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        return _join(And, items)

    def unary(self):
        tok = self.peek()
        if tok == ("word", "NOT"):
            self.i += 1
            if self.peek() is None:
                return None
            inner = self.unary()
            return Not(inner) if inner is not None else None
        if tok[0] == "word" and tok[1].startswith("-") and len(tok[1]) > 1:
            self.i += 1
            return Not(self._word(tok[1][1:]))
        return self.atom()

    def atom(self):
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "open":
            inner = self.or_()
            if self.peek() is not None and self.peek()[0] == "close":
                self.i += 1
            return inner
        self.atoms += 1
        if self.atoms > MAX_ATOMS:
            raise QueryError(_("the query has more than %(n)s words; shorten it") % {"n": MAX_ATOMS})
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        return self._word(value)

    @staticmethod
    def _word(value: str) -> Word:
        if len(value) > 1 and value.endswith("*"):
            return Word(value.rstrip("*") or value, prefix=True)
        return Word(value)


def _join(cls, items: list):
    if not items:
        return None
    return items[0] if len(items) == 1 else cls(tuple(items))


# --- the plan ---------------------------------------------------------------------------

TERMS, KEYS, NAMES, BLIND = "terms", "keys", "names", "blind"


@dataclass(frozen=True)
class Tok:
    column: str
    token: str
    prefix: bool = False


@dataclass(frozen=True)
class Seq:
    column: str
    tokens: tuple


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any_:
    items: tuple


@dataclass(frozen=True)
class AndNot:
    positive: object
    negatives: tuple


@dataclass
class Plan:
    """The expression to match, what a snippet should highlight, and the persons the query names
    whole (their name keys, and for those who may see protected values their blind tokens)."""

    expr: object
    terms: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    persons: set[Tok] = field(default_factory=set)

    @property
    def boost(self) -> object | None:
        """What ranks a hit above the others: naming a person the query names whole. Ranking by
        words alone puts the excerpts that share two of a name's three syllables with it (Ouh
        Cheol Man for Ouh Cheol Cheol, written in the same script) above those that name the
        person in another script (오철철), which share one whole-name key."""
        return _any(sorted(self.persons, key=str))


def _flat(items, cls) -> tuple:
    out = []
    for i in items:
        if i is not None:
            out.extend(i.items if isinstance(i, cls) else (i,))
    return tuple(dict.fromkeys(out))


def _all(items) -> object | None:
    items = _flat(items, All)
    return None if not items else items[0] if len(items) == 1 else All(items)


def _any(items) -> object | None:
    items = _flat(items, Any_)
    return None if not items else items[0] if len(items) == 1 else Any_(items)


class _Planner:
    def __init__(self, protected: bool):
        self.protected = protected
        self.plan = Plan(None)

    def names(self, text: str, *, whole: bool = False) -> object | None:
        """A person's or place's name: its name keys in open text, and (for those who may see
        protected values) the blind tokens of its keys. A person named whole also ranks first
        (``Plan.boost``). With ``whole`` (several words read as one name: Ri Myong Su unquoted),
        only keys of all the words together: a key of one of them would let "Yoduk 식량" find
        every excerpt about Yodok, food or not."""
        persons = analysis.query_name_keys(text)
        found = persons if whole else analysis.query_whole_keys(text)
        sealed = [Tok(BLIND, t) for t in sorted(analysis.blind_names([text], None))] if self.protected and (persons or not whole) else []
        if persons:
            self.plan.persons |= {Tok(NAMES, k) for k in persons} | set(sealed)
        return _any([*(Tok(NAMES, k) for k in sorted(found)), *sealed])

    def joined(self, text: str) -> set[str]:
        joined = analysis.joined_keys(text)
        self.plan.keys |= joined
        return joined

    @staticmethod
    def whole(joined: set[str]) -> list:
        return [Tok(column, k) for k in sorted(joined) for column in (KEYS, NAMES)]

    def term(self, t: str) -> object:
        k = analysis.key(t)
        self.plan.terms.add(t)
        self.plan.keys.add(k)
        alternatives = [Tok(TERMS, t), Tok(KEYS, k), Tok(NAMES, k)]
        if self.protected:
            alternatives += [Tok(BLIND, b) for b in analysis.blind_terms([t])]
        return _any(alternatives)

    def word(self, node: Word) -> object | None:
        if node.prefix:
            stem = analysis.clean(fold(analysis.prepare(node.text)))
            if not stem:
                return None
            self.plan.prefixes.add(stem)
            return _any([Tok(TERMS, stem, True), Tok(KEYS, analysis.key(stem), True) if not stem.isdigit() else None])
        terms = analysis.analyse(node.text)
        expr = _all(self.term(t) for t in terms)
        joined = self.joined(node.text)
        return _any([expr, *self.whole(joined), self.names(node.text)])

    def phrase(self, node: Phrase) -> object | None:
        terms = analysis.analyse(node.text)
        if not terms:
            return None
        for t in terms:
            self.term(t)
        if len(terms) == 1:
            exact = self.term(terms[0])
        else:
            sealed = _all(Tok(BLIND, b) for b in sorted(analysis.blind_terms(terms))) if self.protected else None
            exact = _any([Seq(TERMS, tuple(terms)), Seq(KEYS, tuple(analysis.key(t) for t in terms)), sealed])
        joined = self.joined(node.text)
        return _any([exact, *self.whole(joined), self.names(node.text)])

    def node(self, node) -> object | None:
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Or):
            if any(isinstance(i, Not) for i in node.items):
                raise QueryError(_("NOT needs something to take away from: write “a NOT b”, not “a OR NOT b”"))
            return _any(self.node(i) for i in node.items)
        if isinstance(node, Not):
            raise QueryError(_("a query of only NOT terms finds nothing; add a word to look for"))
        positives = [i for i in node.items if not isinstance(i, Not)]
        negatives = [i.item for i in node.items if isinstance(i, Not)]
        if not positives:
            raise QueryError(_("a query of only NOT terms finds nothing; add a word to look for"))
        expr = _all(self.node(i) for i in positives)
        if 2 <= len(positives) <= 4 and all(isinstance(i, Word) and not i.prefix for i in positives):
            text = " ".join(i.text for i in positives)  # Ri Myong Su, unquoted
            joined = self.joined(text)
            expr = _any([expr, *self.whole(joined), self.names(text, whole=True)])
        if expr is None:
            return None
        negs = tuple(n for n in (self.negative(i) for i in negatives) if n is not None)
        return AndNot(expr, negs) if negs else expr

    def negative(self, node) -> object | None:
        saved = (set(self.plan.terms), set(self.plan.keys), set(self.plan.prefixes), set(self.plan.persons))
        expr = self.node(node)
        self.plan.terms, self.plan.keys, self.plan.prefixes, self.plan.persons = saved  # nothing to highlight or rank from a NOT
        return expr


def plan(tree, *, protected: bool) -> Plan:
    """The expression for ``tree``; ``protected``: the user may see protected values, so the
    blind tokens of protected text and names are searched too. QueryError when nothing is left
    to look for."""
    if tree is None:
        raise QueryError(_("type a word, a \"phrase\" or a prefix* to search for"))
    planner = _Planner(protected)
    expr = planner.node(tree)
    if expr is None:
        raise QueryError(_("nothing to search for: the query has only particles or punctuation"))
    planner.plan.expr = expr
    return planner.plan
