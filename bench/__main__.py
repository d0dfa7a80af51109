"""`python -m bench [--quick] [--json PATH] [--only NAME...] [--publish]`: run the benchmarks, print the table, write JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.harness import BENCH_DIR, discover, run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (under a minute)")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results.json", metavar="PATH",
                        help="where to write the figures (default: bench/results.json)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help=f"run only these modules (of: {', '.join(discover())})")
    parser.add_argument("--inline", action="store_true", help="run modules in this process (for debugging)")
    parser.add_argument("--publish", action="store_true",
                        help="save the JSON under bench/results/ (named by date, commit and mode) and "
                             "regenerate docs/benchmarks.md's table from it")
    args = parser.parse_args(argv)
    if args.publish:
        from bench.docs import results_name
        from bench.harness import REPO_ROOT, machine_info

        args.json = REPO_ROOT / results_name(machine_info(), args.quick)
    rows = run_all(args.quick, args.only, args.json, isolated=not args.inline)
    if args.publish and rows:
        from bench.docs import update_docs

        update_docs(args.json)
        print(f"docs/benchmarks.md regenerated from {args.json}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
