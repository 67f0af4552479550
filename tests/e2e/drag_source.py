#!/usr/bin/python3
"""A tiny GTK 3 window that offers one file for dragging, as a file manager does.

Test-only (tests/e2e/run.py). Usage: drag_source.py FILE X Y

It shows a 200x120 button at (X, Y) on the X screen; dragging from it offers
FILE as `text/uri-list`, the target a file manager offers (Nautilus,
Thunar). Prints "ready" once mapped, and "sent" each time a drop target
asked for the data. There is no window manager under Xvfb, so the position
asked for is the one used.
"""

import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

path, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
uri = GLib.filename_to_uri(path, None)

win = Gtk.Window(title="vekil-e2e-drag-source")
win.set_decorated(False)
win.move(x, y)
win.set_default_size(200, 120)
button = Gtk.Button(label="drag me")
win.add(button)
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()


def on_get(_widget, _ctx, data, _info, _time):
    data.set_uris([uri])
    print("sent", flush=True)


button.connect("drag-data-get", on_get)
win.connect("destroy", Gtk.main_quit)
win.connect("map-event", lambda *_: print("ready", flush=True))
win.show_all()
Gtk.main()
