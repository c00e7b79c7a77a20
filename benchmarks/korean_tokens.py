"""Search terms (`kirok.korean.tokens_many`) beside Kiwi's own tokenize-only, same text, same run.

    .venv/bin/python benchmarks/korean_tokens.py                 # 5,000 texts (~2.7 M characters)
    .venv/bin/python benchmarks/korean_tokens.py --texts 20000 --workers 2

The text is synthetic and fictional (made here by a tiny generator, fixed seed): testimony-like
sentences in Korean (DPRK and ROK spellings) and English, 100–1,000 characters each. Both sides
use one Kiwi each with the same number of worker threads, loaded before timing; the baseline is
``Kiwi.tokenize(texts)`` with nothing done to the result; Kirok's side folds each text (DPRK →
ROK), analyses it with the user dictionary, and keeps the folded lemmas of content morphemes.
A second baseline runs Kiwi over the folded text, since Kiwi is faster on spellings it knows.
Prints characters/s for both and the ratio (goal >= 0.5), and saves JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

GOAL = 0.5

# Fictional people and places only (syllables drawn at random); real place-type words.
_SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처고노도로모보소오조초구누두루무부수우주추"
_KO = [
    "{name}은 {year}년 {place} {facility}에 구금되었다.",
    "{name}는 로동단련대에서 {n}개월을 보냈다고 증언하였다.",
    "보위원이 {name}을 {n}일 동안 조사했다.",
    "{place} 집결소로 이송된 뒤 매일 강제로동에 동원되였다.",
    "인민보안성 소속 안전원들이 집을 수색하였다.",
    "녀성 수감자들은 교화소에서 식량을 거의 받지 못했다.",
    "국가보위성은 가족들에게 아무것도 알려주지 않았다.",
    "그는 {year}년에 중국으로 탈북했다가 강제송환되었다.",
    "노동단련대 생활은 매우 힘들었다고 말했다.",
    "량강도 {place}에서 온 사람들과 함께 있었다.",
]
_EN = [
    "The witness says {name} was held at the {place} {facility_en} in {year}.",
    "Guards beat detainees who failed to meet the daily quota.",
    "She was interrogated for {n} days before being sent to a labour training unit.",
    "Family members were not told where he had been taken.",
]
_FACILITIES = [("관리소", "political prison camp"), ("교화소", "prison"), ("집결소", "holding centre"), ("구류장", "detention centre")]


def _fictional(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n))


def make_texts(count: int, seed: int) -> list[str]:
    """``count`` texts of 100–1,000 characters, about two thirds Korean, one third English."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        target = rng.randint(100, 1000)
        parts: list[str] = []
        size = 0
        while size < target:
            facility, facility_en = rng.choice(_FACILITIES)
            slots = {"name": _fictional(rng, 3), "place": _fictional(rng, 2), "year": rng.randint(1995, 2020),
                     "n": rng.randint(2, 30), "facility": facility, "facility_en": facility_en}
            template = rng.choice(_EN) if rng.random() < 0.33 else rng.choice(_KO)
            sentence = template.format(**slots)
            parts.append(sentence)
            size += len(sentence) + 1
        texts.append(" ".join(parts)[:target])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=5000, help="number of texts (default 5,000)")
    parser.add_argument("--workers", type=int, default=2, help="Kiwi worker threads on both sides (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ["KIROK_KIWI_WORKERS"] = str(args.workers)
    from kiwipiepy import Kiwi

    from kirok.korean import morphology

    mach = common.machine()
    texts = make_texts(args.texts, args.seed)
    chars = sum(map(len, texts))
    common.log(f"{len(texts):,} texts, {chars:,} characters; loading both Kiwis ({args.workers} workers each)")
    started = time.perf_counter()
    baseline_kiwi = Kiwi(num_workers=args.workers)
    list(baseline_kiwi.tokenize(texts[:50]))
    baseline_load = time.perf_counter() - started
    started = time.perf_counter()
    list(morphology.tokens_many(texts[:50]))
    kirok_load = time.perf_counter() - started

    common.log("Kiwi tokenize-only")
    started = time.perf_counter()
    morphemes = sum(len(r) for r in baseline_kiwi.tokenize(texts))
    baseline_seconds = time.perf_counter() - started

    common.log("Kirok tokens_many")
    started = time.perf_counter()
    terms = sum(len(r) for r in morphology.tokens_many(texts))
    kirok_seconds = time.perf_counter() - started

    common.log("Kiwi tokenize-only over the folded text (what Kirok's Kiwi sees)")
    from kirok.korean import fold

    folded = [fold(t) for t in texts]
    started = time.perf_counter()
    sum(len(r) for r in baseline_kiwi.tokenize(folded))
    folded_seconds = time.perf_counter() - started

    ratio = baseline_seconds / kirok_seconds
    print()
    print(f"== Korean search terms: {len(texts):,} texts, {chars:,} characters, {args.workers} Kiwi workers ==")
    print(f"Kirok  tokens_many (fold, Kiwi + user dictionary, content lemmas): {kirok_seconds:7.2f} s  "
          f"{chars / kirok_seconds:>12,.0f} chars/s  ({terms:,} terms; model + dictionary load {kirok_load:.1f} s)")
    print(f"Kiwi   tokenize only (default dictionary, result discarded):      {baseline_seconds:7.2f} s  "
          f"{chars / baseline_seconds:>12,.0f} chars/s  ({morphemes:,} morphemes; model load {baseline_load:.1f} s)")
    print(f"Kiwi   tokenize only over the folded text (DPRK spellings made ROK): {folded_seconds:7.2f} s  "
          f"{chars / folded_seconds:>12,.0f} chars/s")
    print(f"ratio  kiwi_time / kirok_time = {ratio:.3f}   (goal >= {GOAL}: {common.verdict(ratio >= GOAL)}); "
          f"against Kiwi on the folded text {folded_seconds / kirok_seconds:.3f}")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}), memory {mach.memory}; load average before {mach.load_before}, after {mach.load_after}")
    print(f"code: {mach.commit}, Python {mach.python}")
    result = {
        "title": "korean tokens", "texts": len(texts), "characters": chars, "workers": args.workers, "seed": args.seed,
        "kirok_seconds": round(kirok_seconds, 3), "kiwi_seconds": round(baseline_seconds, 3),
        "kirok_chars_per_s": round(chars / kirok_seconds), "kiwi_chars_per_s": round(chars / baseline_seconds),
        "kiwi_folded_seconds": round(folded_seconds, 3), "kiwi_folded_chars_per_s": round(chars / folded_seconds),
        "ratio": round(ratio, 4), "goal_met": ratio >= GOAL, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": mach.__dict__,
    }
    results = common.OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"korean-tokens-{len(texts)}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"saved {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
