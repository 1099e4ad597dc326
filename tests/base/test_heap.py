import subprocess
import sys

import pytest

from genlab.base.heap import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_blocks_stay_in_the_process():
    """A step's pattern: several 2 MB buffers allocated, then all freed. By default glibc
    gives the heap's top back once more than twice the largest block lies free there, and
    every round faults the pages in anew; after ``keep_freed_memory`` they stay."""
    code = """
import resource, sys
from genlab.base.heap import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
faults = []
for _ in range(20):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    blocks = [bytearray(2 * 2**20) for _ in range(4)]  # zero-filled: every page touched
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del blocks
print(sum(faults[5:]))
"""
    faults = {
        mode: int(
            subprocess.run(
                [sys.executable, "-c", code, mode], capture_output=True, text=True, check=True
            ).stdout
        )  # fmt: skip
        for mode in ("keep", "default")
    }
    assert faults["default"] > 15 * 1000  # ~2048 pages of 4 KiB per round, 15 rounds
    assert faults["keep"] < 100
    assert keep_freed_memory() is keep_freed_memory()  # once per process
