#!/usr/bin/env python3
"""Cold start of the release app: exec → window mapped → unlock screen drawn.

    cargo build --release -p vekil-desktop -p vekil
    xvfb-run -a -s "-screen 0 1280x800x24" python3 benches/cold_start.py [runs]

No WebDriver (release builds refuse automation) and no polling tool with a
coarse interval (`xdotool search --sync` sleeps 500 ms between looks, which
is what made an earlier measurement read "506 ms"). Instead this talks to
the X server through libX11 with ctypes (standard library only):

* "mapped" is the MapNotify of the window titled Vekil, received as an event;
* "drawn" is the first frame, grabbed with XGetImage every few
  milliseconds, that matches the settled unlock screen (the last frame,
  three seconds in) in all but 3% of its 16×16 tiles: the blinking caret
  and the focus ring's fade may differ, a missing form may not.

A vault is created first with the CLI, so the app opens on the unlock
screen a returning lawyer sees. Prints each run and the medians.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "target" / "release" / "vekil-desktop"
CLI = ROOT / "target" / "release" / "vekil"

MAP_NOTIFY = 19
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
Z_PIXMAP = 2
ALL_PLANES = ctypes.c_ulong(0xFFFFFFFF)


class XMapEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("event", ctypes.c_ulong),
        ("window", ctypes.c_ulong),
        ("override_redirect", ctypes.c_int),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xmap", XMapEvent), ("pad", ctypes.c_long * 24)]


class XImage(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
    ]


x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
x.XPending.argtypes = [ctypes.c_void_p]
x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(XEvent)]
x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
x.XGetImage.restype = ctypes.POINTER(XImage)
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                        ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XSetErrorHandler.argtypes = [ctypes.c_void_p]

# A window can vanish between the event and the grab; ignore X errors.
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)


def window_name(dpy: int, win: int) -> str:
    name = ctypes.c_char_p()
    if x.XFetchName(dpy, win, ctypes.byref(name)) and name.value:
        return name.value.decode(errors="replace")
    return ""


WIDTH, HEIGHT, TILE = 1280, 800, 16


def grab(dpy: int, win: int) -> bytes | None:
    """The window's pixels (4 bytes each), or None if it cannot be read yet."""
    img = x.XGetImage(dpy, win, 0, 0, WIDTH, HEIGHT, ALL_PLANES, Z_PIXMAP)
    if not img:
        return None
    try:
        im = img.contents
        if im.bytes_per_line != WIDTH * 4:
            return None
        return ctypes.string_at(im.data, im.bytes_per_line * im.height)
    finally:
        x.XDestroyImage(img)


def tiles_differing(a: bytes, b: bytes) -> float:
    """Share of 16×16 tiles whose pixels differ between two frames."""
    row, span = WIDTH * 4, TILE * 4
    differing = 0
    for ty in range(0, HEIGHT, TILE):
        for tx in range(0, row, span):
            for y in range(ty, ty + TILE):
                o = y * row + tx
                if a[o : o + span] != b[o : o + span]:
                    differing += 1
                    break
    return differing / ((HEIGHT // TILE) * (WIDTH // TILE))


def one_run(dpy: int, root: int, env: dict[str, str]) -> tuple[float, float]:
    while x.XPending(dpy):  # drop events from the previous run
        x.XNextEvent(dpy, ctypes.byref(XEvent()))
    t0 = time.monotonic()
    proc = subprocess.Popen([str(APP)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        win = 0
        mapped = 0.0
        ev = XEvent()
        while not win:
            if time.monotonic() - t0 > 20:
                raise RuntimeError("the window did not appear within 20 s")
            if not x.XPending(dpy):
                time.sleep(0.001)
                continue
            x.XNextEvent(dpy, ctypes.byref(ev))
            if ev.type == MAP_NOTIFY and window_name(dpy, ev.xmap.window) == "Vekil":
                mapped = time.monotonic() - t0
                win = ev.xmap.window
        # Keep only frames that changed: few, so comparing them later is cheap.
        frames: list[tuple[float, bytes]] = []
        last_crc = None
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            at = time.monotonic() - t0
            pixels = grab(dpy, win)
            if pixels is not None and zlib.crc32(pixels) != last_crc:
                frames.append((at, pixels))
                last_crc = zlib.crc32(pixels)
            time.sleep(0.002)
        settled = frames[-1][1]
        if os.environ.get("COLD_START_DEBUG"):
            print([(round(at * 1000), round(tiles_differing(p, settled), 3)) for at, p in frames])
        drawn = next(at for at, pixels in frames if tiles_differing(pixels, settled) <= 0.03)
        return mapped * 1000, drawn * 1000
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for exe in (APP, CLI):
        if not exe.exists():
            print(f"build it first: cargo build --release -p vekil-desktop -p vekil ({exe} missing)")
            return 2
    dpy = x.XOpenDisplay(None)
    if not dpy:
        print("no X display: run under xvfb-run")
        return 2
    x.XSetErrorHandler(ERROR_HANDLER)
    root = x.XDefaultRootWindow(dpy)
    x.XSelectInput(dpy, root, SUBSTRUCTURE_NOTIFY_MASK)
    x.XSync(dpy, 0)
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ)
        env.update(
            HOME=work,
            XDG_DATA_HOME=f"{work}/data",
            XDG_CONFIG_HOME=f"{work}/config",
            XDG_CACHE_HOME=f"{work}/cache",
            VEKIL_VAULT=f"{work}/vault",
            WEBKIT_DISABLE_DMABUF_RENDERER="1",
        )
        pass_file = Path(work) / "pass"
        pass_file.write_text("cold start bench passphrase")
        subprocess.run([str(CLI), "init"], env={**env, "VEKIL_PASSPHRASE_FILE": str(pass_file)},
                       check=True, capture_output=True)
        results = []
        for i in range(runs):
            mapped, drawn = one_run(dpy, root, env)
            results.append((mapped, drawn))
            print(f"run {i + 1}: window mapped {mapped:.0f} ms, unlock screen drawn {drawn:.0f} ms")
            time.sleep(0.5)
    print(f"median of {runs}: window mapped {statistics.median(r[0] for r in results):.0f} ms, "
          f"unlock screen drawn {statistics.median(r[1] for r in results):.0f} ms")
    print(f"release binary: {APP.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
