"""The Korean catalogue is complete, keeps every placeholder, matches the code and is compiled.

Korean is a first-class interface language: the people who document, review and prosecute with
Kirok read it as often as English. A string that silently falls back to English, a translation that
loses or misspells ``%(name)s`` (the value vanishes, or the error message itself dies with a
KeyError), a command in backticks that was translated, or a ``.mo`` older than its ``.po`` all reach
those users as a broken screen. These tests read the committed catalogue as a fresh clone has it;
the freshness check runs Django's ``makemessages`` into a temporary copy, never into kirok/locale.
docs/translation.md says how to bring the catalogue up to date when one of them fails.
"""

from __future__ import annotations

import ast
import contextlib
import gettext as gnu_gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

import kirok

PACKAGE = Path(kirok.__file__).parent
PO_PATH = PACKAGE / "locale" / "ko" / "LC_MESSAGES" / "django.po"
UPDATE = ("bring the catalogue up to date as docs/translation.md says: "
          "cd kirok && ../.venv/bin/kirok makemessages -l ko --no-location, translate, "
          "../.venv/bin/kirok compilemessages -l ko")

# --- a small reader for GNU .po files ----------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    """One message of a catalogue; ``msgstr`` holds one string, or one per plural form."""

    msgid: str = ""
    msgstr: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def where(self, name: str) -> str:
        return f"{name}:{self.line} {self.msgid!r}"


def _unquote(token: str, name: str, number: int) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{name}:{number}: a string must be in double quotes: {token}")
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == '"':
            raise ValueError(f"{name}:{number}: unescaped double quote inside a string; write \\\"")
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = body[i + 1: i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt.isdigit():
            digits = re.match(r"[0-7]{1,3}", body[i + 1:])
            if not digits:
                raise ValueError(f"{name}:{number}: bad octal escape")
            out.append(chr(int(digits.group(), 8)))
            i += 1 + len(digits.group())
        else:
            raise ValueError(f"{name}:{number}: unknown escape \\{nxt}")
    return "".join(out)


def parse_po(text: str, name: str = "django.po") -> list[Entry]:
    """Read the entries of a .po file (header included, as msgid ""); errors name the line."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None  # which field a continuation line extends
    started = False

    def flush() -> None:
        nonlocal current, target, started
        if started:
            if not current.msgstr:
                raise ValueError(f"{name}:{current.line}: msgid {current.msgid!r} has no msgstr")
            entries.append(current)
        current, target, started = Entry(), None, False

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue  # previous msgid of an obsolete fuzzy entry
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if started and current.msgstr:
                flush()
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#:"):
                current.locations.extend(line[2:].split())
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{name}:{number}: a string continues nothing")
            value = _unquote(line, name, number)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, kind, getattr(current, kind) + value)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{name}:{number}: not a .po line: {raw}")
        keyword, index, token = match.groups()
        value = _unquote(token, name, number)
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            flush()
        if not started:
            current.line, current.obsolete, started = number, obsolete, True
        if keyword.startswith("msgstr"):
            position = int(index) if index is not None else 0
            if position != len(current.msgstr):
                raise ValueError(f"{name}:{number}: msgstr[{position}] out of order")
            current.msgstr.append(value)
            target = ("msgstr", position)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    flush()
    return entries


# --- what must survive translation -------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"\{\w*(?:![rsa])?\}")
_TAG = re.compile(r"</?([A-Za-z][\w-]*)\b[^<>]*>")
_CODE = re.compile(r"`[^`]+`")


def tokens(text: str, python_format: bool) -> dict[str, object]:
    """What a translation must carry over unchanged: substitutions, tags, commands in backticks."""
    found: dict[str, object] = {
        "{} placeholders": Counter(_BRACE.findall(text)),
        "HTML tags": Counter(tag.lower() for tag in _TAG.findall(text)),
        "`commands`": Counter(_CODE.findall(text)),
        # {% translate %} does not escape its text: a quote or ampersand the English lacks breaks an attribute
        'markup characters " &': Counter(c for c in text if c in '"&'),
    }
    if python_format:
        specs = [m for m in _PERCENT.finditer(text) if m.group(2) != "%"]
        found["%(name) placeholders"] = Counter(m.group() for m in specs if m.group(1))
        found["positional % placeholders, in order"] = [m.group() for m in specs if not m.group(1)]
    return found


def _edges(text: str) -> tuple[bool, bool]:
    return (text[:1].isspace(), text.endswith("\n"))


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"), str(PO_PATH.relative_to(PACKAGE.parent)))


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    """The live entries: not the header, not obsolete (#~) ones."""
    return [e for e in catalogue if e.msgid and not e.obsolete]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[Entry]:
    """The catalogue Django's makemessages makes from the code now, built in a temporary copy."""
    copy = tmp_path_factory.mktemp("makemessages") / "kirok"
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE)
        if path.is_file() and path.suffix in {".py", ".html", ".txt"} and relative.parts[0] != "locale" \
                and "__pycache__" not in relative.parts:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy / relative)
    (copy / "locale").mkdir()
    try:
        with contextlib.chdir(copy), override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["ko"], verbosity=0)
    except CommandError as exc:
        pytest.fail(f"makemessages failed ({exc}); it needs GNU gettext: apt-get install gettext")
    made = copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    return [e for e in parse_po(made.read_text(encoding="utf-8"), "makemessages") if e.msgid]


# --- the catalogue -----------------------------------------------------------------------------


def test_korean_has_one_plural_form(catalogue):
    header = next(e for e in catalogue if not e.msgid and not e.obsolete)
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    wrong = [e.where("django.po") for e in catalogue if e.msgid_plural and not e.obsolete and len(e.msgstr) != 1]
    assert not wrong, f"Korean has one plural form: give exactly msgstr[0] for {wrong}"


def test_every_message_is_translated_and_none_is_fuzzy(messages):
    untranslated = [e.where("django.po") for e in messages if not all(e.msgstr)]
    fuzzy = [e.where("django.po") for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}; {UPDATE}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (a guess by msgmerge, not a translation): {fuzzy[:20]}"


def test_translations_keep_placeholders_tags_and_commands(messages):
    problems = []
    for e in messages:
        source = e.msgid_plural or e.msgid
        python_format = "python-format" in e.flags
        want = tokens(source, python_format)
        for text in e.msgstr:
            got = tokens(text, python_format)
            problems += [f"{e.where('django.po')}: {kind} {want[kind]} in English, {got[kind]} in Korean"
                         for kind in want if got[kind] != want[kind]]
            if text and _edges(text) != _edges(source):
                problems.append(f"{e.where('django.po')}: leading space or final newline differs from the English")
    assert not problems, "\n".join(problems)


def test_catalogue_has_every_string_the_code_marks_and_no_other(messages, extracted):
    have = {e.key for e in messages}
    marked = {e.key: e for e in extracted}
    missing = [f"{k[1]!r} ({' '.join(marked[k].locations) or 'location unknown'})" for k in marked if k not in have]
    gone = [e.where("django.po") for e in messages if e.key not in marked]
    assert not missing, f"marked in the code but not in the catalogue: {missing[:20]}; {UPDATE}"
    assert not gone, f"in the catalogue but no longer in the code: {gone[:20]}; {UPDATE}"


_MARKERS = {"gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "gettext_noop": (None, 0, None),
            "ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1), "pgettext": (0, 1, None),
            "pgettext_lazy": (0, 1, None), "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2)}


def _marked_in_python(path: Path):
    """(line, key) of every literal passed to a gettext function, through whatever name it is imported as."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = {alias.asname or alias.name: alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
             for alias in node.names if alias.name in _MARKERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            args = node.args
            ctxt, single, plural = _MARKERS[names[node.func.id]]
            needed = max(i for i in (ctxt, single, plural) if i is not None)
            if len(args) <= needed or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                              for a in args[: needed + 1]):
                yield node.lineno, None  # a variable or an expression: nothing for xgettext to read
                continue
            value = [a.value for a in args[: needed + 1]]
            yield node.lineno, (value[ctxt] if ctxt is not None else None, value[single],
                                value[plural] if plural is not None else None)


def test_xgettext_reads_every_string_marked_in_python(extracted):
    """xgettext skips some marks (inside an f-string, for one): those would stay English for ever."""
    have = {e.key for e in extracted}
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE)
        for line, key in _marked_in_python(path):
            if key is None:
                problems.append(f"{where}:{line}: translate a string literal, not a variable or an expression")
            elif key not in have:
                problems.append(f"{where}:{line}: {key[1]!r} is marked but xgettext does not extract it "
                                "(a mark inside an f-string is not read: call _() outside the f-string)")
    assert not problems, "\n".join(problems)


def test_template_strings_reach_xgettext_whole():
    """makemessages cuts a {% translate "…" %} string at an escaped quote: the rest is never translated."""
    problems = []
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            bits = token.contents.split(None, 1)
            if token.token_type == TokenType.BLOCK and bits and bits[0] in ("translate", "trans") \
                    and ('\\"' in token.contents or "\\'" in token.contents):
                problems.append(f"{path.relative_to(PACKAGE)}:{token.lineno}: {token.contents[:60]}… has an escaped "
                                "quote; put the string in the other kind of quotes instead")
    assert not problems, "\n".join(problems)


def test_the_running_interface_shows_every_translation(messages):
    """Django reads the compiled .mo: each message must come out as the .po says (the .mo is current)."""
    stale = []
    with translation.override("ko"):
        for e in messages:
            if "fuzzy" in e.flags or not all(e.msgstr):
                continue  # not compiled: the test above names these
            if e.msgctxt is not None and e.msgid_plural:
                shown = translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2)
            elif e.msgctxt is not None:
                shown = translation.pgettext(e.msgctxt, e.msgid)
            elif e.msgid_plural:
                shown = translation.ngettext(e.msgid, e.msgid_plural, 2)
            else:
                shown = translation.gettext(e.msgid)
            if shown != e.msgstr[0]:
                stale.append(f"{e.where('django.po')}: shows {shown!r}, the .po says {e.msgstr[0]!r}")
    assert not stale, f"the .mo is older than the .po; run compilemessages:\n" + "\n".join(stale[:20])


# --- the reader itself, against GNU msgfmt -----------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f") | st.sampled_from(
    ['"', "\\", "\n", "\t", "%", "{", "}", "기", "록", "#"]), min_size=1, max_size=40)


def _quote(text: str, cuts: list[int]) -> str:
    """Write a string as GNU tools do, split over several quoted lines at the given points."""
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    escaped = ['"' + p.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
               for p in pieces]
    return "\n".join(escaped) if len(escaped) == 1 else '""\n' + "\n".join(escaped)


@st.composite
def _po_files(draw):
    entries = draw(st.dictionaries(st.tuples(st.none() | _TEXT, _TEXT), _TEXT, min_size=1, max_size=6))
    chunks = ['msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n']
    for (ctxt, msgid), msgstr in list(entries.items()):
        # msgfmt requires a msgstr to begin and end with a newline exactly when its msgid does
        msgstr = ("\n" if msgid.startswith("\n") else "") + msgstr.strip("\n") + ("\n" if msgid.endswith("\n") else "")
        entries[(ctxt, msgid)] = msgstr
        lines = [f"#: somewhere.py:{draw(st.integers(1, 999))}"]
        for keyword, text in (("msgctxt", ctxt), ("msgid", msgid), ("msgstr", msgstr)):
            if text is not None:
                cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=3)))
                lines.append(f"{keyword} {_quote(text, [c for c in cuts if c < len(text)])}")
        chunks.append("\n".join(lines) + "\n")
    return entries, "\n".join(chunks)


@settings(max_examples=30, deadline=None)
@given(_po_files())
def test_reader_agrees_with_gnu_msgfmt(tmp_path_factory, generated):
    expected, text = generated
    parsed = {(e.msgctxt, e.msgid): e.msgstr[0] for e in parse_po(text) if e.msgid}
    assert parsed == expected
    folder = tmp_path_factory.mktemp("msgfmt")
    (folder / "x.po").write_text(text, encoding="utf-8")
    compiled = subprocess.run(["msgfmt", "-o", str(folder / "x.mo"), str(folder / "x.po")], capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    with open(folder / "x.mo", "rb") as mo:
        gnu = gnu_gettext.GNUTranslations(mo)
    for (ctxt, msgid), msgstr in parsed.items():
        # an empty msgstr is an untranslated entry: msgfmt leaves it out and gettext shows the msgid
        assert (gnu.pgettext(ctxt, msgid) if ctxt is not None else gnu.gettext(msgid)) == (msgstr or msgid)


def test_reader_names_the_line_of_a_broken_catalogue():
    with pytest.raises(ValueError, match=r"x.po:3: unknown escape \\q"):
        parse_po('msgid ""\nmsgstr ""\nmsgid "a\\q"\nmsgstr "b"\n', "x.po")
    with pytest.raises(ValueError, match=r"x.po:1: msgid 'a' has no msgstr"):
        parse_po('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', "x.po")
