"""Several processes per service: echo with 1 and with 2 server processes, alternated.

One server process already keeps more than one core busy: gRPC's C core polls and writes in
threads of its own beside the Python thread (about 1.3 cores at full load here). On a
2-core machine that leaves little for a second process to add, whatever the port sharing
does. So the scaling per core is measured as a CPU limit of one core per process would
give (Kubernetes ``resources.limits.cpu: 1`` per server process): one process held to
core 0 (``taskset``, threads included) against two processes on both cores, the load
generator on whatever is left. The unrestricted one-process figure is reported beside it,
with the cores every run used, so both readings are in the table."""

from __future__ import annotations

import os
import statistics
from typing import Any

from bench import h2load
from bench.harness import BenchContext, Goal, ScenarioResult
from bench.load import LoadResult
from partnerprogram.echo.v1 import echo_service_pb2 as echo_pb
from partnerprogram.echo.v1 import echo_service_pb2_grpc as echo_grpc

DESCRIPTION = "echo calls/s with 2 server processes vs 1 (h2load when installed), alternated"
METHOD = "/partnerprogram.echo.v1.EchoService/Echo"
GOAL = 1.6


async def run(ctx: BenchContext) -> ScenarioResult:
    metadata = ctx.tokens.metadata(ctx.tokens.sales_platform())
    request = echo_pb.EchoRequest(payload=b"x" * 64)
    use_h2load = h2load.available()
    load_before = os.getloadavg()[0]
    loads: dict[str, LoadResult] = {}
    ratios: list[float] = []
    unrestricted_ratios: list[float] = []
    env = {"DATABASE_URL": "sqlite://"}
    async with (
        ctx.service_process("ppcore.echo", "ECHO", dict(env), processes=1, cpus="0") as one_core,
        ctx.service_process("ppcore.echo", "ECHO", dict(env), processes=1) as one,
        ctx.service_process("ppcore.echo", "ECHO", dict(env), processes=2) as two,
    ):

        async def measure(address: str) -> LoadResult:
            channels = ctx.channels(address)
            stubs = [echo_grpc.EchoServiceStub(c) for c in channels]
            # The same request through a real gRPC client first: h2load cannot see gRPC status.
            await stubs[0].Echo(request, metadata=metadata, timeout=10)
            try:
                if use_h2load:
                    return await h2load.run_h2load(
                        address,
                        METHOD,
                        request,
                        metadata,
                        connections=ctx.options.channels * 2,
                        streams=max(1, ctx.options.concurrency // (ctx.options.channels * 2)),
                        duration=ctx.options.duration,
                        cpu_meter=ctx.cpu_meter(address),
                    )

                async def call(i: int) -> Any:
                    return await stubs[i % len(stubs)].Echo(request, metadata=metadata, timeout=10)

                return await ctx.load(call, address)
            finally:
                for channel in channels:
                    await channel.close()

        for round_no in range(1, ctx.options.rounds + 1):
            loads[f"1 proc on 1 core {round_no}"] = per_core = await measure(one_core)
            loads[f"1 proc {round_no}"] = single = await measure(one)
            loads[f"2 proc {round_no}"] = double = await measure(two)
            ratios.append(double.throughput / per_core.throughput if per_core.throughput else 0.0)
            unrestricted_ratios.append(double.throughput / single.throughput if single.throughput else 0.0)
    ratio = statistics.median(ratios)
    per_cores = [v for k, v in loads.items() if k.startswith("1 proc on 1 core")]
    singles = [v for k, v in loads.items() if k.startswith("1 proc ") and "core" not in k]
    doubles = [v for k, v in loads.items() if k.startswith("2 ")]

    def cores(results: list[LoadResult], per_call: str) -> float:
        """Cores busy on average: CPU per call x calls per second."""
        return statistics.median(float(getattr(r, per_call)) * r.throughput / 1e6 for r in results)

    return ScenarioResult(
        name="echo_processes",
        metrics={
            "throughput": statistics.median(d.throughput for d in doubles),
            "p99_ms": statistics.median(d.p99_ms for d in doubles),
            "one_process_throughput": statistics.median(s.throughput for s in singles),
            "one_process_one_core_throughput": statistics.median(s.throughput for s in per_cores),
            "two_vs_one_process": ratio,
            "two_vs_one_unrestricted_process": statistics.median(unrestricted_ratios),
            "cpu_us_per_call": statistics.median(d.cpu_us_per_call for d in doubles),
            "one_process_cpu_us_per_call": statistics.median(s.cpu_us_per_call for s in singles),
            "h2load": 1.0 if use_h2load else 0.0,
            # Where the cores went: the servers' and the load generator's (h2load only).
            "one_process_server_cores": cores(singles, "cpu_us_per_call"),
            "one_process_one_core_server_cores": cores(per_cores, "cpu_us_per_call"),
            "two_process_server_cores": cores(doubles, "cpu_us_per_call"),
            "two_process_generator_cores": cores(doubles, "client_cpu_us_per_call"),
        },
        goals=[
            Goal(
                f"2 processes >= {GOAL} x 1 process calls/s, one core per process",
                ratio >= GOAL,
                f"{ratio:.2f} x (median of rounds; unrestricted 1 process: "
                f"{statistics.median(unrestricted_ratios):.2f} x, it uses {cores(singles, 'cpu_us_per_call'):.2f} cores)",
            ),
            Goal("no errors", all(v.errors == 0 for v in loads.values()), ""),
        ],
        loads=loads,
        load_average=(load_before, os.getloadavg()[0]),
    )
