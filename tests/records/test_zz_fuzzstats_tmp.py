import csv, io
from collections import Counter
from hypothesis import given, settings as hs, HealthCheck, strategies as st
from tests.records.test_uwazi import FUZZ_COLUMNS, fuzz_cell, vocabularies, workspace  # noqa
from kirok.records.importing import import_files, ReadError, ImportFailed
C = Counter()
@hs(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(header=st.lists(st.sampled_from(FUZZ_COLUMNS), min_size=1, max_size=7, unique=True),
       rows=st.lists(st.lists(fuzz_cell, max_size=8), max_size=4), delimiter=st.sampled_from([",", ";"]))
def test_stats(vocabularies, workspace, tmp_path, header, rows, delimiter):
    b = io.StringIO(); w = csv.writer(b, delimiter=delimiter); w.writerow(header); w.writerows(rows)
    p = tmp_path / "incidents.csv"; p.write_text(b.getvalue(), encoding="utf-8")
    try:
        r = import_files([p], fmt="uwazi"); C["ok:%d" % r.created] += 1
    except ReadError as e: C["read:" + e.message[:25]] += 1
    except ImportFailed as e: C["failed:" + e.errors[0].message[:30]] += 1
def test_zz():
    print(); [print(v, k) for k, v in C.most_common(40)]
