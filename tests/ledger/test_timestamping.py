"""RFC 3161: a checkpoint stamped by a (local) TSA, its token stored and verified offline."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kirok.ledger import services, timestamping
from kirok.ledger.models import Checkpoint

from .tsa import LocalTSA, Serving

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tsa():
    return LocalTSA()


@pytest.fixture
def tsa_env(tsa, tmp_path, monkeypatch):
    ca = tmp_path / "tsa-root.pem"
    ca.write_bytes(tsa.root_pem())
    with Serving(tsa) as serving:
        monkeypatch.setenv("KIROK_TSA_URL", serving.url)
        monkeypatch.setenv("KIROK_TSA_CA", str(ca))
        yield serving


def test_a_stamped_checkpoint_verifies_offline_after_the_tsa_is_gone(workspace, person_edits, tsa_env, monkeypatch):
    made = services.checkpoint()
    assert made.tsa_token and "BEGIN CERTIFICATE" in made.tsa_chain
    monkeypatch.delenv("KIROK_TSA_URL")
    monkeypatch.delenv("KIROK_TSA_CA")
    stored = Checkpoint.objects.get(pk=made.pk)
    response = timestamping.verify(stored, services.origin())
    assert abs((response.tst_info.gen_time - stored.time).total_seconds()) < 5
    assert services.verify().ok


def test_a_token_for_another_checkpoint_or_altered_bytes_fails(workspace, person_edits, tsa_env):
    first = services.checkpoint()
    second = services.checkpoint()
    Checkpoint.objects.filter(pk=second.pk).update(tsa_token=first.tsa_token)
    problem = str(services.verify().problem)
    assert problem.startswith(f"checkpoint {second.pk} ") and "a valid RFC 3161 time-stamp" in problem
    token = bytearray(bytes(first.tsa_token))
    token[-20] ^= 1  # inside the signature
    Checkpoint.objects.filter(pk=second.pk).update(tsa_token=second.tsa_token)
    Checkpoint.objects.filter(pk=first.pk).update(tsa_token=bytes(token))
    assert str(services.verify().problem).startswith(f"checkpoint {first.pk} ")


def test_a_chain_without_the_tsas_root_fails(workspace, person_edits, tsa_env, tsa):
    made = services.checkpoint()
    other = LocalTSA()
    Checkpoint.objects.filter(pk=made.pk).update(tsa_chain=other.root_pem().decode())
    assert "a valid RFC 3161 time-stamp" in str(services.verify().problem)


def test_an_unreachable_tsa_is_named_and_the_checkpoint_stays_unstamped(workspace, person_edits, tsa_env, monkeypatch):
    monkeypatch.setenv("KIROK_TSA_URL", "http://127.0.0.1:9/tsa")
    with pytest.raises(CommandError, match="the TSA at http://127.0.0.1:9/tsa did not answer"):
        call_command("ledger", "checkpoint")
    assert Checkpoint.objects.get().tsa_token is None
