"""`make bench`: run the benchmarks, print one JSON object per line, write BENCHMARKS.md.

    python -m bench.run                 # all suites
    python -m bench.run ingest extraction   # some suites

Each suite is a module bench/<name>.py with `bench() -> list[dict]`, records shaped
{"name", "value", "unit", "baseline", ...}; side-by-side figures come from the same run.
Results are kept in bench/results.jsonl (latest per name), so running one suite updates its
rows and keeps the others; BENCHMARKS.md is regenerated from that file.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.jsonl"
REPORT = ROOT / "BENCHMARKS.md"
SUITES = ["feed_corpus", "extraction", "ingest", "search", "web", "stories", "moderation"]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def load_results() -> dict[str, dict]:
    if not RESULTS.exists():
        return {}
    records = (json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip())
    return {r["name"]: r for r in records}


def write_report(results: dict[str, dict]) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run [suite ...]`) from `bench/results.jsonl`.",
        "Figures in one row come from the same run; compare ratios, not absolute speeds, across",
        "runs: these machines are shared and noisy.",
        "",
        "| name | value | unit | baseline | suite | measured | command |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in sorted(results):
        r = results[name]
        baseline = r.get("baseline")
        lines.append(
            f"| `{name}` | {_fmt(r['value'])} | {r.get('unit', '')} | "
            f"{'' if baseline is None else _fmt(baseline)} | {r.get('suite', '')} | "
            f"{r.get('measured', '')} | `{r.get('command', '')}` |"
        )
    notes = [(n, r["note"]) for n, r in sorted(results.items()) if r.get("note")]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- `{n}`: {note}" for n, note in notes]
    lines += ["", f"Machine of the latest run: {machine()}.", ""]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str]) -> int:
    suites = argv or SUITES
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}",
              file=sys.stderr)
        return 2
    for suite in suites:
        module = importlib.import_module(f"bench.{suite}")
        started = time.monotonic()
        records = module.bench()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        for record in records:
            record.setdefault("baseline", None)
            record.update(suite=suite, measured=stamp,
                          command=record.get("command") or f"python -m bench.run {suite}")
            print(json.dumps(record, ensure_ascii=False), flush=True)
        print(f"# {suite}: {len(records)} records in {time.monotonic() - started:.0f} s",
              file=sys.stderr)
        # Read the file again only now: another suite run while this one ran (a long search
        # bench, say) may have written its rows since, and they must survive.
        results = load_results()
        results.update((r["name"], r) for r in records)
        RESULTS.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                   for r in results.values()))
        write_report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
