"""Shared numba options of the compiled kernels (``kernel_steps``, ``kernel_metrics``)."""

# cache: compiled code is stored in __pycache__ next to the sources.
# error_model="numpy": x/0 gives inf instead of raising; Python's error model puts a zero
#   check on every division, which stops LLVM from vectorising the loop.
# nogil: callers may run kernels on several threads (one seed per thread).
JIT = {"cache": True, "error_model": "numpy", "nogil": True}

# Reassociation lets LLVM vectorise reductions; never nnan/ninf: a NaN must stay visible.
FAST = {"reassoc", "nsz", "contract"}
