"""Legal frameworks as data: crimes, modes of liability and rights, each broken into the elements a
case must prove, read from YAML files.

A framework is a file, not code, so that a lawyer can add a national criminal code (for universal
jurisdiction) by dropping a file into ``<KIROK_HOME>/frameworks/``; the shipped ones live in
``kirok/data/frameworks/``. Files are read when first asked for and again whenever one changes
(the cache is keyed by the files' modification times), so nothing has to be loaded into the
database: a link names its framework and element by key, and an element that later disappears
from its file shows as unknown in the matrix instead of silently vanishing.

Format (kirok/data/frameworks/README.md): ``key``, ``kind`` (crimes, liability, rights), ``title``
{en, ko}, ``source``, ``licence``, optional ``common`` elements shared by every item (contextual
elements, the art. 30 mental element), and ``items`` (crimes, modes, rights) with their
``elements``. Each element has a ``key`` unique in its framework, a ``kind``, a ``text`` {en, ko},
a ``citation`` and ``means_of_proof`` (what kinds of evidence prove it, a list of {en, ko}; every
shipped element has some). Where the law says "or" between requirements (art. 25(3)(a): alone,
jointly *or* through another person), an entry of ``elements`` (or ``common``) may be an
``any_of`` group of alternative elements: the matrix takes the group as one requirement, met when
any alternative is supported, so a suspect is not shown gaps for the forms not alleged.

A bad file in the workspace, or one whose key is already taken, is skipped with a logged warning
(``skipped()`` names it and why) so that one file dropped in by a user cannot take every case page
down; a shipped file is part of the code, and a bad one fails loudly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks"
STANDARDS_FILE = "standards_of_proof.yaml"
KINDS = ("crimes", "liability", "rights")
ELEMENT_KINDS = ("contextual", "material", "mental", "liability")

logger = logging.getLogger(__name__)


def element_kind_label(kind: str) -> str:
    """An element kind in the reader's language; the codes stay in files, links and the API."""
    labels = {"contextual": _("contextual"), "material": _("material"), "mental": _("mental"), "liability": _("liability")}
    return labels.get(kind, kind)


class FrameworkError(ValueError):
    """A framework file that cannot be read; the message names the file and the field."""


def bilingual(value: dict | None) -> str:
    """The text in the active language, falling back to English (and Korean)."""
    if not value:
        return ""
    language = (get_language() or "en")[:2]
    return value.get(language) or value.get("en") or value.get("ko") or ""


@dataclass(frozen=True)
class Element:
    """One legal requirement. ``means_of_proof`` (a stable name: pages, the CLI and the case file
    read it) holds the {en, ko} texts of the kinds of evidence that prove it, as the ICC Case
    Matrix gives them; ``alternatives`` the keys of the ``any_of`` group it belongs to (itself
    included), empty for a requirement that must be proved on its own."""

    key: str
    kind: str
    text_by_language: dict
    citation: str
    means_of_proof: tuple[dict, ...] = ()
    alternatives: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return bilingual(self.text_by_language)

    @property
    def kind_label(self) -> str:
        return element_kind_label(self.kind)

    @property
    def means_of_proof_text(self) -> list[str]:
        """The means of proof in the active language."""
        return [text for text in (bilingual(p) for p in self.means_of_proof) if text]


def requirements(elements: tuple[Element, ...]) -> list[tuple[Element, ...]]:
    """``elements`` as requirements: each a single element, or the alternatives of one ``any_of``
    group (in file order, the group where its first alternative stands)."""
    out: list[tuple[Element, ...]] = []
    done: set[tuple[str, ...]] = set()
    for element in elements:
        if not element.alternatives:
            out.append((element,))
        elif element.alternatives not in done:
            done.add(element.alternatives)
            out.append(tuple(e for e in elements if e.alternatives == element.alternatives))
    return out


@dataclass(frozen=True)
class Item:
    """A crime, a mode of liability or a right: what a charge or a suspect's mode names."""

    key: str
    label_by_language: dict
    citation: str
    elements: tuple[Element, ...]

    @property
    def label(self) -> str:
        return bilingual(self.label_by_language)

    @property
    def requirements(self) -> list[tuple[Element, ...]]:
        return requirements(self.elements)


@dataclass(frozen=True)
class Framework:
    key: str
    kind: str
    title_by_language: dict
    source: str
    licence: str
    jurisdiction: str
    url: str
    common: tuple[Element, ...]
    items: tuple[Item, ...]
    path: Path

    @property
    def title(self) -> str:
        return bilingual(self.title_by_language)

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def element(self, key: str) -> Element | None:
        for element in self.common:
            if element.key == key:
                return element
        for item in self.items:
            for element in item.elements:
                if element.key == key:
                    return element
        return None


@dataclass(frozen=True)
class Standard:
    code: str
    rank: int
    label_by_language: dict
    citation: str

    @property
    def label(self) -> str:
        return bilingual(self.label_by_language)


def _require(doc: dict, name: str, where: str, kind: type = str):
    value = doc.get(name)
    if value in (None, "", [], {}):
        raise FrameworkError(_("%(where)s: the field %(field)s is missing") % {"where": where, "field": name})
    if not isinstance(value, kind):
        raise FrameworkError(_("%(where)s: the field %(field)s must be %(kind)s") % {
            "where": where, "field": name, "kind": {str: _("text"), dict: _("a mapping {en, ko}"), list: _("a list")}[kind]})
    if kind is dict and not (value.get("en") or value.get("ko")):
        raise FrameworkError(_("%(where)s: the field %(field)s needs an en or a ko text") % {"where": where, "field": name})
    return value


def _elements(docs, where: str, seen: set[str], field: str = "elements") -> tuple[Element, ...]:
    """A list of elements, where an entry may also be ``{any_of: [element, element, …]}``: the
    alternatives of one requirement (at least two; a group holds elements, not groups)."""
    if not isinstance(docs, list):
        raise FrameworkError(_("%(where)s: the field %(field)s must be %(kind)s") % {"where": where, "field": field, "kind": _("a list")})
    out: list[Element] = []
    for doc in docs:
        if not (isinstance(doc, dict) and "any_of" in doc):
            out.append(_element(doc, where, seen))
            continue
        group = doc["any_of"]
        if set(doc) != {"any_of"} or not isinstance(group, list) or len(group) < 2:
            raise FrameworkError(_("%(where)s: any_of must be the only field of its entry and list at least two alternative elements")
                                 % {"where": where})
        if any(isinstance(e, dict) and "any_of" in e for e in group):
            raise FrameworkError(_("%(where)s: an any_of group lists elements, not other any_of groups") % {"where": where})
        alternatives = [_element(e, f"{where} any_of", seen) for e in group]
        keys = tuple(e.key for e in alternatives)
        out.extend(Element(e.key, e.kind, e.text_by_language, e.citation, e.means_of_proof, keys) for e in alternatives)
    return tuple(out)


def _element(doc, where: str, seen: set[str]) -> Element:
    if not isinstance(doc, dict):
        raise FrameworkError(_("%(where)s: an element must be a mapping") % {"where": where})
    key = str(_require(doc, "key", where))
    where = f"{where} {key}"
    if key in seen:
        raise FrameworkError(_("%(where)s: the element key is used twice in this framework") % {"where": where})
    seen.add(key)
    kind = _require(doc, "kind", where)
    if kind not in ELEMENT_KINDS:
        raise FrameworkError(_("%(where)s: kind %(kind)r is not one of %(kinds)s") % {
            "where": where, "kind": kind, "kinds": ", ".join(ELEMENT_KINDS)})
    proof = doc.get("means_of_proof") or []
    if not isinstance(proof, list) or not all(isinstance(p, dict) for p in proof):
        raise FrameworkError(_("%(where)s: means_of_proof must be a list of {en, ko} texts") % {"where": where})
    return Element(key, kind, _require(doc, "text", where, dict), str(_require(doc, "citation", where)), tuple(proof))


def read_framework(path: Path) -> Framework:
    """One framework file, checked, as ``kirok case check-framework`` checks it before it is
    added: ``FrameworkError`` names the file and the field at fault, or the installed framework
    whose key it would take (a clashing file in the workspace would be skipped)."""
    framework = _read(Path(path))
    other = frameworks().get(framework.key)
    if other is not None and other.path.resolve() != Path(path).resolve():
        raise FrameworkError(_clash(Path(path), framework.key, other.path))
    return framework


def _clash(path: Path, key: str, other: Path) -> str:
    return _("%(file)s: framework key %(key)r is already used by %(other)s") % {"file": path.name, "key": key, "other": other.name}


def _read(path: Path) -> Framework:
    """One framework file read and checked on its own."""
    where = path.name
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise FrameworkError(_("%(where)s: cannot be read as YAML (%(error)s)") % {"where": where, "error": exc}) from None
    if not isinstance(doc, dict):
        raise FrameworkError(_("%(where)s: a framework file is a mapping with key, kind, title and items") % {"where": where})
    key = str(_require(doc, "key", where))
    kind = _require(doc, "kind", where)
    if kind not in KINDS:
        raise FrameworkError(_("%(where)s: kind %(kind)r is not one of %(kinds)s") % {"where": where, "kind": kind, "kinds": ", ".join(KINDS)})
    seen: set[str] = set()
    common = _elements(doc.get("common") or [], f"{where} common", seen, "common")
    items = []
    item_keys: set[str] = set()
    for number, raw in enumerate(_require(doc, "items", where, list), start=1):
        if not isinstance(raw, dict):
            raise FrameworkError(_("%(where)s: item %(n)s must be a mapping") % {"where": where, "n": number})
        item_key = str(_require(raw, "key", f"{where} item {number}"))
        at = f"{where} item {item_key}"
        if item_key in item_keys:
            raise FrameworkError(_("%(where)s: the item key is used twice") % {"where": at})
        item_keys.add(item_key)
        elements = _elements(_require(raw, "elements", at, list), at, seen)
        items.append(Item(item_key, _require(raw, "label", at, dict), str(_require(raw, "citation", at)), elements))
    return Framework(
        key=key, kind=kind, title_by_language=_require(doc, "title", where, dict), source=str(_require(doc, "source", where)),
        licence=str(_require(doc, "licence", where)), jurisdiction=str(doc.get("jurisdiction") or ""),
        url=str(doc.get("url") or ""), common=common, items=tuple(items), path=path,
    )


def folders() -> list[Path]:
    """Where frameworks are read from: the shipped ones, then the workspace's own."""
    found = [DATA]
    workspace = getattr(settings, "WORKSPACE", None)
    if workspace is not None:
        found.append(Path(workspace.home) / "frameworks")
    return found


def _files() -> tuple[tuple[str, float], ...]:
    files = []
    for folder in folders():
        if folder.is_dir():
            files.extend((str(p), p.stat().st_mtime) for p in sorted(folder.glob("*.yaml")) if p.name != STANDARDS_FILE)
    return tuple(files)


@dataclass(frozen=True)
class Skipped:
    """A workspace framework file left out: unreadable, or its ``key`` already taken by ``taken_by``."""

    path: Path
    key: str = ""
    taken_by: Path | None = None

    @property
    def reason(self) -> str:
        """Why, in the reader's language (worked out again when asked: the cache keeps no language)."""
        if self.taken_by is not None:
            return _clash(self.path, self.key, self.taken_by)
        try:
            _read(self.path)
        except FrameworkError as exc:
            return str(exc)
        return ""


@lru_cache(maxsize=4)
def _load(files: tuple[tuple[str, float], ...]) -> tuple[dict[str, Framework], tuple[Skipped, ...]]:
    """The frameworks of ``files``, shipped ones first. A workspace file that cannot be read, or
    whose key is taken, is skipped and logged once per change of the files (the cache): a case
    charged under it shows the charge as not loaded instead of every case page failing."""
    out: dict[str, Framework] = {}
    skipped: list[Skipped] = []
    for name, _mtime in files:
        path = Path(name)
        try:
            framework = _read(path)
        except FrameworkError as exc:
            if path.parent == DATA:
                raise
            skipped.append(Skipped(path))
            logger.warning("framework file %s skipped: %s", path, exc)
            continue
        if framework.key in out:
            if path.parent == DATA:
                raise FrameworkError(_clash(path, framework.key, out[framework.key].path))
            skipped.append(Skipped(path, framework.key, out[framework.key].path))
            logger.warning("framework file %s skipped: %s", path, skipped[-1].reason)
            continue
        out[framework.key] = framework
    return out, tuple(skipped)


def frameworks() -> dict[str, Framework]:
    """Every framework by key (read again when a file is added or changed)."""
    return _load(_files())[0]


def skipped() -> tuple[Skipped, ...]:
    """The workspace's framework files left out, each with the reason, for the places that list
    frameworks to show."""
    return _load(_files())[1]


def get(key: str) -> Framework:
    found = frameworks().get(key)
    if found is None:
        raise FrameworkError(_("no framework %(key)r (known: %(known)s)") % {"key": key, "known": ", ".join(sorted(frameworks()))})
    return found


def resolve_item(reference: str, kind: str | None = None) -> tuple[Framework, Item]:
    """``framework:item`` (e.g. ``rome-statute-cah:7(1)(e)``) to the framework and its item."""
    framework_key, sep, item_key = reference.partition(":")
    if not sep:
        raise FrameworkError(_("%(ref)r: name an item as framework:item, e.g. rome-statute-cah:7(1)(e)") % {"ref": reference})
    framework = get(framework_key)
    if kind and framework.kind != kind:
        raise FrameworkError(_("%(ref)r: framework %(key)s holds %(has)s, not %(wanted)s") % {
            "ref": reference, "key": framework.key, "has": framework.kind, "wanted": kind})
    item = framework.item(item_key)
    if item is None:
        raise FrameworkError(_("%(ref)r: framework %(key)s has no item %(item)r") % {"ref": reference, "key": framework.key, "item": item_key})
    return framework, item


@lru_cache(maxsize=1)
def standards() -> dict[str, Standard]:
    """Standards of proof by code, lowest first."""
    with open(DATA / STANDARDS_FILE, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    found = [Standard(s["code"], int(s["rank"]), s["label"], s.get("citation", "")) for s in doc["standards"]]
    return {s.code: s for s in sorted(found, key=lambda s: s.rank)}
