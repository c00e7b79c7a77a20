import pytest

from kirok.protection import policy
from kirok.workspace import Workspace

from .helpers import build_world


@pytest.fixture(autouse=True)
def workspace(settings, tmp_path):
    """Each test its own workspace folder (keys, vault), and cheap password hashing."""
    settings.WORKSPACE = Workspace(tmp_path / "workspace")
    settings.WORKSPACE.ensure()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield settings.WORKSPACE
    policy.reset()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def gazetteer(db):
    """The shipped places and institutions, for the tests that pick them."""
    from kirok.records.importing import import_streams
    from kirok.records.reference import load_vocabularies, reference_streams

    load_vocabularies()
    import_streams(reference_streams(), actor="kirok init", kind="reference", reason="reference data")
