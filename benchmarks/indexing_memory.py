"""Memory of `kirok import` while it indexes for search after its commit, beside the code before the fix.

    .venv/bin/python benchmarks/indexing_memory.py --persons 200000 --baseline d5a7b1e --fixed HEAD

The whole demo set for N persons (every record type, as the 1,000,000 run of issue 6 that was
OOM-killed) is imported by ``kirok import --no-progress`` into a fresh SQLite workspace, once
with the code of ``--baseline`` and once with that of ``--fixed`` (each ``git archive``d into
benchmarks/out/work and put on ``PYTHONPATH``, so that uncommitted work in the tree does not
enter the figure). While each runs, the importing process's resident size is sampled with
the number of search documents written so far (the largest ``search_document`` id, read from
the workspace's database), so that memory can be read against the indexing's progress.

A run is stopped when its resident size passes ``--limit-gib`` (the machine is shared) or its
indexing has run ``--baseline-minutes`` (``--fixed-minutes``, if given, for the fixed code); the figure is the growth of resident
size per 100,000 documents indexed (least squares over the indexing's samples after its first
``--settle`` documents, when the analysis caches have filled) and the peak, the ratio being the
fixed run's growth over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

MIB = 1 << 20


@dataclass
class Sample:
    seconds: float
    rss_mib: float
    documents: int
    load: float


@dataclass
class Run:
    code: str
    samples: list[Sample] = field(default_factory=list)
    stopped: str = ""  # why the run was ended early ("" if it finished)
    import_peak_mib: float = 0.0  # before the first document
    indexing_peak_mib: float = 0.0
    documents: int = 0
    indexing_seconds: float = 0.0
    growth_mib_per_100k: float = 0.0


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def documents(db: Path) -> int:
    """Documents written so far (ids are allocated in order): read-only, beside the writer (WAL)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COALESCE(MAX(id), 0) FROM search_document").fetchone()[0]
    except sqlite3.Error:
        return 0


def growth(samples: list[Sample], settle: int) -> float:
    """MiB of resident size per 100,000 documents: least-squares slope over the settled samples."""
    points = [(s.documents, s.rss_mib) for s in samples if s.documents > settle]
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx * 100_000 if sxx else float("nan")


def source_tree(commit: str) -> Path:
    """The code of one commit, unpacked once into benchmarks/out/work."""
    sha = subprocess.run(["git", "-C", str(common.ROOT), "rev-parse", "--short", commit], check=True, capture_output=True, text=True).stdout.strip()
    tree = common.OUT / "work" / f"indexmem-src-{sha}"
    if not (tree / "kirok").exists():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(common.ROOT), "archive", sha], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def measure(code: str, pythonpath: Path, files: list[Path], template: Path, args) -> Run:
    home = common.OUT / "work" / f"indexmem-{code}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    env = common.kirok_env(home)
    env["PYTHONPATH"] = str(pythonpath)
    cmd = [common.PYTHON, "-m", "kirok.cli", "import", "--no-progress", *map(str, files)]
    run = Run(code)
    before = documents(home / "kirok.sqlite3")  # the reference data `kirok init` indexed
    limit = args.limit_gib * 1024
    minutes = args.baseline_minutes if code == "baseline" else args.fixed_minutes
    common.log(f"{code}: {' '.join(cmd[:5])} … ({len(files)} files), KIROK_HOME={home}")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=pythonpath)
    started = time.monotonic()
    first_document = None
    try:
        while proc.poll() is None:
            time.sleep(args.every)
            try:
                rss = rss_mib(proc.pid)
            except OSError:
                break
            done = max(0, documents(home / "kirok.sqlite3") - before)
            now = time.monotonic() - started
            run.samples.append(Sample(round(now, 1), round(rss, 1), done, float(open("/proc/loadavg").read().split()[0])))
            if done and first_document is None:
                first_document = now
            if rss > limit:
                run.stopped = f"resident size {rss:,.0f} MiB passed the limit {limit:,} MiB"
            elif minutes and first_document is not None and now - first_document > minutes * 60:
                run.stopped = f"indexing ran {minutes:g} min"
            if run.stopped:
                proc.kill()
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    if proc.returncode != 0 and not run.stopped:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
        raise SystemExit(f"{code}: kirok import failed with exit code {proc.returncode}")
    indexing = [s for s in run.samples if s.documents]
    run.import_peak_mib = max((s.rss_mib for s in run.samples if not s.documents), default=0.0)
    run.indexing_peak_mib = max((s.rss_mib for s in indexing), default=0.0)
    run.documents = documents(home / "kirok.sqlite3") - before
    run.indexing_seconds = round(indexing[-1].seconds - indexing[0].seconds, 1) if len(indexing) > 1 else 0.0
    run.growth_mib_per_100k = round(growth(indexing, args.settle), 1)
    common.log(
        f"{code}: {run.documents:,} documents, import peak {run.import_peak_mib:,.0f} MiB, indexing peak "
        f"{run.indexing_peak_mib:,.0f} MiB, growth {run.growth_mib_per_100k:,.1f} MiB per 100,000 documents"
        + (f"; stopped: {run.stopped}" if run.stopped else "")
    )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", default="d5a7b1e", help="commit before the fix (default: d5a7b1e)")
    parser.add_argument("--fixed", default="HEAD", help="commit with the fix (default: HEAD)")
    parser.add_argument("--no-baseline", action="store_true", help="measure the fixed code only (a larger size)")
    parser.add_argument("--limit-gib", type=float, default=6.0, help="stop a run whose resident size passes this")
    parser.add_argument("--baseline-minutes", type=float, default=10.0, help="stop the baseline's indexing after this")
    parser.add_argument("--fixed-minutes", type=float, default=0.0, help="stop the fixed code's indexing after this (0: let it finish)")
    parser.add_argument("--settle", type=int, default=50_000, help="documents before the growth is fitted")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    args = parser.parse_args()

    common.demo_files(args.persons, args.seed)
    folder = common.OUT / f"demo-{args.persons}-seed{args.seed}"
    files = sorted(folder.glob("*.jsonl"))
    fixed = source_tree(args.fixed)
    template = common.OUT / "work" / f"indexmem-template-{fixed.name}"
    if not (template / "kirok.sqlite3").exists():
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir(parents=True)
        env = common.kirok_env(template)
        env["PYTHONPATH"] = str(fixed)
        subprocess.run([common.PYTHON, "-m", "kirok.cli", "init"], env=env, cwd=fixed, check=True, stdout=subprocess.DEVNULL)
    started = datetime.now(timezone.utc)
    runs = []
    if not args.no_baseline:
        runs.append(measure("baseline", source_tree(args.baseline), files, template, args))
    runs.append(measure("fixed", fixed, files, template, args))

    print(f"\nindexing after commit of `kirok import`, demo set of {args.persons:,} persons ({started:%Y-%m-%d %H:%M} UTC)")
    print(f"{'code':<10} {'documents':>10} {'import peak':>12} {'indexing peak':>14} {'MiB/100k docs':>14} {'docs/s':>8}  stopped")
    for r in runs:
        rate = r.documents / r.indexing_seconds if r.indexing_seconds else float("nan")
        print(f"{r.code:<10} {r.documents:>10,} {r.import_peak_mib:>10,.0f} M {r.indexing_peak_mib:>12,.0f} M "
              f"{r.growth_mib_per_100k:>14,.1f} {rate:>8,.0f}  {r.stopped or '-'}")
    if len(runs) == 2 and runs[0].growth_mib_per_100k:
        print(f"ratio of growth (fixed / baseline): {runs[1].growth_mib_per_100k / runs[0].growth_mib_per_100k:.3f}")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")
    out = common.OUT / "results" / f"indexing_memory-{args.persons}-{started:%Y%m%dT%H%M}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"persons": args.persons, "started": started.isoformat(), "runs": [asdict(r) for r in runs]}, indent=1))
    print(f"samples: {out}")


if __name__ == "__main__":
    main()
