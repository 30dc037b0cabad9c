"""`python -m bench [scenario ...]`: run scenarios, print throughput and latency
percentiles, check each scenario's goals, write JSON and compare with the baseline.

Scenarios are modules in bench/scenarios/ exposing ``async def run(ctx) -> ScenarioResult``
and a ``DESCRIPTION``. ``echo`` (always available) measures only the reference server.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import pkgutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import scenarios
from bench.harness import BenchContext, Goal, Options, ScenarioResult

BASELINE = Path(__file__).with_name("baseline.json")
RESULTS = Path(__file__).with_name("results")
REPORT = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
DEFAULT_SCALES = (1_000, 10_000, 100_000)  # partners of the hot paths (issue 16)


def discover() -> dict[str, Any]:
    found = {}
    for info in pkgutil.iter_modules(scenarios.__path__):
        module = importlib.import_module(f"bench.scenarios.{info.name}")
        if hasattr(module, "run"):
            found[info.name] = module
    return found


async def echo_only(ctx: BenchContext) -> ScenarioResult:
    before = os.getloadavg()[0]
    echo = await ctx.echo_reference()
    return ScenarioResult(
        name="echo",
        metrics=echo.as_dict(),
        goals=[Goal("no errors", echo.errors == 0, "")],
        loads={"echo": echo},
        load_average=(before, os.getloadavg()[0]),
    )


def runs(names: list[str], available: dict[str, Any], scales: list[int]) -> list[tuple[str, int]]:
    """(scenario, partners) to run: scenarios with ``SCALABLE`` once per scale, others once."""
    return [
        (name, scale)
        for name in names
        for scale in (scales if scales and getattr(available.get(name), "SCALABLE", False) else [0])
    ]


def scale_label(partners: int) -> str:
    return f"{partners // 1000}k" if partners % 1000 == 0 else str(partners)


def compare_with_baseline(result: ScenarioResult, baseline: dict[str, Any]) -> list[str]:
    previous = baseline.get(result.name, {})
    lines = []
    for key in ("throughput", "p99_ms", "throughput_vs_echo", "p99_vs_echo", "run_seconds", "as_of_p99_ms"):
        if key in result.metrics and key in previous and previous[key]:
            change = (result.metrics[key] - previous[key]) / previous[key] * 100
            lines.append(
                f"    {key:<20} {result.metrics[key]:12.3f}   baseline {previous[key]:12.3f}   ({change:+.1f} %)"
            )
    return lines


async def main_async(args: argparse.Namespace) -> int:
    available = discover()
    if args.list:
        print("echo: the bare reference server")
        for name, module in sorted(available.items()):
            print(f"{name}: {getattr(module, 'DESCRIPTION', '')}")
        return 0
    names = args.scenarios or ["echo", *sorted(available)]
    unknown = [n for n in names if n != "echo" and n not in available]
    if unknown:
        print(f"unknown scenarios: {unknown}; try --list", file=sys.stderr)
        return 2
    options = Options(
        concurrency=args.concurrency,
        duration=args.duration,
        channels=args.channels,
        quick=args.quick,
        rounds=args.rounds,
        hot_rounds=args.hot_rounds,
        processes=args.processes,
    )
    if args.scale is None:
        args.scale = [] if args.quick else list(DEFAULT_SCALES)
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    results: list[ScenarioResult] = []
    with tempfile.TemporaryDirectory(prefix="pp-bench-") as work:
        ctx = BenchContext(options, Path(work))
        try:
            for name, scale in runs(names, available, args.scale):
                label = f"{name}@{scale_label(scale)}" if scale else name
                print(f"\n== {label}")
                await ctx.settle()
                started = time.perf_counter()
                load_before = os.getloadavg()[0]
                ctx.options = replace(options, partners=scale)
                result = await (echo_only(ctx) if name == "echo" else available[name].run(ctx))
                result.name = label
                if result.load_average == (0.0, 0.0):  # scenarios that do not record it
                    result.load_average = (load_before, os.getloadavg()[0])
                results.append(result)
                for label, load in result.loads.items():
                    print(f"  {label:<10}{load.line()}")
                for key, value in result.metrics.items():
                    if key not in ("throughput", "p50_ms", "p95_ms", "p99_ms"):
                        print(f"  {key:<28} {value:12.3f}")
                print(f"  load average (1 min)         {result.load_average[0]:.2f} -> {result.load_average[1]:.2f}")
                for goal in result.goals:
                    print(f"  [{'PASS' if goal.passed else 'FAIL'}] {goal.name}: {goal.detail}")
                for line in compare_with_baseline(result, baseline):
                    print(line)
                print(f"  ({time.perf_counter() - started:.1f} s)")
        finally:
            await ctx.aclose()
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "options": vars(options),
        "results": {r.name: {"metrics": r.metrics, "goals": [vars(g) for g in r.goals]} for r in results},
    }
    out = Path(args.json) if args.json else RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(payload, indent=2))
    print(f"\nresults: {out}")
    if not args.no_report:
        REPORT.write_text(report(results, options, args.scale))
        print(f"report: {REPORT}")
    if args.save_baseline:
        merged = {**baseline, **{r.name: r.metrics for r in results}}
        BASELINE.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
        print(f"baseline updated: {BASELINE}")
    failed = [f"{r.name}: {g.name}" for r in results for g in r.goals if not g.passed]
    if failed:
        print("goals not met:\n  " + "\n  ".join(failed))
    return 1 if failed and args.strict else 0


def report(results: list[ScenarioResult], options: Options, scales: list[int]) -> str:
    """BENCHMARKS.md: what this run measured, written by the runner (never by hand)."""
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m bench`) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{os.cpu_count()} cores, load generator in the runner's process (the hot paths with a CPU goal: "
        f"prepared HTTP/2 frames, bench/frames.py; the others: Python grpc.aio), "
        f"concurrency {options.concurrency} over {options.channels} channels, {options.duration:g} s per load, "
        f"{options.rounds} echo/scenario alternations ({options.hot_rounds} for those hot paths), "
        f"{options.processes} server process(es) per server"
        + (", small data (--quick)" if options.quick else "")
        + (f"; `<scenario>@Nk`: run at N thousand partners (--scale {','.join(map(str, scales))})" if scales else "")
        + ".",
        "",
        "Server CPU is user + system time of the server's processes read from `/proc/<pid>/stat`,",
        "per measured call: it holds on a busy machine, where calls/s do not. Ratios to echo are",
        "medians of per-round ratios (echo and the scenario alternate in the same run). Load",
        "average: the machine's 1-minute load when the scenario started -> ended.",
        "",
        "| scenario | calls/s | p50 ms | p95 ms | p99 ms | server CPU us/call | CPU vs echo "
        "| calls/s vs echo | load average | goals |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        m = r.metrics

        def cell(key: str, fmt: str = ".0f", m: dict[str, float] = m) -> str:
            return format(m[key], fmt) if key in m else ""

        cpu = cell("cpu_us_per_call") or (f"{r.loads['echo'].cpu_us_per_call:.0f}" if "echo" in r.loads else "")
        goals = "; ".join(f"{'PASS' if g.passed else 'FAIL'} {g.name} ({g.detail})" for g in r.goals)
        lines.append(
            f"| {r.name} | {cell('throughput')} | {cell('p50_ms', '.2f')} | {cell('p95_ms', '.2f')} "
            f"| {cell('p99_ms', '.2f')} | {cpu} | {cell('cpu_vs_echo', '.2f')} | {cell('throughput_vs_echo', '.2f')} "
            f"| {r.load_average[0]:.1f} -> {r.load_average[1]:.1f} | {goals} |"
        )
    extra = [
        f"- {r.name}: " + ", ".join(f"{k} {v:.3g}" for k, v in r.metrics.items() if k not in _TABLE_KEYS)
        for r in results
    ]
    return "\n".join([*lines, "", "Other figures:", "", *extra, ""])


_TABLE_KEYS = {"throughput", "p50_ms", "p95_ms", "p99_ms", "cpu_us_per_call", "cpu_vs_echo", "throughput_vs_echo"}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help="scenario names (default: all)")
    parser.add_argument("--list", action="store_true", help="list scenarios")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of measured load per run")
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="smaller data sets, for a smoke run")
    parser.add_argument("--json", help="where to write results (default bench/results/)")
    parser.add_argument("--save-baseline", action="store_true", help="store these results as the new baseline")
    parser.add_argument("--rounds", type=int, default=3, help="echo / scenario alternations (A B A B ...)")
    parser.add_argument(
        "--hot-rounds", type=int, default=5, help="alternations of the hot paths with a CPU goal (prepared frames)"
    )
    parser.add_argument("--processes", type=int, default=1, help="server processes of each server (<PREFIX>_PROCESSES)")
    parser.add_argument(
        "--scale",
        type=lambda text: [int(n) for n in text.split(",") if n.strip() not in ("", "0")],
        default=None,
        help="partner counts (default 1000,10000,100000; without --quick): scenarios that take a scale "
        "run once at each; --scale 0: each at its own size",
    )
    parser.add_argument("--no-report", action="store_true", help="do not rewrite BENCHMARKS.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is not met")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
