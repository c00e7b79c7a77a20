"""`kirok upr …`: load, import, link, assess, draft and export from the console."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kirok.protection.models import Disclosure
from kirok.upr.models import Assessment, Cycle, EvidenceLink, Recommendation, Submission

from .helpers import events_by_consent, kirok_rows, write_csv


def run(*args) -> str:
    out = io.StringIO()
    call_command("upr", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_console_workflow(world, tmp_path):
    assert "4 UPR cycles loaded" in run("load-cycles", "--user", "analyst-user") and Cycle.objects.count() == 4
    path = write_csv(tmp_path / "recs.csv", kirok_rows(3, 4))
    assert "4 created, 0 updated, 0 unchanged" in run("import", str(path), "--user", "analyst-user")
    bad = write_csv(tmp_path / "bad.csv", [{**kirok_rows(3, 1)[0], "paragraph": "x"}])
    with pytest.raises(CommandError, match=rf"nothing imported:\n{bad}:2:paragraph:"):
        run("import", str(bad))
    attested, _ = events_by_consent("un")
    assert "made" in run("link", "3:124.1", "event", str(attested.uid), "--user", "analyst-user")
    with pytest.raises(CommandError, match="no event"):
        run("link", "3:124.1", "event", str(attested.uid), "--user", "outsider")
    assert "not_implemented, on 1 evidence link(s)" in run("assess", "3:124.1", "--status", "not_implemented", "--user", "analyst-user")
    started = run("submission-new", "--review", "4", "--title", "Fictional submission", "--user", "analyst-user")
    uid = str(Submission.objects.get().uid)
    assert uid in started and "of 2815 words" in started
    target = tmp_path / "out.docx"
    assert "of 2815 words" in run("submission-export", uid, "--output", str(target), "--user", "analyst-user")
    assert target.read_bytes()[:2] == b"PK" and Disclosure.objects.count() == 1
    with pytest.raises(CommandError, match="no submission no-such"):
        run("submission-export", "no-such", "--output", str(tmp_path / "no.docx"), "--user", "analyst-user")
    with pytest.raises(CommandError, match="no evidence link"):
        run("unlink", "no-such", "--reason", "test", "--user", "analyst-user")
    with pytest.raises(CommandError, match="may not export"):
        run("submission-export", uid, "--output", str(tmp_path / "no.docx"), "--user", "reviewer-user")
    written = run("briefing", "--from", "1990-01-01", "--to", "2024-12-31", "--output", str(tmp_path / "brief"), "--user", "analyst-user")
    assert written.count(str(tmp_path / "brief")) == 2 and Disclosure.objects.count() == 2
    assert Recommendation.objects.count() == 4 and EvidenceLink.objects.count() == 1 and Assessment.objects.count() == 1
