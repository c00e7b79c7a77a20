"""Purge of one witness across 10,000 linked records, beside raw sqlite3 updates of the same rows,
and a scan of the raw files for what should be gone.

    .venv/bin/python benchmarks/protection_purge.py                 # 10,000 linked records
    .venv/bin/python benchmarks/protection_purge.py --linked 2000   # a quick run

What it does, in one run:

1. writes a synthetic, fictional collection: one testimony (transcript) by one witness (three
   names, a birth date), ``--linked`` information records citing it (each with its own passage),
   100 events they are about, and a second testimony with as many information records of its own
   (the control: it must survive); imports it into a fresh workspace (``kirok init``), and takes a
   photo into the vault for each testimony (``kirok evidence add --source``: EXIF with a serial
   number, sealed in the register);
2. reads from the database file (plain sqlite3, as a thief would) every ciphertext the purge must
   destroy — in live rows and in every history version — and the witness's blind-index tokens,
   and copies the file for the baseline;
3. **Kirok**: times ``kirok consent withdraw`` (the whole process; a do-nothing ``kirok consent
   show`` in the same run gives the start-up time to subtract);
4. **raw**: on the copy, sqlite3 does the least a purge must: the same rows' JSON rewritten
   without ciphertexts, the tokens deleted, one transaction, a WAL checkpoint;
5. scans the database file and its WAL byte by byte for every doomed ciphertext and token (must
   be none) and for the control's ciphertexts (must all be there), and the blob folder for the
   withdrawn testimony's photo (must be gone, its bytes nowhere) and the control's (must be there).

Prints both times and the ratio raw / Kirok; saves JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import protection_common  # noqa: E402

DB = "kirok.sqlite3"
MARK = "[FICTIONAL BENCHMARK]"


def write_collection(folder: Path, linked: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    def jsonl(name: str, rows) -> None:
        with open(folder / name, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")

    jsonl("source.jsonl", [
        {"external_id": "bench:s1", "title": f"{MARK} interview 1", "kind": "testimony", "witness": "bench:w",
         "transcript": f"{MARK} 증언 전문 " * 40, "consents": [{"scopes": ["internal", "un"]}]},
        {"external_id": "bench:s2", "title": f"{MARK} interview 2", "kind": "testimony",
         "transcript": f"{MARK} 다른 증언 " * 40, "consents": [{"scopes": ["internal"]}]},
    ])
    jsonl("person.jsonl", [
        {"external_id": "bench:w", "source": "bench:s1", "birth_date": "1961-04-05", "remarks": MARK,
         "names": ["리순희", {"full_name": "Ri Sun Hui", "romanization": "dprk"}, {"full_name": "Lee Soon-hee", "romanization": "other"}]},
    ])
    jsonl("event.jsonl", [{"external_id": f"bench:e{i}", "title": f"{MARK} event {i}"} for i in range(100)])
    jsonl("information.jsonl", [
        {"external_id": f"bench:{s}:i{i}", "source": f"bench:{s}", "event": f"bench:e{i % 100}", "connection": "witness",
         "excerpt": f"{MARK} {s} passage {i}: 보위원이 그날 밤 {i}번째로 찾아왔다."}
        for s in ("s1", "s2") for i in range(linked)
    ])


def ciphertexts(value) -> list[str]:
    if isinstance(value, dict):
        if "$protected" in value:
            return [value["$protected"]["ct"]] if "ct" in value["$protected"] else []
        return [c for v in value.values() for c in ciphertexts(v)]
    if isinstance(value, list):
        return [c for v in value for c in ciphertexts(v)]
    return []


def strip(value):
    if isinstance(value, dict):
        if "$protected" in value:
            return {"$protected": {"commit": value["$protected"]["commit"]}}
        return {k: strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def write_photo(path: Path, serial: str, colour: tuple) -> None:
    """A fictional JPEG whose EXIF holds a camera serial number (sealed at intake)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = f"{MARK} {serial}"
    Image.new("RGB", (64, 48), colour).save(path, format="JPEG", exif=exif)


def item_metadata(db: sqlite3.Connection, external_id: str) -> tuple[str, str]:
    """(SHA-256, metadata ciphertext) of the photo of a testimony."""
    sha, metadata = db.execute(
        "SELECT i.sha256, i.metadata FROM evidence_item i JOIN records_source s ON s.id = i.source_id WHERE s.external_id = ?",
        [external_id]).fetchone()
    return sha, json.loads(metadata)["$protected"]["ct"]


def doomed_rows(db: sqlite3.Connection) -> dict:
    """What a purge of bench:s1 must touch, read straight from the file."""
    s1 = db.execute("SELECT id, uid FROM records_source WHERE external_id = 'bench:s1'").fetchone()
    w = db.execute("SELECT id, uid FROM records_person WHERE external_id = 'bench:w'").fetchone()
    info = db.execute("SELECT id, uid, sealed FROM records_information WHERE source_id = ?", [s1[0]]).fetchall()
    uids = {s1[1], w[1], *(u for _, u, _ in info)}
    versions = [(pk, json.loads(data)) for pk, uid, data in db.execute("SELECT id, record_uid, data FROM records_version") if uid in uids]
    control = [json.loads(d) for uid, d in db.execute("SELECT record_uid, data FROM records_version") if uid not in uids]
    tokens = [t for (t,) in db.execute("SELECT token FROM protection_blindtoken WHERE record_type = 'person' AND record_id = ?", [w[0]])]
    live = {
        "records_source": db.execute("SELECT id, sealed FROM records_source WHERE id = ?", [s1[0]]).fetchall(),
        "records_person": db.execute("SELECT id, sealed FROM records_person WHERE id = ?", [w[0]]).fetchall(),
        "records_personname": db.execute("SELECT id, sealed FROM records_personname WHERE person_id = ?", [w[0]]).fetchall(),
        "records_information": [(pk, sealed) for pk, _, sealed in info],
    }
    doomed = [c for _, data in versions for c in ciphertexts(data)]
    doomed += [c for rows in live.values() for _, sealed in rows for c in ciphertexts({k: {"$protected": v} for k, v in json.loads(sealed).items()})]
    return {"versions": versions, "live": live, "tokens": tokens, "doomed": sorted(set(doomed)),
            "control": sorted({c for data in control for c in ciphertexts(data)}), "witness_id": w[0]}


def raw_purge(path: Path, rows: dict) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;")
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.executemany("UPDATE records_version SET data = ? WHERE id = ?", [(json.dumps(strip(d), ensure_ascii=False), pk) for pk, d in rows["versions"]])
    for table, live in rows["live"].items():
        db.executemany(f'UPDATE "{table}" SET sealed = ? WHERE id = ?',
                       [(json.dumps({k: {"commit": v["commit"]} for k, v in json.loads(s).items()}), pk) for pk, s in live])
    db.execute("DELETE FROM protection_blindtoken WHERE record_type = 'person' AND record_id = ?", [rows["witness_id"]])
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def scan(home: Path, needles: list[str]) -> list[str]:
    data = b"".join(p.read_bytes() for p in (home / DB, home / f"{DB}-wal") if p.exists())
    return [n for n in needles if n.encode() in data]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--linked", type=int, default=10_000, help="information records citing the withdrawn testimony")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    mach = common.machine()
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"protection-purge-{args.linked}-", dir=common.OUT / "work"))
    try:
        home, files = work / "workspace", work / "files"
        write_collection(files, args.linked)
        env = common.kirok_env(home)
        common.log("kirok init and import")
        common.run([common.KIROK, "init"], env)
        common.run([common.KIROK, "import", "--no-progress", *map(str, sorted(files.glob("*.jsonl")))], env)
        photos = {}
        for source, colour in (("bench:s1", (200, 30, 30)), ("bench:s2", (30, 200, 30))):
            photos[source] = files / f"{source.replace(':', '-')}.jpg"
            write_photo(photos[source], f"SERIAL-{source}", colour)
            common.run([common.KIROK, "evidence", "add", str(photos[source]), "--source", source, "--reason", MARK], env)
        with sqlite3.connect(home / DB) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rows = doomed_rows(db)
            (gone_sha, gone_ct), (kept_sha, kept_ct) = item_metadata(db, "bench:s1"), item_metadata(db, "bench:s2")
            rows["doomed"].append(gone_ct)
            rows["control"].append(kept_ct)
        raw_copy = work / "raw.sqlite3"
        shutil.copyfile(home / DB, raw_copy)
        found_before = len(scan(home, rows["doomed"]))
        assert rows["doomed"] and found_before == len(rows["doomed"]), "the ciphertexts should be in the file before the purge"
        common.log(f"{len(rows['doomed']):,} ciphertexts and {len(rows['tokens'])} tokens to destroy; {found_before:,} in the file now")

        startup = common.timed_child([common.KIROK, "consent", "show", "bench:s2"], env).seconds
        common.log(f"Kirok: kirok consent withdraw bench:s1 (load average {common.load()})")
        run = common.timed_child([common.KIROK, "consent", "withdraw", "bench:s1", "--reason", "benchmark: the witness withdrew"], env)
        leftover = scan(home, rows["doomed"] + rows["tokens"])
        control_missing = len(rows["control"]) - len(scan(home, rows["control"]))
        blobs = sorted(p.name for p in (home / "blobs").rglob("*") if p.is_file())
        vault_bytes = b"".join(p.read_bytes() for p in (home / "blobs").rglob("*") if p.is_file())
        photo_left = gone_sha in blobs or photos["bench:s1"].read_bytes()[-512:] in vault_bytes
        control_photo = kept_sha in blobs
        common.log("raw: the same rows rewritten with sqlite3")
        raw_seconds = raw_purge(raw_copy, rows)

        work_seconds = max(run.seconds - startup, 1e-9)
        print()
        print(f"== Purge of one witness across {args.linked:,} linked records ==")
        print(f"destroyed: {len(rows['doomed']):,} ciphertexts ({found_before:,} found in the file before), "
              f"{len(rows['tokens'])} blind-index tokens, in {len(rows['versions']):,} versions and "
              f"{sum(len(v) for v in rows['live'].values()):,} live rows")
        print(f"Kirok  `kirok consent withdraw`: {run.seconds:8.2f} s whole process, {work_seconds:8.2f} s without start-up "
              f"({startup:.2f} s, `kirok consent show`)")
        print(f"Raw    sqlite3 rewrite of the same rows + checkpoint: {raw_seconds:8.2f} s")
        print(f"ratio  raw_time / kirok_time (without start-up) = {raw_seconds / work_seconds:.3f}")
        print(f"scan   doomed ciphertexts and tokens left in {DB} + WAL: {len(leftover)} (must be 0: {common.verdict(not leftover)}); "
              f"control ciphertexts missing: {control_missing} (must be 0: {common.verdict(control_missing == 0)}); "
              f"files in the blob folder: {len(blobs)}")
        print(f"vault  withdrawn photo left (by name or bytes): {photo_left} (must be False: {common.verdict(not photo_left)}); "
              f"control photo kept: {control_photo} (must be True: {common.verdict(control_photo)})")
        protection_common.save(f"protection-purge-{args.linked}", {
            "title": "protection purge", "linked": args.linked, "doomed_ciphertexts": len(rows["doomed"]),
            "found_before": found_before, "tokens": len(rows["tokens"]), "kirok_seconds": round(run.seconds, 3),
            "startup_seconds": round(startup, 3), "raw_seconds": round(raw_seconds, 3),
            "ratio": round(raw_seconds / work_seconds, 4), "leftover": len(leftover), "control_missing": control_missing,
            "blob_files": len(blobs), "photo_left": photo_left, "control_photo_kept": control_photo,
        }, f".venv/bin/python benchmarks/protection_purge.py --linked {args.linked}", mach)
        if leftover or control_missing or photo_left or not control_photo:
            raise SystemExit("the scan failed")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
