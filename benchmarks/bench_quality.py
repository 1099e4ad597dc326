"""The quality benchmark (models × datasets × seeds) as a script: ``genlab benchmark``.

    python benchmarks/bench_quality.py [--quick] [--out runs/benchmark]

See ``genlab.workflows.benchmark`` for the protocol. Writes results.csv and results.md beside
the runs.
"""

import sys

from genlab.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))
