"""What the protection benchmarks share: saving a figure's result beside the others."""

from __future__ import annotations

from datetime import datetime, timezone

import common


def save(name: str, result: dict, command: str, mach: common.Machine) -> None:
    """Write the result as JSON in benchmarks/out/results/ with the command, date and machine."""
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}), memory {mach.memory}; load average before {mach.load_before}, after {mach.load_after}")
    print(f"code: {mach.commit}, Python {mach.python}")
    result = {**result, "command": command, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": mach.__dict__}
    path = common.save_result(f"{name}-{datetime.now():%Y%m%d-%H%M%S}", result)
    print(f"saved {path.relative_to(common.ROOT)}")
