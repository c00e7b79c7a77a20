"""`kirok bundle export` and `kirok bundle verify` as an operator types them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kirok.evidence.models import CustodyEvent

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("bundle", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_then_verify(evidence, tmp_path):
    north = evidence.world.north.ext("source")
    said = run("export", "--output", str(tmp_path / "b"), "--source", north, "--scope", "un", "--purpose", "OHCHR request",
               "--actor", "clerk", "--no-progress")
    assert "2 evidence items" in said and "disclosure" in said
    assert set(CustodyEvent.objects.filter(action="exported").values_list("actor", flat=True)) == {"console:clerk"}
    assert "bundle OK" in run("verify", str(tmp_path / "b"), "--no-progress")


def test_a_user_exports_with_their_role_and_compartments(evidence, tmp_path):
    said = run("export", "--output", str(tmp_path / "b"), "--all", "--scope", "internal", "--purpose", "audit",
               "--user", "analyst-user", "--no-progress")
    assert "withheld: 1 evidence_item" in said  # the south testimony's recording: not the analyst's compartment
    with pytest.raises(CommandError, match="may not export"):
        run("export", "--output", str(tmp_path / "c"), "--all", "--scope", "internal", "--purpose", "x",
            "--user", "reviewer-user", "--no-progress")


@pytest.mark.parametrize("args, message", [
    (["--source", "nkdb:S-0404"], "no source with id or external id 'nkdb:S-0404'"),
    (["--case", "nkdb:E-0404"], "no event with id or external id 'nkdb:E-0404'"),
    (["--all", "--user", "nobody"], "no user 'nobody'"),
])
def test_errors_name_what_is_wrong(evidence, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("export", "--output", str(tmp_path / "b"), "--scope", "internal", "--purpose", "x", "--no-progress", *args)
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


def test_an_existing_output_is_refused(evidence, tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(CommandError, match="exists"):
        run("export", "--output", str(tmp_path / "b"), "--all", "--scope", "internal", "--purpose", "x", "--no-progress")


def test_verify_fails_on_a_folder_that_is_no_bag(tmp_path):
    with pytest.raises(CommandError, match="FAILED"):
        run("verify", str(tmp_path), "--no-progress")


def test_a_source_out_of_reach_is_named_like_one_that_does_not_exist(evidence, tmp_path):
    south = evidence.world.south.ext("source")
    with pytest.raises(CommandError, match=f"no source with id or external id '{south}'"):
        run("export", "--output", str(tmp_path / "b"), "--source", south, "--scope", "internal", "--purpose", "x",
            "--user", "analyst-user", "--no-progress")
