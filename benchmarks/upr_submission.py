"""UPR: importing 10,000 recommendations, and a submission draft over a record of N acts.

    .venv/bin/python benchmarks/upr_submission.py                          # the figure: 1,000,000 acts
    .venv/bin/python benchmarks/upr_submission.py --acts 2000 --recommendations 500   # smoke run, seconds
    .venv/bin/python benchmarks/upr_submission.py --server postgres://postgres@127.0.0.1:5432

Two figures, each beside its baseline, in the same run on the same workspace:

* **Import.** `kirok upr import FILE` of R synthetic recommendations (Kirok's CSV format, marked
  fictional, spread over the four shipped cycles, 3 recommending states, a theme, a group and an
  SDG each), timed as a process from start to exit. Baseline: the same rows inserted with
  ``executemany`` into the same two tables (``upr_recommendation``, ``upr_tag``) of a copy.
* **Draft.** ``kirok.upr.submissions.build`` of a draft for cycle 4 through the consent gate
  (scope ``un``; statistics by category, province and year; follow-up of 50 assessed
  recommendations with linked incidents), as the console operator, in this process after one
  warm-up. Baseline: the raw SQL aggregate the statistics rest on (acts with a consenting source
  or none, attested by information from a consenting source, within the period, grouped by act
  type, place and year), timed the same way. Goal: draft ≤ 5 s.

The record is the synthetic demo set (`kirok demo-data --size N`, N persons and N acts, with its
sources, information and consent entries), imported once into a template workspace and kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")

import common  # noqa: E402

GOAL_DRAFT_SECONDS = 5.0
PERIOD = (date(1990, 1, 1), date(2024, 11, 6))
ALL_TYPES = ("source", "place", "organization", "person", "event", "act", "involvement", "information",
             "biographic_detail", "chain_of_events", "intervention")


def record_files(acts: int, seed: int) -> list[Path]:
    folder = common.demo_files(acts, seed)[0].parent
    return [folder / f"{t}.jsonl" for t in ALL_TYPES if (folder / f"{t}.jsonl").exists()]


def workspace(acts: int, seed: int, server: str | None) -> tuple[Path, str | None]:
    """A workspace holding the demo record and the shipped cycles, made once and kept."""
    name = f"upr-{acts}-seed{seed}-{'pg' if server else 'sqlite'}"
    home = common.OUT / "work" / name
    url = f"{server.rstrip('/')}/bench_{name.replace('-', '_')}" if server else None
    done = home / ".complete"
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        if server:
            subprocess.run(["dropdb", "--if-exists", "-d", url.rsplit("/", 1)[0] + "/postgres", url.rsplit("/", 1)[1]], check=False)
            subprocess.run(["createdb", "-d", url.rsplit("/", 1)[0] + "/postgres", url.rsplit("/", 1)[1]], check=True)
        env = common.kirok_env(home, url)
        common.log(f"making the workspace {home} ({acts:,} acts)")
        common.run([common.KIROK, "init"], env)
        common.run([common.KIROK, "import", "--no-progress", *map(str, record_files(acts, seed))], env)
        common.run([common.KIROK, "upr", "load-cycles"], env)
        done.write_text("ok\n")
    return home, url


def recommendations_file(count: int, folder: Path) -> Path:
    path = folder / f"recommendations-{count}.csv"
    states = ["Fictionland", "Utopia", "Erewhon", "Ruritania", "Freedonia", "Atlantis"]
    themes = ["Torture", "Arbitrary detention", "Freedom of movement", "Right to food", "Enforced disappearance"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["cycle", "paragraph", "text", "recommending_states", "position", "position_source", "themes",
                         "affected_groups", "sdgs", "action_category", "document_symbol"])
        for n in range(count):
            cycle = 1 + n % 4
            writer.writerow([cycle, f"{100 + n // 1000}.{n % 1000 + 1}",
                             f"[FICTIONAL] Recommendation {n}: close fictional camp {n % 97} and release detainees of group {n % 13}",
                             ";".join(states[(n + k) % 6] for k in range(3)), "Noted" if n % 2 else "Supported", f"Add.1 - Para. {n}",
                             themes[n % 5], "persons deprived of liberty", str(1 + n % 17), str(1 + n % 5), ""])
    return path


def time_import(home: Path, url: str | None, path: Path) -> float:
    """`kirok upr import` on a copy of the workspace (the recommendations must be new)."""
    env = common.kirok_env(home, url)
    started = time.perf_counter()
    common.run([common.KIROK, "upr", "import", str(path)], env)
    return time.perf_counter() - started


def baseline_import(path: Path, db: Path) -> float:
    """The same rows with executemany into the same tables (SQLite only)."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    connection = sqlite3.connect(db)
    cycles = dict(connection.execute("SELECT number, id FROM upr_cycle"))
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO upr_recommendation (cycle_id, paragraph, text, document_symbol, position, position_source, action_category, "
            "words, imported_from) VALUES (?, ?, ?, '', ?, ?, ?, '', 'baseline')",
            [(cycles[int(r["cycle"])], "b" + r["paragraph"], r["text"], r["position"].lower(), r["position_source"], int(r["action_category"]))
             for r in rows])
        ids = dict(connection.execute("SELECT cycle_id || ':' || paragraph, id FROM upr_recommendation WHERE imported_from = 'baseline'"))
        tags = []
        for r in rows:
            rec = ids[f"{cycles[int(r['cycle'])]}:b{r['paragraph']}"]
            values = [("state", s) for s in r["recommending_states"].split(";")] + [("theme", r["themes"]), ("group", r["affected_groups"]),
                                                                                   ("sdg", r["sdgs"])]
            tags += [(rec, kind, value, i) for i, (kind, value) in enumerate(values)]
        connection.executemany("INSERT INTO upr_tag (recommendation_id, kind, value, position) VALUES (?, ?, ?, ?)", tags)
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


RAW_AGGREGATE = """
WITH latest AS (SELECT source_id, MAX(id) AS id FROM records_consent GROUP BY source_id),
ok AS (SELECT c.source_id FROM records_consent c JOIN latest l ON l.id = c.id
       JOIN records_source s ON s.id = c.source_id AND s.deleted_at IS NULL
       WHERE NOT c.withdrawn AND {has_un})
SELECT a.act_type_id, a.place_id, {year}, COUNT(*) FROM records_act a
WHERE a.deleted_at IS NULL AND (a.source_id IS NULL OR a.source_id IN (SELECT source_id FROM ok))
  AND a.start_date_from IS NOT NULL AND a.start_date_from <= %s AND a.start_date_to >= %s
  AND (EXISTS (SELECT 1 FROM records_information i WHERE i.act_id = a.id AND i.deleted_at IS NULL AND i.source_id IN (SELECT source_id FROM ok))
       OR EXISTS (SELECT 1 FROM records_information i WHERE i.event_id = a.event_id AND i.deleted_at IS NULL
                  AND i.source_id IN (SELECT source_id FROM ok)))
GROUP BY 1, 2, 3
"""


def raw_aggregate() -> tuple[float, int]:
    from django.db import connection

    if connection.vendor == "postgresql":
        sql = RAW_AGGREGATE.format(has_un="c.scopes::jsonb ? 'un'", year="EXTRACT(YEAR FROM a.start_date_from)")
    else:
        sql = RAW_AGGREGATE.format(has_un="EXISTS (SELECT 1 FROM json_each(c.scopes) WHERE value = 'un')",
                                   year="CAST(strftime('%%Y', a.start_date_from) AS INTEGER)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [PERIOD[1], PERIOD[0]])
        total = sum(row[3] for row in cursor.fetchall())
    return time.perf_counter() - started, total


def draft(follow_up: int) -> tuple[float, int, int]:
    """(seconds, acts counted, words) for building a draft for cycle 4, after one warm-up."""
    import django

    django.setup()
    from django.db import transaction

    from kirok.protection.gate import Gate
    from kirok.protection.principal import Principal
    from kirok.records.models import Event
    from kirok.upr import services, submissions
    from kirok.upr.models import Recommendation

    operator = Principal.console("benchmark")
    with transaction.atomic():
        made = submissions.create(services.get_cycle(4), title="[FICTIONAL] benchmark submission", period_from=PERIOD[0],
                                  period_to=PERIOD[1], user=operator)
        events = list(Event.objects.order_by("pk").values_list("uid", flat=True)[: follow_up * 2])
        for i, rec in enumerate(Recommendation.objects.filter(cycle__number=3).order_by("pk")[:follow_up]):
            for uid in events[2 * i: 2 * i + 2]:
                services.link(rec, "event", str(uid), bearing="non_implementation", user=operator)
            services.assess(rec, status="not_implemented", user=operator)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        doc = submissions.build(made, operator, gate=Gate(principal=operator, scope="un", destination="benchmark"))
        timings.append(time.perf_counter() - started)
    return timings[-1], doc.stats.acts, doc.words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--acts", type=int, default=1_000_000, help="size of the demo record (persons = acts)")
    parser.add_argument("--recommendations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--follow-up", type=int, default=50, help="assessed recommendations in the draft")
    parser.add_argument("--server", default=None, help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()

    template, url = workspace(args.acts, args.seed, args.server)
    home = common.OUT / "work" / f"{template.name}-run"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    if url:
        run_url = url + "_run"
        base = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["dropdb", "--if-exists", "-d", base, run_url.rsplit("/", 1)[1]], check=False)
        subprocess.run(["createdb", "-d", base, "-T", url.rsplit("/", 1)[1], run_url.rsplit("/", 1)[1]], check=True)
        url = run_url
    path = recommendations_file(args.recommendations, home)
    import_seconds = time_import(home, url, path)
    baseline_seconds = None
    if not url:
        copy = home / "baseline.sqlite3"
        shutil.copy(template / "kirok.sqlite3", copy)
        baseline_seconds = baseline_import(path, copy)

    os.environ["KIROK_HOME"] = str(home)
    if url:
        os.environ["KIROK_DATABASE_URL"] = url
    draft_seconds, acts, words = draft(args.follow_up)
    raw_seconds, raw_acts = raw_aggregate()
    result = {
        "figure": "upr_submission", "acts": args.acts, "recommendations": args.recommendations, "database": "postgresql" if url else "sqlite",
        "import_seconds": round(import_seconds, 3), "import_baseline_seconds": round(baseline_seconds, 3) if baseline_seconds else None,
        "import_ratio": round(baseline_seconds / import_seconds, 3) if baseline_seconds else None,
        "draft_seconds": round(draft_seconds, 3), "raw_aggregate_seconds": round(raw_seconds, 3),
        "draft_ratio": round(raw_seconds / draft_seconds, 3), "acts_counted": acts, "raw_acts": raw_acts, "words": words,
        "goal_draft_seconds": GOAL_DRAFT_SECONDS, "draft_within_goal": draft_seconds <= GOAL_DRAFT_SECONDS,
        "machine": asdict(common.machine()),
    }
    if acts != raw_acts:
        raise SystemExit(f"the draft counted {acts} acts, the raw aggregate {raw_acts}: they must agree")
    print(json.dumps(result, indent=2))
    common.save_result(f"upr_submission-{args.acts}-{result['database']}", result)


if __name__ == "__main__":
    main()
