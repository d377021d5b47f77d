"""Run every benchmark and print its figures: `python -m benchmarks [name ...]`.

Each `benchmarks/bench_<name>.py` module has a `main(argv)`; it is run with no arguments
(its defaults), in name order. Naming some (`core`, `documents`) runs only those. The
exit status is the first non-zero status a benchmark returned. Not run in CI: the
figures depend on the machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PREFIX = "bench_"


def names() -> list[str]:
    found = (m.name for m in pkgutil.iter_modules([str(PACKAGE)]))
    return sorted(n.removeprefix(PREFIX) for n in found if n.startswith(PREFIX))


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    available = names()
    unknown = [w for w in wanted if w not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    status = 0
    for name in wanted or available:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{PREFIX}{name}")
        result = module.main([])
        status = status or int(result or 0)
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
