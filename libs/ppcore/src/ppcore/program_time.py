"""Program time for non-production runs: one movable clock shared by every process.

Staging, demos and end-to-end tests live through a year in minutes by moving program
time for all five processes together. The one shared place they all reach is NATS, so
the control writes one small JSON value (where program time stands, and whether it
runs or stands still) to a JetStream key-value bucket; every process that has
``program_time_enabled`` watches that key and its :class:`ProgramClock` follows it.
Production code keeps asking its one injected clock and never knows it is moved.

Each process reports the state it applied (revision and the program time it then used)
under ``report.<process>`` in the same bucket, so the control can read back what every
process uses and wait until all of them follow a move. Off by default; the production
overlay never turns it on, and a process with it on logs a warning at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError
from nats.js.kv import KeyValue

from ppcore.clock import Clock, SystemClock
from ppcore.logging import get_logger

log = get_logger("ppcore.program_time")

STATE_KEY = "state"
REPORT_PREFIX = "report."
FOLLOWED_PREFIX = "followed."
# How often a follower re-reads the key even without a watch update (a watch can stall
# across a nats-server restart; the re-read bounds how late a process notices a move).
RESYNC_SECONDS = 2.0


T = TypeVar("T")

# A JetStream cluster that lost a node answers "temporarily unavailable" (or not at all)
# until it has elected new leaders; the control rides that out for this long.
ELECTION_SECONDS = 30.0
# Refusals that leave nothing written, so a write may be repeated.
NOT_APPLIED = (nats.js.errors.ServiceUnavailableError, nats.errors.NoRespondersError)
READ_TRANSIENT = (*NOT_APPLIED, TimeoutError)


async def _through_election(call: Callable[[], Awaitable[T]], transient: tuple[type[Exception], ...]) -> T:
    deadline = asyncio.get_running_loop().time() + ELECTION_SECONDS
    while True:
        try:
            return await call()
        except transient:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.25)


def program_time_bucket(namespace: str) -> str:
    return f"{namespace}_program_time"


def job_progress_bucket(namespace: str) -> str:
    return f"{namespace}_daily_jobs"


async def ensure_bucket(js: JetStreamContext, bucket: str, *, history: int = 1, replicas: int = 1) -> KeyValue:
    """The key-value bucket ``bucket``, created when missing; safe from every process at once.
    ``replicas`` as the streams' (a bucket on one node of a cluster dies with that node)."""
    for attempt in range(5):
        try:
            try:
                return await js.key_value(bucket)
            except (BucketNotFoundError, NotFoundError):
                try:
                    return await js.create_key_value(
                        KeyValueConfig(bucket=bucket, history=history, storage=StorageType.FILE, replicas=replicas)
                    )
                except nats.js.errors.BadRequestError:
                    continue  # created by another process meanwhile
        except (TimeoutError, nats.errors.TimeoutError, nats.errors.NoRespondersError):
            await asyncio.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"could not open key-value bucket {bucket}")


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"program time needs an offset: {text!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ProgramTimeState:
    """Program time stood at ``program`` when the wall clock read ``wall``; it runs on
    from there at wall-clock speed, or stands still when ``frozen``."""

    program: datetime
    wall: datetime
    frozen: bool

    def at(self, wall_now: datetime) -> datetime:
        return self.program if self.frozen else self.program + (wall_now - self.wall)

    def encode(self) -> bytes:
        return json.dumps(
            {"program": self.program.isoformat(), "wall": self.wall.isoformat(), "frozen": self.frozen}
        ).encode()

    @classmethod
    def decode(cls, raw: bytes) -> ProgramTimeState:
        data = json.loads(raw)
        return cls(program=_instant(data["program"]), wall=_instant(data["wall"]), frozen=bool(data["frozen"]))


class ProgramClock:
    """The injectable clock of a process with program time on: the wall clock until the
    control first sets program time, then wherever the shared state says."""

    def __init__(self, wall: Clock | None = None) -> None:
        self._wall = wall or SystemClock()
        self._state: ProgramTimeState | None = None
        self._revision = 0
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        wall_now = self._wall.now()
        return wall_now if self._state is None else self._state.at(wall_now)

    @property
    def revision(self) -> int:
        """The revision of the shared state this clock follows (0: none yet)."""
        return self._revision

    def apply(self, state: ProgramTimeState | None, revision: int) -> bool:
        """Follow ``state``; an older revision than the one followed is ignored."""
        if revision <= self._revision:
            return False
        self._state, self._revision = state, revision
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()
        return True

    def moved(self) -> Awaitable[Any]:
        """Done when the clock next follows a new state (one after this call)."""
        return self._moved.wait()


@dataclass(frozen=True)
class ProcessReport:
    """What one process said it applied: the state revision and its program time then."""

    revision: int
    program_time: datetime
    wall_time: datetime


class ProgramTimeFollower:
    """Keeps a process's :class:`ProgramClock` on the shared state and reports it."""

    def __init__(
        self, js: JetStreamContext, namespace: str, clock: ProgramClock, process: str, *, replicas: int = 1
    ) -> None:
        self._js = js
        self._bucket = program_time_bucket(namespace)
        self._clock = clock
        self._process = process
        self._replicas = replicas
        self._kv: KeyValue | None = None

    async def start(self) -> None:
        """Read the current state before the process serves anything."""
        self._kv = await ensure_bucket(self._js, self._bucket, replicas=self._replicas)
        await self._resync()
        log.warning(
            "program_time.enabled",
            process=self._process,
            program_time=self._clock.now().isoformat(),
            revision=self._clock.revision,
            note="non-production only: this process follows the shared program-time control",
        )
        if self._clock.revision == 0:
            await self._report()

    async def run(self, stop: asyncio.Event) -> None:
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                await self._watch(stopping)
        finally:
            stopping.cancel()

    async def _watch(self, stopping: asyncio.Future[Any]) -> None:
        watcher: KeyValue.KeyWatcher | None = None
        try:
            watcher = await self.kv.watch(STATE_KEY)
            while not stopping.done():
                update = asyncio.ensure_future(watcher.updates(timeout=RESYNC_SECONDS))  # type: ignore[no-untyped-call]
                await asyncio.wait({update, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not update.done():
                    update.cancel()
                    return
                try:
                    entry = update.result()
                except nats.errors.TimeoutError:
                    await self._resync()
                    continue
                if entry is not None and entry.value is not None and entry.revision is not None:
                    await self._follow(ProgramTimeState.decode(entry.value), entry.revision)
        except Exception as exc:
            log.warning("program_time.watch_failed", process=self._process, error=str(exc))
            await asyncio.wait({stopping}, timeout=0.5)
        finally:
            if watcher is not None:
                with contextlib.suppress(Exception):
                    await watcher.stop()  # type: ignore[no-untyped-call]

    @property
    def kv(self) -> KeyValue:
        if self._kv is None:
            raise RuntimeError("ProgramTimeFollower is not started")
        return self._kv

    async def _resync(self) -> None:
        try:
            entry = await self.kv.get(STATE_KEY)
        except KeyNotFoundError:
            return
        if entry.value is not None and entry.revision is not None:
            await self._follow(ProgramTimeState.decode(entry.value), entry.revision)

    async def _follow(self, state: ProgramTimeState, revision: int) -> None:
        if self._clock.apply(state, revision):
            log.info(
                "program_time.followed",
                process=self._process,
                revision=revision,
                program_time=self._clock.now().isoformat(),
                frozen=state.frozen,
            )
            await self._report()

    async def _report(self) -> None:
        report = {
            "revision": self._clock.revision,
            "program_time": self._clock.now().isoformat(),
            "wall_time": datetime.now(UTC).isoformat(),
        }
        await self.kv.put(REPORT_PREFIX + self._process, json.dumps(report).encode())


@dataclass(frozen=True)
class ProgramTimeReading:
    """What the control reads back: the shared state, and what each process reported."""

    state: ProgramTimeState | None
    revision: int
    program_time: datetime
    processes: dict[str, ProcessReport]
    jobs: dict[str, date]
    # The program-time revision each daily job has caught up with.
    jobs_followed: dict[str, int]


class ProgramTimeControl:
    """The one control that sets, advances and reads program time for every process."""

    def __init__(self, js: JetStreamContext, namespace: str, *, wall: Clock | None = None, replicas: int = 1) -> None:
        self._js = js
        self._namespace = namespace
        self._wall = wall or SystemClock()
        self._replicas = replicas

    async def _kv(self) -> KeyValue:
        return await ensure_bucket(self._js, program_time_bucket(self._namespace), replicas=self._replicas)

    async def _current(self, kv: KeyValue) -> tuple[ProgramTimeState | None, int]:
        try:
            entry = await kv.get(STATE_KEY)
        except KeyNotFoundError:
            return None, 0
        if entry.value is None or entry.revision is None:
            return None, entry.revision or 0
        return ProgramTimeState.decode(entry.value), entry.revision

    async def set_time(self, instant: datetime, *, frozen: bool = True) -> int:
        """Put program time at ``instant``; it stands still there when ``frozen``."""
        if instant.tzinfo is None:
            raise ValueError("program time needs an aware datetime")
        state = ProgramTimeState(program=instant.astimezone(UTC), wall=self._wall.now(), frozen=frozen)
        kv = await self._kv()
        return await _through_election(lambda: kv.put(STATE_KEY, state.encode()), NOT_APPLIED)

    async def advance(self, delta: timedelta) -> int:
        """Move program time ``delta`` on from where it stands now (never backwards)."""
        if delta < timedelta(0):
            raise ValueError("program time only moves forward")
        kv = await self._kv()
        while True:
            state, revision = await _through_election(lambda: self._current(kv), READ_TRANSIENT)
            wall_now = self._wall.now()
            now = wall_now if state is None else state.at(wall_now)
            frozen = True if state is None else state.frozen
            moved = ProgramTimeState(program=now + delta, wall=wall_now, frozen=frozen)
            try:
                if revision:
                    return await kv.update(STATE_KEY, moved.encode(), last=revision)
                return await kv.create(STATE_KEY, moved.encode())
            except nats.js.errors.KeyWrongLastSequenceError:
                continue  # moved by someone else meanwhile: advance from there
            except NOT_APPLIED:
                await asyncio.sleep(0.25)  # compare-and-set: a repeat never moves it twice

    async def read(self, processes: set[str] | None = None, jobs: set[str] | None = None) -> ProgramTimeReading:
        """The shared state, and the reports of ``processes`` and progress of ``jobs`` (all when None)."""
        return await _through_election(lambda: self._read(processes, jobs), READ_TRANSIENT)

    async def _read(self, processes: set[str] | None, jobs: set[str] | None) -> ProgramTimeReading:
        kv = await self._kv()
        state, revision = await self._current(kv)
        wall_now = self._wall.now()
        if processes is None:
            keys = [k for k in await _keys(kv) if k.startswith(REPORT_PREFIX)]
        else:
            keys = [REPORT_PREFIX + p for p in processes]
        progress = await read_job_progress(self._js, self._namespace, jobs)
        reports: dict[str, ProcessReport] = {}
        for key in keys:
            with contextlib.suppress(KeyNotFoundError):
                entry = await kv.get(key)
                if entry.value is not None:
                    data = json.loads(entry.value)
                    reports[key.removeprefix(REPORT_PREFIX)] = ProcessReport(
                        revision=int(data["revision"]),
                        program_time=_instant(data["program_time"]),
                        wall_time=_instant(data["wall_time"]),
                    )
        return ProgramTimeReading(
            state=state,
            revision=revision,
            program_time=wall_now if state is None else state.at(wall_now),
            processes=reports,
            jobs=progress.done,
            jobs_followed=progress.followed,
        )

    async def wait_followed(self, revision: int, processes: set[str], *, within: float = 30.0) -> ProgramTimeReading:
        """Wait until every one of ``processes`` reports following ``revision`` or later."""

        def done(reading: ProgramTimeReading) -> bool:
            return all(p in reading.processes and reading.processes[p].revision >= revision for p in processes)

        return await self._wait(
            lambda: self.read(processes, set()), done, within, f"{sorted(processes)} to follow revision {revision}"
        )

    async def wait_jobs(self, revision: int, jobs: set[str], *, within: float = 60.0) -> ProgramTimeReading:
        """Wait until each of ``jobs`` has run for every date program-time ``revision`` crossed."""

        def done(reading: ProgramTimeReading) -> bool:
            return all(reading.jobs_followed.get(job, 0) >= revision for job in jobs)

        return await self._wait(lambda: self.read(set(), jobs), done, within, f"daily jobs {sorted(jobs)} to follow")

    async def _wait(
        self,
        read: Callable[[], Awaitable[ProgramTimeReading]],
        done: Callable[[ProgramTimeReading], bool],
        within: float,
        what: str,
    ) -> ProgramTimeReading:
        deadline = asyncio.get_running_loop().time() + within
        delay = 0.02
        while True:
            reading = await read()
            if done(reading):
                return reading
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"timed out waiting for {what}; last reading: {reading}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)


async def _keys(kv: KeyValue) -> list[str]:
    try:
        return list(await kv.keys())
    except nats.js.errors.NoKeysError:
        return []


@dataclass(frozen=True)
class JobProgressReading:
    done: dict[str, date]
    followed: dict[str, int]


async def read_job_progress(js: JetStreamContext, namespace: str, jobs: set[str] | None = None) -> JobProgressReading:
    """The last date each daily job (of ``jobs``, or all) has run for, and the program-time
    revision it has caught up with, as the schedulers persisted them."""
    kv = await ensure_bucket(js, job_progress_bucket(namespace))
    names = sorted(jobs) if jobs is not None else sorted({k.removeprefix(FOLLOWED_PREFIX) for k in await _keys(kv)})
    reading = JobProgressReading(done={}, followed={})
    for name in names:
        with contextlib.suppress(KeyNotFoundError):
            entry = await kv.get(name)
            if entry.value:
                reading.done[name] = date.fromisoformat(entry.value.decode())
        with contextlib.suppress(KeyNotFoundError):
            entry = await kv.get(FOLLOWED_PREFIX + name)
            if entry.value:
                reading.followed[name] = int(entry.value.decode())
    return reading


class KvJobProgress:
    """The scheduler's record of the last date each daily job ran for, in a JetStream
    key-value bucket: it survives restarts of the process, and replicas share it."""

    def __init__(self, js: JetStreamContext, namespace: str, *, replicas: int = 1) -> None:
        self._js = js
        self._bucket = job_progress_bucket(namespace)
        self._replicas = replicas
        self._kv: KeyValue | None = None

    async def _bucket_kv(self) -> KeyValue:
        if self._kv is None:
            self._kv = await ensure_bucket(self._js, self._bucket, replicas=self._replicas)
        return self._kv

    async def last_done(self, job: str) -> date | None:
        kv = await self._bucket_kv()
        try:
            entry = await kv.get(job)
        except KeyNotFoundError:
            return None
        return date.fromisoformat(entry.value.decode()) if entry.value else None

    async def mark_done(self, job: str, day: date) -> None:
        kv = await self._bucket_kv()
        while True:
            try:
                entry = await kv.get(job)
            except KeyNotFoundError:
                try:
                    await kv.create(job, day.isoformat().encode())
                    return
                except nats.js.errors.KeyWrongLastSequenceError:
                    continue
            if entry.value and date.fromisoformat(entry.value.decode()) >= day:
                return  # another replica got further; never move the record back
            try:
                await kv.update(job, day.isoformat().encode(), last=entry.revision)
                return
            except nats.js.errors.KeyWrongLastSequenceError:
                continue

    async def followed(self, job: str, revision: int) -> None:
        kv = await self._bucket_kv()
        await kv.put(FOLLOWED_PREFIX + job, str(revision).encode())
