import pytest

from .helpers import build_world


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace


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
