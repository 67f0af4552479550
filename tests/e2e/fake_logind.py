#!/usr/bin/python3
"""TEST ONLY: a fake systemd-logind on a private D-Bus bus, for the E2E suite.

It owns org.freedesktop.login1 on the bus at $DBUS_SYSTEM_BUS_ADDRESS (a
private dbus-daemon that run.py starts; never the real system bus) and
answers what Vekil asks of logind:

- Manager.Inhibit(what, who, why, mode) -> h: a pipe's write end. The read
  end stays here, so the moment the app closes its descriptor (releases the
  inhibitor) this process sees end-of-file and reports it;
- Manager.GetSessionByPID / GetSession -> one session object, whose
  Session interface has the Lock signal and a LockedHint property.

Driven through stdin, one command a line: `sleep` (PrepareForSleep(true)),
`resume` (PrepareForSleep(false)), `lock` (the session's Lock signal).
Reports on stdout, one JSON object a line: {"event": "ready"}, "inhibit"
(with what/who/why/mode and an id), "released" (id, and ms since the last
PrepareForSleep(true) if one was sent while it was held), "signal".

Run with Debian's python3 and python3-dbus-next (scripts/deps).
"""

import asyncio
import json
import os
import stat
import sys
import time

from dbus_next import BusType
from dbus_next.aio import MessageBus
from dbus_next.service import PropertyAccess, ServiceInterface, dbus_property, method, signal

SESSION = "/org/freedesktop/login1/session/_3e2e"


def report(**event: object) -> None:
    print(json.dumps(event), flush=True)


class Manager(ServiceInterface):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__("org.freedesktop.login1.Manager")
        self.loop = loop
        self.count = 0
        self.held: dict[int, int] = {}  # id -> read end
        self.sleep_sent = 0.0

    @method()
    def Inhibit(self, what: "s", who: "s", why: "s", mode: "s") -> "h":  # noqa: F821
        self.count += 1
        ident = self.count
        r, w = os.pipe()
        self.held[ident] = r
        inode = os.fstat(r).st_ino
        self.loop.add_reader(r, self.on_readable, ident, r)
        # Our copy of the write end goes once the reply has left.
        self.loop.call_later(1.0, close_if_pipe, w, inode)
        report(event="inhibit", id=ident, what=what, who=who, why=why, mode=mode)
        return w

    def on_readable(self, ident: int, r: int) -> None:
        if os.read(r, 64):
            return
        self.loop.remove_reader(r)
        os.close(r)
        self.held.pop(ident, None)
        since = (time.monotonic() - self.sleep_sent) * 1000 if self.sleep_sent else None
        report(event="released", id=ident, ms_after_sleep_signal=since)

    @method(name="GetSessionByPID")
    def GetSessionByPID(self, pid: "u") -> "o":  # noqa: F821
        return SESSION

    @method()
    def GetSession(self, session_id: "s") -> "o":  # noqa: F821
        return SESSION

    @signal()
    def PrepareForSleep(self, start) -> "b":  # noqa: F821
        return start


class Session(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")

    @signal()
    def Lock(self):  # no arguments
        pass

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> "b":  # noqa: F821
        return False


def close_if_pipe(fd: int, inode: int) -> None:
    """Closes fd only if it is still our pipe (dbus-next may have closed it)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return
    if stat.S_ISFIFO(st.st_mode) and st.st_ino == inode:
        os.close(fd)


async def main() -> None:
    loop = asyncio.get_running_loop()
    bus = await MessageBus(bus_type=BusType.SYSTEM, negotiate_unix_fd=True).connect()
    manager = Manager(loop)
    session = Session()
    bus.export("/org/freedesktop/login1", manager)
    bus.export(SESSION, session)
    await bus.request_name("org.freedesktop.login1")
    report(event="ready")
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line:
            if reader.at_eof():
                return
            continue
        if line == "sleep":
            manager.sleep_sent = time.monotonic()
            manager.PrepareForSleep(True)
        elif line == "resume":
            manager.PrepareForSleep(False)
        elif line == "lock":
            session.Lock()
        else:
            report(event="error", message=f"unknown command {line!r}")
            continue
        report(event="signal", name=line, held=sorted(manager.held))


if __name__ == "__main__":
    asyncio.run(main())
