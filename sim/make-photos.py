#!/usr/bin/env python3
"""Writes the demo users' photos (conf/sim-photos/ID.png): 64x64 PNGs,
a coloured disc per user.  Run once; the PNGs are committed."""
import os, struct, sys, zlib

USERS = {  # id: (r, g, b)
    "amelie": (230, 120, 40), "camille": (60, 140, 200),
    "maxime": (90, 170, 90), "mallory": (160, 60, 160),
    "john": (200, 60, 60), "sophie": (240, 180, 40), "paul": (120, 120, 120),
}
SIZE = 64

def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(rgb):
    rows = b""
    for y in range(SIZE):
        row = b"\0"
        for x in range(SIZE):
            d = (x - SIZE / 2 + .5) ** 2 + (y - SIZE / 2 + .5) ** 2
            row += bytes(rgb) if d < (SIZE / 2 - 2) ** 2 else b"\xff\xff\xff"
        rows += row
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

out = sys.argv[1] if len(sys.argv) > 1 else "conf/sim-photos"
os.makedirs(out, exist_ok=True)
for name, rgb in USERS.items():
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(png(rgb))
