"""Each case's links counted by what the matrix groups on, kept current by the changesets.

The matrix of a camp commander reads tens of thousands of links. Grouping them on every page
costs several times a bare count of them (docs/cases.md, "Speed"); yet a case's links change
far less often than its matrix is read. So their counts are kept in ``Tally`` rows, one per
(suspect, framework, element, assessment, strength, standard, source, reach) with links, and
rewritten whole for a case by ``recount`` in the transaction of every changeset that writes one
of its links or the source or reach a link copies (``kirok.cases.receivers``), so that they never
disagree with committed links. The reach, not the reader, is kept: who may see which links is
still decided when the matrix is read (``kirok.cases.reach.refused``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Q

from .models import Case, ElementLink, Suspect, Tally

# The grouped columns, in the order of ``Tally``'s own and of the matrix's rows.
GROUPED = ("suspect_id", "framework", "element", "assessment", "strength", "standard", "source_id", "reach_id")


def recount(case_ids: Iterable[int]) -> None:
    """Rewrite the tallies of these cases from their live links, in one statement per step.

    The cases' rows are locked first, so that two transactions recounting the same case one after
    the other (on PostgreSQL, where they may overlap) never leave both their counts behind."""
    wanted = set(case_ids)
    if not wanted:
        return
    list(Case.all_objects.select_for_update().filter(pk__in=sorted(wanted)).order_by("pk").values_list("pk", flat=True))
    Tally.objects.filter(case_id__in=sorted(wanted)).delete()
    grouped = (ElementLink.objects.filter(case_id__in=sorted(wanted)).order_by()
               .values_list("case_id", *GROUPED).annotate(n=Count("*")))
    sql, params = grouped.query.sql_with_params()
    columns = ", ".join(("case_id", *GROUPED, "links"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Tally._meta.db_table} ({columns}) {sql}", params)


def rows(case: Case, suspect: Suspect | None) -> list[tuple]:
    """The tallies a matrix reads: a suspect's own and the case-wide ones (every one for the case's
    matrix), each as (framework, element, assessment, strength, standard, source id, reach id,
    links, reach keys, reach gone)."""
    found = Tally.objects.filter(case=case)
    if suspect is not None:
        found = found.filter(Q(suspect__isnull=True) | Q(suspect=suspect))
    return list(found.order_by().values_list(*GROUPED[1:], "links", "reach__keys", "reach__gone"))
