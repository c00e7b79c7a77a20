"""Vault intake of a 1 GiB file (SHA-256 + SHA-512 + atomic store) beside `openssl dgst -sha256`.

    .venv/bin/python benchmarks/vault_intake.py               # 1 GiB, 3 rounds
    .venv/bin/python benchmarks/vault_intake.py --mib 256     # a quick run

What it does, in one run, side by side, in rounds (A B A B …, so a burst of load on the shared
machine hits both sides alike):

1. makes a file of random bytes once (``benchmarks/out/vault-<N>MiB.bin``) and reads it once
   before timing, so every side reads it from the page cache;
2. **baseline**: the wall time of ``openssl dgst -sha256 FILE`` (a child process);
3. **Kirok intake**: ``LocalStorage(...).put(file)`` in this process — one read, SHA-256 and
   SHA-512, the write to a temporary file in the vault folder, fsync, read-only, link under the
   SHA-256 name, fsync of the folder; the stored blob is removed after each round;
4. for reference, not the figure: Kirok hashing only (both digests, no write), ``openssl dgst
   -sha512`` (SHA-512 alone) and coreutils ``sha256sum``;
5. once, end to end: ``kirok evidence add FILE`` in a fresh workspace (Python and Django start-up,
   the intake, reading metadata, the register row, the custody event and its ledger entry).

It prints every round, the medians and the ratio kirok / openssl (goal ≤ 2), and saves them as
JSON in benchmarks/out/results/. The digests of every side are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common  # noqa: E402

from kirok.evidence.storage import LocalStorage, pipeline  # noqa: E402

GOAL = 2.0


def data_file(mib: int) -> Path:
    path = common.OUT / f"vault-{mib}MiB.bin"
    if not path.exists() or path.stat().st_size != mib << 20:
        common.log(f"writing {mib} MiB of random bytes to {path} (once)")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".part"), "wb") as f:
            for _ in range(mib):
                f.write(os.urandom(1 << 20))
        path.with_suffix(".part").rename(path)
    return path


def warm(path: Path) -> None:
    with open(path, "rb", buffering=0) as f:
        buffer = bytearray(8 << 20)
        while f.readinto(buffer):
            pass


def timed_command(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - started, out


def kirok_put(path: Path, vault: LocalStorage) -> tuple[float, float, str, str]:
    cpu = time.process_time()
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        blob = vault.put(f)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    stored = vault.path(blob.sha256)
    os.chmod(stored, 0o644)
    stored.unlink()
    return seconds, cpu, blob.sha256, blob.sha512


def kirok_hash(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        blob = pipeline.run(f)
    return time.perf_counter() - started, blob.sha256


def kirok_cli(path: Path, work: Path) -> tuple[float, str]:
    home = work / "home"
    env = common.kirok_env(home)
    common.run([common.KIROK, "init"], env)
    started = time.perf_counter()
    out = subprocess.run([common.KIROK, "evidence", "add", "--no-progress", str(path)], env=env, check=True,
                         capture_output=True, text=True).stdout
    seconds = time.perf_counter() - started
    return seconds, out.split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB (default 1024 = 1 GiB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end `kirok evidence add`")
    args = parser.parse_args()

    mach = common.machine()
    path = data_file(args.mib)
    warm(path)
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="vault-", dir=common.OUT / "work"))
    vault = LocalStorage(work / "blobs")
    rounds = []
    try:
        for n in range(1, args.rounds + 1):
            common.log(f"round {n}: openssl sha256, Kirok intake, Kirok hashing only, openssl sha512, sha256sum (load {common.load()})")
            openssl, out = timed_command(["openssl", "dgst", "-sha256", "-r", str(path)])
            openssl_sha = out.split()[0]
            put, put_cpu, sha256, sha512 = kirok_put(path, vault)
            hashing, hashed = kirok_hash(path)
            openssl512, out512 = timed_command(["openssl", "dgst", "-sha512", "-r", str(path)])
            sha256sum, out_sum = timed_command(["sha256sum", str(path)])
            assert sha256 == openssl_sha == hashed == out_sum.split()[0], "the digests differ"
            assert sha512 == out512.split()[0], "the SHA-512 digests differ"
            rounds.append({"openssl_sha256": openssl, "kirok_intake": put, "kirok_intake_cpu": put_cpu,
                           "kirok_hash_only": hashing, "openssl_sha512": openssl512, "sha256sum": sha256sum})
            print(f"round {n}: openssl -sha256 {openssl:.2f} s | Kirok intake {put:.2f} s (CPU {put_cpu:.2f} s) "
                  f"ratio {put / openssl:.2f} | Kirok hashing only {hashing:.2f} s | openssl -sha512 {openssl512:.2f} s "
                  f"| sha256sum {sha256sum:.2f} s")
        cli = None
        if not args.no_cli:
            common.log("end to end: kirok init, then kirok evidence add (timed)")
            cli, cli_sha = kirok_cli(path, work)
            assert cli_sha == sha256, "kirok evidence add printed another SHA-256"
    finally:
        shutil.rmtree(work, ignore_errors=True)

    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ratio = median["kirok_intake"] / median["openssl_sha256"]
    print(f"\nVault intake of {args.mib} MiB, median of {len(rounds)} rounds:")
    print(f"  openssl dgst -sha256      {median['openssl_sha256']:6.2f} s   (baseline)")
    print(f"  Kirok intake              {median['kirok_intake']:6.2f} s   ratio {ratio:.2f} (goal ≤ {GOAL:.0f}: {common.verdict(ratio <= GOAL)})")
    print(f"  Kirok hashing only        {median['kirok_hash_only']:6.2f} s   (SHA-256 + SHA-512, no write)")
    print(f"  openssl dgst -sha512      {median['openssl_sha512']:6.2f} s   (SHA-512 alone: {median['openssl_sha512'] / median['openssl_sha256']:.2f}× openssl sha256)")
    print(f"  sha256sum                 {median['sha256sum']:6.2f} s")
    if cli is not None:
        print(f"  kirok evidence add (CLI)  {cli:6.2f} s   end to end, once (ratio {cli / median['openssl_sha256']:.2f})")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}), memory {mach.memory}; load average before {mach.load_before}, after {mach.load_after}")
    print(f"code: {mach.commit}, Python {mach.python}; chunk {pipeline.CHUNK_SIZE >> 20} MiB × {pipeline.BUFFERS} buffers")
    result = {
        "title": "vault intake", "mib": args.mib, "rounds": rounds, "median": median, "ratio": round(ratio, 3),
        "goal_met": ratio <= GOAL, "cli_seconds": cli, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": mach.__dict__, "command": f".venv/bin/python benchmarks/vault_intake.py --mib {args.mib} --rounds {args.rounds}",
    }
    results = common.OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"vault-intake-{args.mib}-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved {target.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
