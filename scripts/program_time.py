"""`make time`: read, set or advance program time for every process of a non-production run.

    make time                                   where program time stands, what each process uses
    make time ARGS="set 2027-03-01T10:00+02:00" put it there (standing still)
    make time ARGS="set 2027-03-01T10:00+02:00 --running"   ... and let it run on from there
    make time ARGS="advance 1d"                 move it on (30d, 12h, 15m, 2w, combinable: 1d6h)

Each move waits until every process that reported follows it and every daily job has
run for the dates it crossed (``--no-wait`` to skip). The NATS URL comes from
``--nats-url``, ``NATS_URL`` or the file ``var/nats-url`` that `make run` writes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

import nats

from ppcore.clock import KYIV
from ppcore.program_time import ProgramTimeControl, ProgramTimeReading

ROOT = Path(__file__).resolve().parents[1]
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """``1d6h``, ``30d``, ``90m``: a sum of whole numbers with units w, d, h, m, s."""
    parts = re.findall(r"(\d+)([wdhms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 30d, 12h, 1d6h)")
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    return delta


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=KYIV) if value.tzinfo is None else value


def describe(reading: ProgramTimeReading) -> str:
    lines = [f"program time  {reading.program_time.astimezone(KYIV).isoformat()} (Kyiv)"]
    if reading.state is None:
        lines.append("              never set: processes follow the wall clock")
    else:
        lines.append(
            f"              revision {reading.revision}, {'standing still' if reading.state.frozen else 'running'}"
        )
    for name, report in sorted(reading.processes.items()):
        behind = "" if report.revision >= reading.revision else f"  (behind: revision {report.revision})"
        lines.append(f"  {name:<12} follows revision {report.revision}{behind}")
    for job, day in sorted(reading.jobs.items()):
        lines.append(f"  job {job:<36} last ran for {day.isoformat()}")
    return "\n".join(lines)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make time", description=__doc__.split("\n")[0])
    parser.add_argument("--nats-url", default=os.environ.get("NATS_URL"))
    parser.add_argument("--namespace", default=os.environ.get("NATS_NAMESPACE", "partnerprogram"))
    parser.add_argument("--no-wait", action="store_true", help="do not wait for processes and daily jobs")
    commands = parser.add_subparsers(dest="command")
    set_cmd = commands.add_parser("set", help="put program time at an instant (Kyiv when no offset)")
    set_cmd.add_argument("instant", type=parse_instant)
    set_cmd.add_argument("--running", action="store_true", help="run on from there at wall-clock speed")
    advance = commands.add_parser("advance", help="move program time on")
    advance.add_argument("duration", type=parse_duration)
    commands.add_parser("read", help="where program time stands (the default)")
    args = parser.parse_args(argv)

    url = args.nats_url
    if not url:
        url_file = ROOT / "var" / "nats-url"
        if not url_file.exists():
            parser.error("no NATS URL: start `make run` first, or pass --nats-url / set NATS_URL")
        url = url_file.read_text().strip()
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=3)
    try:
        control = ProgramTimeControl(nc.jetstream(timeout=5.0), args.namespace)
        if args.command in ("set", "advance"):
            before = await control.read()
            if args.command == "set":
                revision = await control.set_time(args.instant, frozen=not args.running)
            else:
                revision = await control.advance(args.duration)
            if not args.no_wait:
                await control.wait_followed(revision, set(before.processes))
                await control.wait_jobs(revision, set(before.jobs), within=300.0)
        print(describe(await control.read()))
    finally:
        await nc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
