"""Reading N persons with their protected names decrypted, beside the same read with protection off.

    .venv/bin/python benchmarks/protection_read.py                  # N = 100,000
    .venv/bin/python benchmarks/protection_read.py --persons 20000  # a quick run

What it does, in one run, side by side:

1. makes the demo set once (``kirok demo-data --size N --output benchmarks/out/demo-N-seedS``) and
   imports its place and person files into two workspaces: **protected** (as shipped: every name
   and birth date sealed) and **plain** (the same files imported with the person fields taken out
   of the protection policy, so names sit in their columns as plaintext);
2. in a fresh process per measurement, times ``kirok.records.services.read_records("person")`` to
   the end — the service every page, the API and the CLI read persons through: the query, the
   names prefetched, the exchange form, and (protected side) opening every sealed name and birth
   date with AES-GCM and writing the read audit — for the console operator, who may see them;
3. alternates protected, plain, protected, plain, … and prints the best and median of each, and
   the ratio protected / plain (goal ≤ 1.5).

Results are saved as JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import protection_common  # noqa: E402

GOAL = 1.5

# Run in a child process with KIROK_HOME set. "plain" drops the person paths from the policy
# before anything is imported, which is what "protection off" means for these fields.
CHILD = r"""
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
mode, action = sys.argv[1], sys.argv[2]
django.setup()
if mode == "plain":
    import kirok.protection.policy as policy
    doc = dict(policy.shipped())
    doc["protected"] = {t: v for t, v in doc["protected"].items() if t != "person"}
    doc["blind_index"] = {}
    policy.shipped = lambda: doc
if action == "import":
    from django.core.management import call_command
    call_command("import", *sys.argv[3:], no_progress=True)
    sys.exit(0)
from kirok.protection.principal import Principal
from kirok.records.services import read_records
principal = Principal.console("benchmark")
started = time.perf_counter(); cpu = time.process_time()
n = readable = 0
for data in read_records("person", user=principal, purpose="benchmark"):
    n += 1
    first = (data.get("names") or [{}])[0].get("full_name")
    readable += isinstance(first, str) and not first.startswith("\u25cf")
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "persons": n, "readable": readable}))
"""


def child(mode: str, home: Path, action: str, *files: Path) -> str:
    result = subprocess.run([common.PYTHON, "-c", CHILD, mode, action, *map(str, files)], env=common.kirok_env(home), capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"the {mode} {action} failed")
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each side (alternating)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    mach = common.machine()
    files = [f for f in common.demo_files(args.persons, args.seed) if f.stem in ("place", "person")]
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"protection-read-{args.persons}-", dir=common.OUT / "work"))
    try:
        homes = {"protected": work / "protected", "plain": work / "plain"}
        for mode, home in homes.items():
            common.log(f"{mode}: kirok init and import of {', '.join(f.name for f in files)}")
            common.run([common.KIROK, "init"], common.kirok_env(home))
            child(mode, home, "import", *files)
        runs: dict[str, list[dict]] = {"protected": [], "plain": []}
        for i in range(args.repeat):
            for mode in ("protected", "plain"):
                common.log(f"read {i + 1}/{args.repeat}: {mode} (load average {common.load()})")
                runs[mode].append(json.loads(child(mode, homes[mode], "read").strip().splitlines()[-1]))
        for mode, measured in runs.items():
            assert all(m["persons"] == m["readable"] == args.persons for m in measured), (mode, measured)
        best = {mode: min(m["seconds"] for m in measured) for mode, measured in runs.items()}
        median = {mode: statistics.median(m["seconds"] for m in measured) for mode, measured in runs.items()}
        cpu = {mode: min(m["cpu"] for m in measured) for mode, measured in runs.items()}
        ratio, ratio_median, ratio_cpu = best["protected"] / best["plain"], median["protected"] / median["plain"], cpu["protected"] / cpu["plain"]
        print()
        print(f"== Read of {args.persons:,} persons with their names (read_records, console operator) ==")
        for mode in ("protected", "plain"):
            times = ", ".join(f"{m['seconds']:.2f}" for m in runs[mode])
            print(f"{mode:<9}  best {best[mode]:6.2f} s  median {median[mode]:6.2f} s  CPU {cpu[mode]:6.2f} s  "
                  f"({args.persons / best[mode]:,.0f} persons/s; runs: {times})")
        print()
        print(f"ratio  protected / plain = {ratio:.3f} best, {ratio_median:.3f} median, {ratio_cpu:.3f} CPU   "
              f"(goal <= {GOAL}: {common.verdict(ratio <= GOAL)})")
        protection_common.save(f"protection-read-{args.persons}", {
            "title": "protection read", "persons": args.persons, "runs": runs, "best": best, "median": median, "cpu": cpu,
            "ratio": round(ratio, 4), "ratio_median": round(ratio_median, 4), "ratio_cpu": round(ratio_cpu, 4), "goal_met": ratio <= GOAL,
        }, f".venv/bin/python benchmarks/protection_read.py --persons {args.persons}", mach)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
