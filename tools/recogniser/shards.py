"""Reading the line shards that `ekyc-lines` writes.

A record is the line's width (u16 LE), its label's length in bytes (u16 LE),
the UTF-8 label, then width x 32 grey pixels, row by row.
"""
import struct

import numpy as np

HEIGHT = 32


def read_shard(path):
    """Yields (label, image) pairs; image is a uint8 array of 32 x width."""
    data = open(path, "rb").read()
    offset = 0
    while offset < len(data):
        width, length = struct.unpack_from("<HH", data, offset)
        offset += 4
        label = data[offset:offset + length].decode("utf-8")
        offset += length
        pixels = np.frombuffer(data, np.uint8, HEIGHT * width, offset)
        offset += HEIGHT * width
        yield label, pixels.reshape(HEIGHT, width)
