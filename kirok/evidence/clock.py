"""Whether this computer's clock can be trusted for a collection time.

The Berkeley Protocol asks for the collection time in UTC together with the clock's
synchronisation status. Linux knows it: ``adjtimex`` returns ``TIME_ERROR`` (5) while the clock
is not synchronised (no NTP, chrony or PTP discipline), and 0–4 while it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util

TIME_ERROR = 5


def system_clock_source() -> str:
    """A clock_sources code for the time ``timezone.now()`` gives on this machine."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        timex = ctypes.create_string_buffer(512)  # struct timex, zeroed: modes = 0 only reads the state
        state = libc.adjtimex(timex)
    except (OSError, AttributeError):  # not Linux, or no adjtimex
        return "system_clock"
    return "ntp_synchronised" if 0 <= state < TIME_ERROR else "system_clock"
