import pytest
from pathlib import Path

FIX = Path(__file__).parent / "fixtures" / "uwazi"

@pytest.fixture
def ws(settings, tmp_path):
    from kirok.workspace import Workspace
    settings.WORKSPACE = Workspace(tmp_path / "ws")
    return settings.WORKSPACE

def test_smoke(db, ws, tmp_path):
    from kirok.records.reference import load_vocabularies
    from kirok.records.importing import import_files, ImportFailed
    from kirok.records.uwazi_export import export_uwazi
    load_vocabularies()
    try:
        r = import_files([FIX / "places.csv", FIX / "incidents.csv", FIX / "persons.csv"])
    except ImportFailed as e:
        print("\n".join(map(str, e.errors))); raise
    print(r.outcomes)
    for t in ("place", "event", "person"):
        res = export_uwazi(tmp_path / "out", t)
        print(res.path.read_text(), res.notes)
