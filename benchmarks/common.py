"""Shared parts of the import benchmarks: the data, running Kirok as a child, the machine.

Run by hand, never in CI. Each script (``import_sqlite.py``, ``import_postgres.py``) prints its
figure beside its baseline and the ratio; see ``benchmarks/README.md`` and ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"  # git-ignored: data cache, work folders, results
BIN = Path(sys.executable).parent  # run the scripts with the project's .venv/bin/python
KIROK = str(BIN / "kirok") if (BIN / "kirok").exists() else str(ROOT / ".venv" / "bin" / "kirok")
PYTHON = sys.executable

# The files imported: persons and acts, and what they point to (places, events). The demo set
# has exactly N persons and N acts for --size N, N/3 events and a few hundred places.
TYPES = ("place", "person", "event", "act")

# Tables that hold the history, not the records: Kirok writes them, the baselines do not.
HISTORY_TABLES = ("records_version", "records_changeset")

GOAL_RATIO = 1 / 3
GOAL_RSS = 1 << 30  # 1 GiB


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def demo_files(persons: int, seed: int) -> list[Path]:
    """The JSON Lines files for N persons, made once by `kirok demo-data` and kept in OUT."""
    folder = OUT / f"demo-{persons}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        log(f"generating the demo set ({persons:,} persons, seed {seed}) into {folder} (once)")
        shutil.rmtree(folder, ignore_errors=True)
        home = OUT / "work" / "demo-home"
        home.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run(
            [KIROK, "demo-data", "--size", str(persons), "--seed", str(seed), "--output", str(folder), "--no-progress"],
            env=kirok_env(home), check=True, stdout=subprocess.DEVNULL,
        )
        done.write_text(f"{time.monotonic() - started:.1f} s\n")
    return [folder / f"{t}.jsonl" for t in TYPES]


def line_counts(paths: list[Path]) -> dict[str, int]:
    counts = {}
    for path in paths:
        n = 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                n += block.count(b"\n")
        counts[path.stem] = n
    return counts


def kirok_env(home: Path, database_url: str | None = None) -> dict:
    # The workspace and database are the benchmark's own; KIROK_IMPORT_PROCESSES=1 (decode in the
    # importing process, no fork) is passed on so both ways can be measured.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIROK_") or k == "KIROK_IMPORT_PROCESSES"}
    env["KIROK_HOME"] = str(home)
    if database_url:
        env["KIROK_DATABASE_URL"] = database_url
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run(cmd: list[str], env: dict) -> None:
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)


@dataclass
class ChildRun:
    seconds: float
    max_rss: int  # bytes
    stdout: str
    cpu_seconds: float = 0.0  # user + system time of the child (less sensitive to other load than wall time)
    peak_tree_pss: int = 0  # bytes: highest sum of PSS over the child and its own children, sampled
    peak_tree_rss: int = 0  # bytes: the same with RSS (counts pages a forked child shares twice)


def _tree(pid: int) -> list[int]:
    """The process and its descendants, from /proc (Linux)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


def _memory(pids: list[int]) -> tuple[int, int]:
    """(sum of PSS, sum of RSS) in bytes."""
    pss = rss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return pss, rss


def timed_child(cmd: list[str], env: dict) -> ChildRun:
    """Wall time and peak memory of one child process.

    ``wait4`` gives the child's own rusage: CPU time of the child and the processes it reaped,
    and the highest RSS of any one of them. Kirok may fork a second process to decode while it
    writes, so the memory of the whole process tree is also sampled twice a second (sum of PSS,
    which counts pages shared after the fork once).
    """
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes in the background so a chatty child cannot block; then reap it with wait4.
    chunks: dict[str, bytes] = {}
    peak = [0, 0]
    finished = threading.Event()

    def drain(name, pipe):
        chunks[name] = pipe.read()

    def sample():
        while not finished.wait(0.5):
            pss, rss = _memory(_tree(proc.pid))
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)

    threads = [threading.Thread(target=drain, args=(n, p)) for n, p in (("out", proc.stdout), ("err", proc.stderr))]
    sampler = threading.Thread(target=sample, daemon=True)
    for t in threads:
        t.start()
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    finished.set()
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(chunks.get("err", b"").decode(errors="replace")[-5000:])
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return ChildRun(
        seconds, usage.ru_maxrss * 1024, chunks.get("out", b"").decode(errors="replace"),
        usage.ru_utime + usage.ru_stime, peak[0], peak[1],
    )


def kirok_import_cmd(files: list[Path], profile: str | None = None) -> list[str]:
    """`kirok import --no-progress --index-later FILES`, optionally under cProfile (``PATH.prof``) or py-spy
    (``PATH.svg`` flame graph, ``PATH.json`` speedscope, ``PATH.txt`` collapsed stacks, summed up after the run).

    ``--index-later``: the import ends at its commit, as the baselines do; the search index of
    what it wrote is the search app's work (``kirok search reindex --pending``), measured by
    ``benchmarks/search_build.py``."""
    args = ["import", "--no-progress", "--index-later", *map(str, files)]
    if not profile:
        return [KIROK, *args]
    if profile.endswith(".prof"):
        return [PYTHON, "-m", "cProfile", "-o", profile, "-m", "kirok.cli", *args]
    spy = shutil.which("py-spy") or os.environ.get("PY_SPY", "py-spy")
    fmt = {".json": "speedscope", ".txt": "raw"}.get(Path(profile).suffix, "flamegraph")
    return [spy, "record", "--rate", "100", "--format", fmt, "-o", profile, "--", PYTHON, "-m", "kirok.cli", *args]


def print_profile(path: str, top: int = 35) -> None:
    if path.endswith(".txt"):
        print_collapsed(path, top)
        return
    if not path.endswith(".prof"):
        print(f"py-spy profile written to {path}")
        return
    import pstats

    stats = pstats.Stats(path)
    stats.strip_dirs()
    print("\n--- cProfile: top functions by own time ---")
    stats.sort_stats("tottime").print_stats(top)
    print("--- cProfile: top functions by cumulative time ---")
    stats.sort_stats("cumulative").print_stats(top)


def print_collapsed(path: str, top: int = 35) -> None:
    """Own and total share of the samples per function, from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        samples += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")" if " (" in f else f
                  for f in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            total[f] = total.get(f, 0) + n
    print(f"\n--- py-spy: {samples:,} samples; top functions by own time ---")
    for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{100 * n / samples:6.1f} %  {name}")
    print("--- py-spy: top functions by total time (with callees) ---")
    for name, n in sorted(total.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{100 * n / samples:6.1f} %  {name}")


@dataclass
class Machine:
    nproc: int
    cpu: str
    memory: str
    load_before: str
    load_after: str = ""
    python: str = field(default_factory=platform.python_version)
    commit: str = field(default_factory=lambda: git_commit())
    platform: str = field(default_factory=platform.platform)
    extra: dict = field(default_factory=dict)


def machine() -> Machine:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1]
        mem = " ".join(mem.split()[1:3])  # total, used
        mem = "total {} (used {} at start)".format(*mem.split())
    except Exception:
        mem = "?"
    return Machine(os.cpu_count() or 0, cpu, mem, load())


def git_commit() -> str:
    """The commit the measured code is at, with ``+changes`` when kirok/ differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "kirok"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except OSError:
        return "?"


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds else "-"


def save_result(name: str, result: dict) -> Path:
    """Write a benchmark's result as JSON in OUT/results/<name>.json (the folder made if needed)."""
    results = OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report(
    *, title: str, persons: int, files: dict[str, int], kirok: ChildRun, kirok_rows: dict[str, int],
    history_rows: dict[str, int], baseline_name: str, baseline_seconds: float, baseline_parts: dict[str, float],
    mach: Machine, command: str, extra: dict | None = None, baseline_cpu: float | None = None,
) -> dict:
    """Print the figure, its baseline and the ratio; save them as JSON in OUT/results."""
    domain = sum(kirok_rows.values())
    ratio = baseline_seconds / kirok.seconds
    records = sum(files.values())
    print()
    print(f"== {title}: {persons:,} persons with names + {files.get('act', 0):,} acts ==")
    print("input files (records): " + ", ".join(f"{k} {v:,}" for k, v in files.items()) + f"  = {records:,}")
    print("domain rows written (both sides): " + ", ".join(f"{k} {v:,}" for k, v in kirok_rows.items()) + f"  = {domain:,}")
    print("history rows written by Kirok only: " + ", ".join(f"{k} {v:,}" for k, v in history_rows.items()) + f"  = {sum(history_rows.values()):,}")
    print()
    print(f"Kirok  `kirok import` (read, validate, normalize, resolve, write + versions): {kirok.seconds:8.1f} s  "
          f"{rate(domain, kirok.seconds):>16}  ({records / kirok.seconds:,.0f} records/s)")
    print(f"Raw    {baseline_name} of the same domain rows:{'':>{max(0, 25 - len(baseline_name))}} {baseline_seconds:8.1f} s  "
          f"{rate(domain, baseline_seconds):>16}")
    for table, seconds in baseline_parts.items():
        print(f"         {table:<40} {seconds:8.2f} s")
    print()
    print(f"ratio  raw_time / kirok_time = {ratio:.3f}   (goal >= {GOAL_RATIO:.3f}: {verdict(ratio >= GOAL_RATIO)})")
    if baseline_cpu is not None:
        print(f"       on CPU time (user+sys): raw {baseline_cpu:.1f} s / Kirok {kirok.cpu_seconds:.1f} s = "
              f"{baseline_cpu / kirok.cpu_seconds:.3f}   (Kirok: all its processes; steadier than wall time on a busy machine)")
    else:
        print(f"       Kirok process CPU time (user+sys): {kirok.cpu_seconds:.1f} s (the server's CPU is not counted)")
    peak = max(kirok.max_rss, kirok.peak_tree_pss)
    print(f"peak   Kirok memory          = {mib(peak)}   (goal < 1024 MiB: {verdict(peak < GOAL_RSS)}); "
          f"max RSS of one process {mib(kirok.max_rss)}, all its processes together {mib(kirok.peak_tree_pss)} PSS "
          f"({mib(kirok.peak_tree_rss)} RSS)")
    mach.load_after = load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}), memory {mach.memory}; load average before {mach.load_before}, after {mach.load_after}")
    print(f"code: {mach.commit}, Python {mach.python}"
          + (f", KIROK_IMPORT_PROCESSES={os.environ['KIROK_IMPORT_PROCESSES']}" if os.environ.get("KIROK_IMPORT_PROCESSES") else "")
          + (f", PYTHONPATH={os.environ['PYTHONPATH']} (not the repository's code)" if os.environ.get("PYTHONPATH") else ""))
    result = {
        "title": title, "persons": persons, "files": files, "kirok_seconds": round(kirok.seconds, 2),
        "kirok_max_rss": kirok.max_rss, "kirok_peak_tree_pss": kirok.peak_tree_pss,
        "kirok_peak_tree_rss": kirok.peak_tree_rss, "domain_rows": kirok_rows, "history_rows": history_rows,
        "baseline": baseline_name, "baseline_seconds": round(baseline_seconds, 2),
        "baseline_parts": {k: round(v, 3) for k, v in baseline_parts.items()}, "ratio": round(ratio, 4),
        "kirok_cpu_seconds": round(kirok.cpu_seconds, 2),
        "baseline_cpu_seconds": None if baseline_cpu is None else round(baseline_cpu, 2),
        "cpu_ratio": None if baseline_cpu is None else round(baseline_cpu / kirok.cpu_seconds, 4),
        "ratio_goal_met": ratio >= GOAL_RATIO, "rss_goal_met": max(kirok.max_rss, kirok.peak_tree_pss) < GOAL_RSS,
        "command": command, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": asdict(mach), "kirok_import_processes": os.environ.get("KIROK_IMPORT_PROCESSES", ""),
        "pythonpath": os.environ.get("PYTHONPATH", ""),
        **(extra or {}),
    }
    path = save_result(f"{title.lower().replace(' ', '-')}-{persons}-{datetime.now():%Y%m%d-%H%M%S}", result)
    print(f"saved {path.relative_to(ROOT)}")
    return result
