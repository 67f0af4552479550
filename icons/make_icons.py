#!/usr/bin/env python3
"""Draw the Vekil app icon (a deep-teal shield holding a white balance scale
on a white rounded square) and write the PNG sizes Tauri bundling needs.

Run once after changing the design:  python3 icons/make_icons.py
Needs only Pillow (`pip install pillow`). The committed PNGs are the output;
the build never runs this script.
"""
from pathlib import Path

from PIL import Image, ImageDraw

S = 2048  # supersampled canvas; downscaled with LANCZOS for smooth edges
TEAL = (14, 92, 99, 255)
TEAL_DARK = (9, 66, 72, 255)
WHITE = (255, 255, 255, 255)
PAPER = (250, 251, 251, 255)


def bezier(p0, p1, p2, p3, n=64):
    pts = []
    for i in range(n + 1):
        t = i / n
        a = (1 - t) ** 3
        b = 3 * (1 - t) ** 2 * t
        c = 3 * (1 - t) * t**2
        d = t**3
        pts.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return pts


def shield(cx, top, w, h):
    half = w / 2
    left, right = cx - half, cx + half
    shoulder = top + h * 0.12
    bottom = top + h
    pts = []
    # top edge: gentle dip toward the centre
    pts += bezier((left, shoulder), (cx - half * 0.45, top), (cx - half * 0.2, top), (cx, top + h * 0.02))
    pts += bezier((cx, top + h * 0.02), (cx + half * 0.2, top), (cx + half * 0.45, top), (right, shoulder))
    # right side curving to the point
    pts += bezier((right, shoulder), (right, top + h * 0.55), (cx + half * 0.55, top + h * 0.82), (cx, bottom))
    # left side back up
    pts += bezier((cx, bottom), (cx - half * 0.55, top + h * 0.82), (left, top + h * 0.55), (left, shoulder))
    return pts


def draw_icon() -> Image.Image:
    img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    margin = S * 0.06
    d.rounded_rectangle((margin, margin, S - margin, S - margin), radius=S * 0.2, fill=PAPER)
    d.rounded_rectangle(
        (margin, margin, S - margin, S - margin), radius=S * 0.2, outline=(214, 226, 227, 255), width=int(S * 0.008)
    )

    cx = S / 2
    d.polygon(shield(cx, S * 0.17, S * 0.62, S * 0.7), fill=TEAL)
    d.polygon(shield(cx, S * 0.205, S * 0.54, S * 0.62), fill=TEAL_DARK)
    d.polygon(shield(cx, S * 0.225, S * 0.50, S * 0.58), fill=TEAL)

    # balance scale in white
    lw = S * 0.022
    beam_y = S * 0.37
    arm = S * 0.17
    # pillar and base
    d.rectangle((cx - lw / 2, S * 0.31, cx + lw / 2, S * 0.64), fill=WHITE)
    d.ellipse((cx - S * 0.03, S * 0.285, cx + S * 0.03, S * 0.345), fill=WHITE)
    d.rounded_rectangle((cx - S * 0.11, S * 0.63, cx + S * 0.11, S * 0.66), radius=S * 0.012, fill=WHITE)
    # beam
    d.rounded_rectangle((cx - arm, beam_y - lw / 2, cx + arm, beam_y + lw / 2), radius=lw / 2, fill=WHITE)
    # strings and pans
    for side in (-1, 1):
        px = cx + side * arm
        pan_y = S * 0.53
        d.line([(px, beam_y), (px - S * 0.07, pan_y)], fill=WHITE, width=int(S * 0.009))
        d.line([(px, beam_y), (px + S * 0.07, pan_y)], fill=WHITE, width=int(S * 0.009))
        d.pieslice((px - S * 0.085, pan_y - S * 0.07, px + S * 0.085, pan_y + S * 0.07), 0, 180, fill=WHITE)
        d.ellipse((px - S * 0.018, beam_y - S * 0.018, px + S * 0.018, beam_y + S * 0.018), fill=WHITE)
    return img


def main() -> None:
    out = Path(__file__).resolve().parent
    big = draw_icon()
    sizes = {
        "32x32.png": 32,
        "64x64.png": 64,
        "128x128.png": 128,
        "128x128@2x.png": 256,
        "icon.png": 512,
    }
    for name, px in sizes.items():
        big.resize((px, px), Image.LANCZOS).save(out / name, "PNG")
    print("wrote", ", ".join(sizes))


if __name__ == "__main__":
    main()
