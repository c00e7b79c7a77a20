"""Case matrix for a suspect linked to 10,000 acts by 50,000 evidence links, beside the single SQL
query that counts those links.

    .venv/bin/python benchmarks/case_matrix.py                              # the figure: 10,000 acts, 50,000 links
    .venv/bin/python benchmarks/case_matrix.py --acts 500 --links 2500      # smoke run, seconds
    .venv/bin/python benchmarks/case_matrix.py --server postgres://postgres@127.0.0.1:5432

* **Data** (made once per size and kept in ``benchmarks/out/work/``): a workspace (``kirok init``)
  with one fictional event, N acts (imprisonment and torture at a fictional camp), one
  information record per act, 400 testimonies by 300 witnesses plus 100 documents (all with
  consent), one position per suspect, and L links spread over the elements of art. 7(1)(e),
  7(1)(f), the contextual and art. 30 elements and art. 28(b): 60 % to acts, 30 % to passages,
  10 % to the suspect's position; a fifth of them are the suspect's own, the rest case-wide. Rows
  are bulk-inserted with each link's copy of its target's source and its reach, as ``ElementLink.save`` writes
  them (the history of setup rows is not what is measured). All records sit in one compartment
  whose member, an analyst, is the reader. On PostgreSQL the database is vacuumed and analysed
  before measuring, the state autovacuum keeps a live database in; SQLite is measured as Kirok
  leaves it (no ``ANALYZE``).
* **Kirok.** ``kirok.cases.matrix.compute`` for the suspect with the analyst as ``reader`` (the
  case's tallies with their reach, the access check of those reaches, distinct sources,
  witnesses and source types behind the supporting links, the standards reached) and the
  rendering of the matrix template to HTML: what the suspect's page does, in this process.
  Shown beside it: the links grouped afresh without access filters or template
  (``matrix.of_links``, what the matrix cost before the tallies, less the access check), the
  earlier access check that probes every linked record (``restricted_links`` with
  ``within_reach``), and the write-side price of the tallies: ``tallies.recount`` of the case, which
  every changeset touching one of its links runs in its transaction.
* **Baseline.** ``SELECT COUNT(*)`` of the suspect's links (his own and the case-wide ones) with a
  plain cursor. Goal: Kirok ≤ 1 s and ≤ 5× the baseline.
* **Timing.** Medians of 21 rounds after a warm-up; each round runs the five measurements in
  turn, so that Kirok and the baseline meet the same moments of a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

GOAL_SECONDS, GOAL_RATIO = 1.0, 5.0
ELEMENTS = [
    "rome-statute-cah:7(1)(e).1", "rome-statute-cah:7(1)(e).2", "rome-statute-cah:7(1)(e).3", "rome-statute-cah:7(1)(f).1",
    "rome-statute-cah:7(1)(f).2", "rome-statute-cah:ctx.attack", "rome-statute-cah:ctx.widespread_systematic",
    "rome-statute-cah:ctx.knowledge", "rome-statute-liability:28(b).1", "rome-statute-liability:28(b).2",
]


def setup(acts: int, links: int, victims: int) -> None:
    """Make the data (once per size): the rows described in the module docstring."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from kirok.accounts.services import create_user
    from kirok.cases import reach, tallies
    from kirok.cases.models import Case, ElementLink, Suspect
    from kirok.protection.compartments import add_member, assign_range, assigning, create
    from kirok.protection.principal import Principal
    from kirok.records import history
    from kirok.records.models import Act, BiographicDetail, Consent, Event, Information, Organization, Person, Source, Term

    call_command("init", verbosity=0)  # safe to repeat; applies new migrations
    if get_user_model().objects.filter(username="bench-analyst").exists():
        return
    operator = Principal.console("benchmark")
    compartment = create("bench", "Benchmark (fictional)", principal=operator)
    user, _password = create_user("bench-analyst", "analyst")
    add_member(compartment, user, principal=operator)
    term = {t.code: t for t in Term.objects.filter(code__in=["imprisonment_kwalliso", "torture", "testimony", "document"])}

    def bulk(model, rows):
        first = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        model.objects.bulk_create(rows, batch_size=2000)
        assign_range(model.record_type, first, first + len(rows) + 1)
        return list(model.objects.filter(pk__gte=first).order_by("pk"))

    with transaction.atomic(), assigning(["bench"]), history.changeset(actor="benchmark", reason="benchmark data (fictional)"):
        unit = Organization(name_ko="벤치마크 관리소 (가상)", name_en="Benchmark camp (fictional)")
        unit.save()
        witnesses = bulk(Person, [Person(remarks="fictional witness") for _ in range(300)])
        sources = bulk(Source, [Source(title=f"testimony {i} (fictional)", kind=term["testimony"], witness=witnesses[i % 300]) for i in range(400)]
                       + [Source(title=f"document {i} (fictional)", kind=term["document"]) for i in range(100)])
        Consent.objects.bulk_create([Consent(source=s, scopes=["internal", "prosecutors"]) for s in sources])
        event = bulk(Event, [Event(title="benchmark detention (fictional)")])[0]
        victim = bulk(Person, [Person(remarks="fictional victim") for _ in range(victims)]) if victims else []
        made = bulk(Act, [Act(event=event, act_type=term["imprisonment_kwalliso" if i % 3 else "torture"], source=sources[i % 500],
                              victim=victim[i % victims] if victims else None,
                              start_date_from=None) for i in range(acts)])
        passages = bulk(Information, [Information(act=a, source=sources[(i * 7) % 500]) for i, a in enumerate(made)])
        suspect_person = bulk(Person, [Person(remarks="fictional suspect")])[0]
        position = BiographicDetail(person=suspect_person, organization=unit, position="commander (fictional)", source=sources[450])
        position.save()
        case = Case(key="bench", title="Benchmark case (fictional)", compartment=compartment,
                    charges=["rome-statute-cah:7(1)(e)", "rome-statute-cah:7(1)(f)"])
        case.save()
        suspect = Suspect(case=case, person=suspect_person, modes=["rome-statute-liability:28(b)"])
        suspect.save()
        rows = []
        for i in range(links):
            framework, element = ELEMENTS[i % len(ELEMENTS)].split(":")
            kind = i % 10
            target = {"position": position} if kind == 9 else {"information": passages[i % acts]} if kind >= 6 else {"act": made[i % acts]}
            rows.append(ElementLink(case=case, suspect=suspect if i % 5 == 0 else None, framework=framework, element=element,
                                    source_id=next(iter(target.values())).source_id,
                                    assessment=("supports", "supports", "contradicts", "context")[i % 4],
                                    strength=("weak", "moderate", "strong")[i % 3],
                                    standard="reasonable_grounds" if i % 2 else "", **target))
        ElementLink.objects.bulk_create(rows, batch_size=2000)
        for name in ("act", "information", "position"):  # each link's reach, as ElementLink.save writes it
            reach.refresh(name, ElementLink.objects.filter(case=case).values(f"{name}_id"))
        tallies.recount([case.pk])  # the case's counts, as the changeset's receiver keeps them
    connection.close()


def timed(fns: dict, rounds: int = 21) -> dict[str, tuple[float, object]]:
    """Median seconds and last result of each function, run in turns (one of each per round,
    after a warm-up of each), so that all of them meet the same moments of a shared machine."""
    results = {name: fn() for name, fn in fns.items()}  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            started = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(times[name]), results[name]) for name in fns}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--victims", type=int, default=0,
                        help="distinct victims of the acts (default: none recorded, as in the figure's runs); each adds an anchor to check")
    parser.add_argument("--server", help="a PostgreSQL server to make the benchmark database on (default: SQLite)")
    args = parser.parse_args()
    name = f"cases-{args.acts}-{args.links}{f'-v{args.victims}' if args.victims else ''}-{'pg' if args.server else 'sqlite'}"
    home = common.OUT / "work" / name
    home.mkdir(parents=True, exist_ok=True)
    os.environ["KIROK_HOME"] = str(home)
    if args.server:
        import psycopg

        database = f"bench_{name.replace('-', '_')}"
        with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
                conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["KIROK_DATABASE_URL"] = f"{args.server.rstrip('/')}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.template.loader import render_to_string

    from django.db import transaction

    from kirok.cases import matrix, services, tallies
    from kirok.cases.models import Case, ElementLink
    from kirok.protection.principal import Principal

    mach = common.machine()
    started = time.perf_counter()
    setup(args.acts, args.links, args.victims)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the statistics and visibility map autovacuum keeps a live database in
            cursor.execute("VACUUM ANALYZE")
    common.log(f"data ready in {time.perf_counter() - started:.1f} s ({home})")
    principal = Principal.of(get_user_model().objects.get(username="bench-analyst"))
    case = Case.objects.get(key="bench")
    suspect = case.suspects.get()

    def kirok():
        result = matrix.compute(case, suspect, reader=principal)
        render_to_string("cases/_matrix.html", {"matrix": result})
        return result

    table = ElementLink._meta.db_table

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE case_id = %s AND deleted_at IS NULL "
                           "AND (suspect_id IS NULL OR suspect_id = %s)", [case.pk, suspect.pk])
            return cursor.fetchone()[0]

    def unfiltered():  # the links grouped afresh, every one counted (as before the tallies, without access filters)
        return matrix.of_links(case, case.links.all(), suspect)

    def recount():  # what a changeset that touches one of the case's links adds to its transaction
        with transaction.atomic():
            tallies.recount([case.pk])

    def per_record():  # the access check as it was: every linked record probed (restricted_links, within_reach)
        links = services.restricted_links(case.links.all(), services.within_reach(principal), principal)
        result = matrix.of_links(case, links, suspect)
        render_to_string("cases/_matrix.html", {"matrix": result})
        return result

    medians = timed({"kirok": kirok, "unfiltered": unfiltered, "per_record": per_record, "recount": recount, "baseline": baseline})
    (kirok_seconds, result), (operator_seconds, _result) = medians["kirok"], medians["unfiltered"]
    (per_record_seconds, earlier), (baseline_seconds, counted) = medians["per_record"], medians["baseline"]
    assert result.links == earlier.links == counted, (result.links, earlier.links, counted)  # the same links, counted three ways
    ratio = kirok_seconds / baseline_seconds
    print(f"\n== case matrix: suspect with {args.acts:,} acts ({args.victims:,} victims) and {counted:,} links ({connection.vendor}) ==")
    print(f"Kirok  matrix.compute + render (access filters, counts, independence): {kirok_seconds * 1000:8.1f} ms")
    print(f"       the links grouped afresh, no access filters, no template:        {operator_seconds * 1000:8.1f} ms")
    print(f"       the same with every linked record probed (the earlier check):   {per_record_seconds * 1000:8.1f} ms")
    print(f"       recounting the case's tallies (in each changeset touching it):  {medians['recount'][0] * 1000:8.1f} ms")
    print(f"Raw    SELECT COUNT(*) of the same links:                              {baseline_seconds * 1000:8.1f} ms")
    print(f"ratio  kirok / raw = {ratio:.1f}x   goal <= {GOAL_SECONDS:.0f} s: {common.verdict(kirok_seconds <= GOAL_SECONDS)}, "
          f"<= {GOAL_RATIO:.0f}x: {common.verdict(ratio <= GOAL_RATIO)}")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}); load average before {mach.load_before}, after {mach.load_after}; code {mach.commit}")
    common.save_result(name.replace("cases-", "case_matrix-"), {
        "acts": args.acts, "victims": args.victims, "links": counted, "database": connection.vendor, "kirok_seconds": round(kirok_seconds, 4), "unfiltered_seconds": round(operator_seconds, 4),
        "per_record_seconds": round(per_record_seconds, 4), "recount_seconds": round(medians["recount"][0], 4),
        "baseline_seconds": round(baseline_seconds, 5), "ratio": round(ratio, 2), "goal_seconds": GOAL_SECONDS,
        "goal_ratio": GOAL_RATIO, "machine": mach.__dict__,
    })


if __name__ == "__main__":
    main()
