"""The authorisation matrix for the command line: every `kirok` command or subcommand that takes
``--user`` and exports (its name says export, it is a bundle, or it writes an --output) — found by asking Django for the
commands, so one added later is covered — plus the commands that read records for a user, run as
every role. Each must refuse a role without the capability, never hand over a record outside the
role's compartments (a record named outside them fails exactly as one that does not exist), and
never print, write or log a canary or ciphertext the role may not see.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from django.core.management import CommandError, call_command, get_commands, load_command_class

from kirok.accounts.roles import user_can
from kirok.protection.rotation import each_envelope
from kirok.records.models import Person, Source

from .matrix import NOWHERE_UUID

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Run:
    """How to run one command in the matrix. ``{out}`` is a fresh folder; ``{ref}`` a record (a
    source, or the witness for ``ref_kind="person"``) inside, outside or nowhere."""

    args: tuple[str, ...]
    capability: str | None  # what the role needs; None: the command's owner decides, leaks are checked
    ref_kind: str = ""


RUNS: dict[tuple[str, ...], list[Run]] = {
    ("export",): [Run(("export", "--output", "{out}/x", "--no-progress"), "export"),
                  Run(("export", "--output", "{out}/un", "--scope", "un", "--no-progress"), "export")],
    ("bundle", "export"): [Run(("bundle", "export", "--output", "{out}/bag", "--source", "{ref}", "--scope", "internal",
                                "--purpose", "matrix", "--no-progress"), "export", ref_kind="source")],
    ("case", "export"): [Run(("case", "export", "no-such-case", "--output", "{out}/case.pdf", "--purpose", "matrix"), "export")],
    ("case", "dossier"): [Run(("case", "dossier", "--person", "{ref}", "--output", "{out}/dossier.pdf", "--purpose", "matrix"),
                              "export", ref_kind="person")],
    ("upr", "submission-export"): [Run(("upr", "submission-export", "no-such-submission", "--output", "{out}/submission.docx"), "export")],
    ("upr", "briefing"): [Run(("upr", "briefing", "--from", "1990-01-01", "--to", "2030-12-31", "--scope", "un",
                               "--output", "{out}/brief"), "export")],
    ("link", "export-clusters"): [Run(("link", "export-clusters", "{out}/clusters.csv"), "export")],
    ("link", "export-mse"): [Run(("link", "export-mse", "{out}/mse.csv"), "export")],
    ("history",): [Run(("history", "{ref}", "--full"), "read_records", ref_kind="person")],
    ("search",): [Run(("search", "{witness}"), None)],
    ("consent", "show"): [Run(("consent", "show", "{ref}"), "read_records", ref_kind="source")],
}
READS = {("history",), ("search",), ("consent", "show")}


def _user_options(parser, prefix=()):
    """(subcommand…, writes a file) of each (sub)command that takes --user."""
    options = {option for action in parser._actions for option in action.option_strings}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _user_options(sub, (*prefix, name))
    if "--user" in options:
        yield prefix, "--output" in options


def exit_commands() -> set[tuple[str, ...]]:
    """(command, subcommand…) of every Kirok command that acts for a --user and exports: its
    name says so, or it writes an --output (a case file, a dossier, a briefing pack…)."""
    found = set()
    for name, app in get_commands().items():
        if not app.startswith("kirok."):
            continue
        parser = load_command_class(app, name).create_parser("kirok", name)
        for sub, writes in _user_options(parser):
            key = (name.replace("_", "-"), *sub)
            if writes or any("export" in part or part == "bundle" for part in key):
                found.add(key)
    return found


def test_every_exporting_command_is_in_the_matrix():
    missing = exit_commands() - set(RUNS)
    assert not missing, f"teach tests/protection/test_cli_matrix.py RUNS how to run: {sorted(missing)}"
    assert {("export",), ("bundle", "export")} <= exit_commands()


def run(args: list[str]) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        ok = True
    except (CommandError, SystemExit) as exc:
        err.write(str(exc))
        ok = False
    return ok, out.getvalue() + err.getvalue()


def written(folder: Path) -> str:
    """Everything the command wrote, as text: a PDF's or a DOCX's text is extracted, since its
    bytes are compressed and would hide a leak from a plain search."""
    return "".join(_text_of(p) for p in folder.rglob("*") if p.is_file())


def _text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
        return "\n".join([*(p.text for p in document.paragraphs), *cells])
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("command", sorted(RUNS), ids=" ".join)
def test_each_command_as_every_role(world, tmp_path, caplog, command):
    caplog.set_level(logging.DEBUG)
    if command not in exit_commands() | READS:
        pytest.skip(f"`kirok {' '.join(command)}` is not installed in this checkout")
    ciphertexts: list[str] = []
    each_envelope(lambda envelope, where: ciphertexts.append(envelope["ct"]) if "ct" in envelope else None)
    south_ids = [str(m.all_objects.get(external_id=world.south.ext(w)).uid) for m, w in ((Source, "source"), (Person, "witness"), (Person, "victim"))]
    refs = {kind: {side: str(model.all_objects.get(external_id=getattr(world, side).ext(what)).uid) for side in ("north", "south")}
            for kind, (model, what) in {"source": (Source, "source"), "person": (Person, "witness")}.items()}
    problems = []
    for n, (role, user, spec) in enumerate((r, u, s) for r, u in world.users.items() for s in RUNS[command]):
        sides = ("north", "south", "nowhere") if spec.ref_kind else ("north",)
        results = {}
        for side in sides:
            out = tmp_path / f"{n}-{side}"
            out.mkdir()
            ref = NOWHERE_UUID if side == "nowhere" else refs.get(spec.ref_kind, {}).get(side, "")
            args = [a.format(out=out, ref=ref, witness=world.north.canaries["witness_name"]) for a in spec.args]
            ok, text = run([*args, "--user", user.get_username()])
            text += written(out)
            results[side] = (ok, text.replace(ref, "<ref>"))
            where = f"kirok {' '.join(args)} --user {user.get_username()}"
            for value in [*world.south.canaries.values(), *(c for c in ciphertexts if len(c) > 20)]:
                if value in text:
                    problems.append(f"{where}: shows {value[:40]!r}")
            if side == "north" and not spec.ref_kind:
                problems += [f"{where}: names the record {uid} outside the compartments" for uid in south_ids if uid in text]
            if not user_can(user, "see_protected"):
                problems += [f"{where}: shows the protected {c!r}" for c in world.north.canaries.values() if c in text]
            if spec.capability and ok and not user_can(user, spec.capability):
                problems.append(f"{where}: ran for a role without {spec.capability}")
        if spec.ref_kind:
            if results["south"][0]:
                problems.append(f"kirok {' '.join(command)} as {role}: accepted a record outside the compartments (it succeeded)")
            if _shape(results["south"][1]) != _shape(results["nowhere"][1]):
                problems.append(f"kirok {' '.join(command)} as {role}: a record outside the compartments fails as "
                                f"{results['south'][1][:160]!r}, one that does not exist as {results['nowhere'][1][:160]!r}")
    for value in [*world.canaries, *ciphertexts]:
        assert value not in caplog.text, f"{value[:40]!r} reached the log"
    assert not problems, "\n".join(problems)


def _shape(text: str) -> str:
    return re.sub(r"[0-9a-f-]{36}|\d+", "#", text)
