#!/usr/bin/python3
"""Read and write safetensors files with json + numpy (no safetensors package).

Layout: an 8-byte little-endian header length N, N bytes of JSON, then the
tensor bytes. The JSON maps each tensor name to {"dtype", "shape",
"data_offsets": [begin, end]} (offsets relative to the start of the data
section) and holds "__metadata__", an object of string keys and string
values. Tensors are packed in the order given, with no gaps; the header is
padded with spaces to a multiple of 8 bytes, so the data section starts
8-aligned.
"""

import json
import struct

import numpy as np

# dtype name -> (numpy storage dtype, bytes per element)
_STORAGE = {
    "F32": (np.dtype("<f4"), 4),
    "F16": (np.dtype("<f2"), 2),
    "BF16": (np.dtype("<u2"), 2),
    "I64": (np.dtype("<i8"), 8),
    "I32": (np.dtype("<i4"), 4),
}

FLOAT_DTYPES = ("F32", "F16", "BF16")


def _to_bf16_bits(a):
    """float32 -> bfloat16 bit patterns, rounded to nearest even (NaN kept NaN)."""
    bits = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    out = rounded.astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        out[nan] = 0x7FC0
    return out


def _from_bf16_bits(u):
    return (u.astype(np.uint32) << 16).view("<f4")


def encode(array, dtype):
    """The little-endian bytes of `array` stored as `dtype`."""
    a = np.asarray(array)
    if dtype == "F32":
        return np.ascontiguousarray(a, dtype="<f4").tobytes()
    if dtype == "F16":
        f = np.ascontiguousarray(a, dtype="<f4")
        h = f.astype("<f2")
        if not np.array_equal(np.isfinite(f), np.isfinite(h)):
            raise ValueError("value out of float16 range")
        return h.tobytes()
    if dtype == "BF16":
        return _to_bf16_bits(np.asarray(a, dtype=np.float32)).tobytes()
    if dtype == "I64":
        return np.ascontiguousarray(a, dtype="<i8").tobytes()
    if dtype == "I32":
        return np.ascontiguousarray(a, dtype="<i4").tobytes()
    raise ValueError("unsupported dtype %r" % dtype)


def write(path, tensors, metadata=None, dtype="F16"):
    """Write `tensors` (dict name -> numpy array, in order) to `path`.

    Floating-point arrays are stored as `dtype` ("F16", "F32" or "BF16");
    integer arrays as I64. `metadata` is a dict of str -> str.
    """
    if dtype not in FLOAT_DTYPES:
        raise ValueError("float dtype must be one of %s" % (FLOAT_DTYPES,))
    metadata = dict(metadata or {})
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError("metadata must map str to str (%r)" % (k,))
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        if name == "__metadata__":
            raise ValueError("reserved tensor name")
        a = np.asarray(array)
        if a.dtype.kind in "iub":
            dt = "I64"
        elif a.dtype.kind == "f":
            dt = dtype
        else:
            raise TypeError("tensor %s: unsupported numpy dtype %s" % (name, a.dtype))
        blob = encode(a, dt)
        header[name] = {
            "dtype": dt,
            "shape": [int(d) for d in a.shape],
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read(path):
    """Read `path`: (dict name -> numpy array, metadata dict).

    Float tensors come back as float32, integer tensors as int64, in the
    order of their data offsets.
    """
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: shorter than the header length" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError("%s: header length past the end of the file" % path)
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        dt = info["dtype"]
        if dt not in _STORAGE:
            raise ValueError("%s: tensor %s has unsupported dtype %s" % (path, name, dt))
        storage, size = _STORAGE[dt]
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * size or end > len(data):
            raise ValueError("%s: tensor %s: bad data_offsets" % (path, name))
        a = np.frombuffer(data, dtype=storage, count=count, offset=begin).reshape(shape)
        if dt == "BF16":
            a = _from_bf16_bits(a)
        if dt in FLOAT_DTYPES:
            a = a.astype(np.float32)
        else:
            a = a.astype(np.int64)
        tensors[name] = a
    return tensors, metadata


def dtypes(path):
    """name -> stored dtype string, from the header alone."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    header.pop("__metadata__", None)
    return {k: v["dtype"] for k, v in header.items()}
