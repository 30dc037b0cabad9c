"""The running suite as the end-to-end tests see it: the processes, their ports and logs,
and program time moved through the one control (``YearSuite``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ppcore.clock import KYIV
from ppcore.program_time import ProgramTimeControl
from scripts.supervisor import ServiceProcess


@dataclass
class Suite:
    ports: dict[str, int]
    http_port: int
    work: Path = Path()
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    metrics_ports: dict[str, int] = field(default_factory=dict)

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    @property
    def envs(self) -> dict[str, dict[str, str]]:
        return {name: process.env for name, process in self.processes.items()}

    @property
    def logs(self) -> dict[str, Path]:
        return {name: process.log_path for name, process in self.processes.items()}


# Program time at which a partner's year starts in the scenarios: a Monday, 10:00 Kyiv.
YEAR_START = datetime(2027, 1, 11, 10, 0, tzinfo=KYIV)
DAILY_JOBS = {
    "points.daily_totals",
    "status.daily_review",
    "licensing.yearly_renewals",
    "compliance.personal_data_deadlines",
}


@dataclass
class YearSuite(Suite):
    """The suite on PostgreSQL, following program time that the test moves through the control."""

    control: ProgramTimeControl | None = None

    @property
    def time(self) -> ProgramTimeControl:
        assert self.control is not None
        return self.control

    async def now(self) -> datetime:
        return (await self.time.read(set(), set())).program_time

    async def settle(self, revision: int) -> None:
        """Wait until all five processes follow ``revision`` and every daily job has run
        for each date it crossed."""
        await self.time.wait_followed(revision, set(self.ports), within=30)
        await self.time.wait_jobs(revision, DAILY_JOBS, within=300)

    async def advance(self, delta: timedelta) -> datetime:
        await self.settle(await self.time.advance(delta))
        return await self.now()

    async def advance_to(self, instant: datetime) -> datetime:
        now = await self.now()
        assert instant >= now, f"program time only moves forward ({now} -> {instant})"
        return await self.advance(instant - now)
