"""Keep freed memory in the process, so that a step's fresh buffers do not fault its pages in.

A compiled step from an AOTInductor package (``genlab.training.packaged``) allocates its
intermediates anew at every call. glibc's ``malloc`` hands blocks over 128 KiB out as fresh
``mmap`` pages, and gives the top of the heap back to the system once more than twice the
largest freed block lies free there (its dynamic thresholds, see ``mallopt(3)``). An ensemble
of 16 homework VAEs frees and reallocates several MB per step, and each step paid ~390 minor
page faults for it (``resource.getrusage``; measured when the step still returned its new
state as outputs), ~20 % of the step. Fixing both thresholds (``M_MMAP_THRESHOLD`` at its
maximum, ``M_TRIM_THRESHOLD`` at 256 MiB) keeps those pages: the same step then faulted ~3
times.

The setting is the process's, and lasts until it exits; memory a run has freed stays
reserved for the run's next allocations. Without glibc (another C library, macOS) this does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
_MMAP_THRESHOLD_MAX = 32 * 2**20  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit glibc
_TRIM_THRESHOLD = 256 * 2**20


@functools.cache
def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds once per process; True if they were set."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )
