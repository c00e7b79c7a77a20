"""Bundle export and verify of 1,000 evidence items totalling 2 GiB, beside `openssl dgst -sha256`.

    .venv/bin/python benchmarks/bundle_export_verify.py                     # 1,000 items, 2 GiB, 3 rounds
    .venv/bin/python benchmarks/bundle_export_verify.py --items 100 --mib 256 --rounds 1   # quick

What it does, in one run:

1. in a temporary folder outside the repository (removed at the end, also on failure): makes
   ITEMS files of random bytes, of varied sizes (seeded) that add up to exactly MIB MiB; a fresh
   workspace (`kirok init`); takes the files into its vault in one `kirok evidence add` (not timed);
   reads every file once so that every side reads from the page cache;
2. in rounds (A B C A B C …, so a burst of load on the shared machine hits every side alike):
   * **baseline**: the wall time of `openssl dgst -sha256 FILE…` over the same files (one child);
   * **export**: `kirok bundle export --all --scope internal` (a child: Django start-up, the gate,
     streaming the 2 GiB into the bag with SHA-256 and SHA-512, a custody event and its ledger
     entry per item, a signed checkpoint, the JSON, proofs and manifests, the disclosure);
   * **verify**: `kirok bundle verify` of that bag (both manifests over all files, every custody
     digest and proof, the checkpoint), and the same check by the stand-alone `verifier.py`
     (`python verifier.py bundle DIR`, no Kirok, no Django) for reference;
   for reference too, `openssl dgst -sha512` of the files (a bag needs both digests).
3. prints every round, the medians and the ratios export / openssl and verify / openssl, with
   the load average, and saves them as JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

VERIFIER = common.ROOT / "kirok" / "ledger" / "verifier.py"


def sizes(items: int, total: int, seed: int) -> list[int]:
    """Varied sizes (log-normal, as real evidence is: many small files, a few large) adding up to
    exactly ``total`` bytes."""
    rng = random.Random(seed)
    raw = [rng.lognormvariate(0, 1.2) for _ in range(items)]
    scale = total / sum(raw)
    out = [max(1, int(r * scale)) for r in raw]
    out[out.index(max(out))] += total - sum(out)
    return out


def make_files(folder: Path, items: int, total: int, seed: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for n, size in enumerate(sizes(items, total, seed)):
        path = folder / f"item-{n:05d}.bin"
        with open(path, "wb") as f:
            left = size
            while left:
                chunk = min(left, 8 << 20)
                f.write(os.urandom(chunk))
                left -= chunk
        paths.append(path)
    return paths


def warm(paths: list[Path]) -> None:
    buffer = bytearray(8 << 20)
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buffer):
                pass


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child and its threads, its output): on a machine shared
    with other work the CPU time is the steadier figure."""
    ran = common.timed_child(cmd, env or dict(os.environ))
    return ran.seconds, ran.cpu_seconds, ran.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--mib", type=int, default=2048, help="total size in MiB (default 2048 = 2 GiB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    mach = common.machine()
    root = Path(tempfile.mkdtemp(prefix="kirok-bundle-bench-"))  # the system's temp folder, outside the repository
    rounds = []
    try:
        common.log(f"writing {args.items} files, {args.mib} MiB of random bytes, into {root}")
        paths = make_files(root / "files", args.items, args.mib << 20, args.seed)
        home = root / "home"
        env = common.kirok_env(home)
        common.run([common.KIROK, "init"], env)
        common.log("kirok evidence add (not timed)")
        common.run([common.KIROK, "evidence", "add", "--no-progress", *map(str, paths)], env)
        warm(paths)
        for n in range(1, args.rounds + 1):
            bag = root / f"bundle-{n}"
            common.log(f"round {n}: openssl -sha256, export, verify, verifier.py, openssl -sha512 (load {common.load()})")
            openssl, openssl_cpu, out = timed(["openssl", "dgst", "-sha256", "-r", *map(str, paths)])
            export, export_cpu, _ = timed([common.KIROK, "bundle", "export", "--output", str(bag), "--all", "--scope", "internal",
                                           "--purpose", "benchmark", "--no-progress"], env)
            verify, verify_cpu, _ = timed([common.KIROK, "bundle", "verify", str(bag), "--no-progress"], env)
            standalone, standalone_cpu, _ = timed([common.PYTHON, str(VERIFIER), "bundle", str(bag)])
            openssl512, openssl512_cpu, _ = timed(["openssl", "dgst", "-sha512", "-r", *map(str, paths)])
            manifest = (bag / "manifest-sha256.txt").read_text()
            missing = [line.split()[0] for line in out.splitlines() if line.split()[0] not in manifest]
            assert not missing, f"{len(missing)} files' SHA-256 are not in the bag's manifest"
            payload = sum(p.stat().st_size for p in (bag / "data").rglob("*") if p.is_file())
            rounds.append({"openssl_sha256": openssl, "export": export, "verify": verify, "verifier_py": standalone,
                           "openssl_sha512": openssl512, "openssl_sha256_cpu": openssl_cpu, "export_cpu": export_cpu,
                           "verify_cpu": verify_cpu, "verifier_py_cpu": standalone_cpu, "openssl_sha512_cpu": openssl512_cpu,
                           "payload_bytes": payload, "load": common.load()})
            print(f"round {n} (wall / CPU): openssl -sha256 {openssl:.2f} / {openssl_cpu:.2f} s | "
                  f"export {export:.2f} / {export_cpu:.2f} s | verify {verify:.2f} / {verify_cpu:.2f} s | "
                  f"verifier.py {standalone:.2f} / {standalone_cpu:.2f} s | openssl -sha512 {openssl512:.2f} / "
                  f"{openssl512_cpu:.2f} s | load {common.load()}", flush=True)
            shutil.rmtree(bag)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    keys = ("openssl_sha256", "export", "verify", "verifier_py", "openssl_sha512")
    median = {k: statistics.median(r[k] for r in rounds) for k in [*keys, *(f"{k}_cpu" for k in keys)]}
    print(f"\nBundle of {args.items:,} items, {args.mib:,} MiB (payload with JSON: {rounds[-1]['payload_bytes']:,} bytes), "
          f"median of {len(rounds)} rounds, wall time and CPU time (ratios to openssl -sha256):")
    names = {"openssl_sha256": "openssl dgst -sha256 (baseline)", "export": "kirok bundle export",
             "verify": "kirok bundle verify", "verifier_py": "python verifier.py bundle", "openssl_sha512": "openssl dgst -sha512"}
    for key, name in names.items():
        wall, cpu = median[key], median[f"{key}_cpu"]
        print(f"  {name:<34} {wall:7.2f} s (×{wall / median['openssl_sha256']:.2f})   CPU {cpu:7.2f} s "
              f"(×{cpu / median['openssl_sha256_cpu']:.2f})")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}), memory {mach.memory}; load average before {mach.load_before}, "
          f"after {mach.load_after}; code {mach.commit}")
    result = {
        "title": "bundle export and verify", "items": args.items, "mib": args.mib, "rounds": rounds, "median": median,
        "export_ratio": round(median["export"] / median["openssl_sha256"], 3),
        "verify_ratio": round(median["verify"] / median["openssl_sha256"], 3),
        "export_cpu_ratio": round(median["export_cpu"] / median["openssl_sha256_cpu"], 3),
        "verify_cpu_ratio": round(median["verify_cpu"] / median["openssl_sha256_cpu"], 3),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": mach.__dict__,
        "command": f".venv/bin/python benchmarks/bundle_export_verify.py --items {args.items} --mib {args.mib} --rounds {args.rounds}",
    }
    results = common.OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"bundle-export-verify-{args.items}-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved {target.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
