#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora: OUT/<target>/<seed>, one folder per fuzzer.

Seeds are small valid (and a few nearly valid) inputs of each format, made
from the repository's own files where it has them (suites/, harness/data/,
tests/fixtures/) and otherwise written here, so no binary file is committed.
"""
import gzip
import json
import pathlib
import sqlite3
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def idx(dims, fill=7):
    count = 1
    for d in dims:
        count *= d
    header = bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return header + bytes((fill + i) % 256 for i in range(count))


def cifar(variant, records):
    label_bytes = b"\x03" if variant == 10 else b"\x01\x2a"
    return bytes([0 if variant == 10 else 1]) + (label_bytes + bytes(3072)) * records


def seeds():
    out = {}
    out["idx"] = {
        "images": idx([2, 4, 4]),
        "labels": idx([3]),
        "images.gz": gzip.compress(idx([1, 28, 28])),
        "vector": idx([5], fill=250),
    }
    out["cifar"] = {"cifar10_two": cifar(10, 2), "cifar100_one": cifar(100, 1)}
    out["text_csv"] = {
        "plain.csv": b"text,label\ngreat film,pos\nawful,neg\n",
        "quoted.csv": b'id,Label,TEXT\r\n1,1,"a, ""quoted""\nreview"\r\n2,0,fine\r\n',
        "numeric.csv": b"\xef\xbb\xbftext,label\nx,0\ny,2\nz,1\n",
    }
    out["time_series"] = {
        "monthly.csv": b"date,value\n1958-03,315.7\n1958-04,317.5\n1958-05,NA\n1958-06,317.3\n"
        b"1958-07,315.9\n1958-08,314.9\n",
        "quoted.csv": b'"when","co2"\r\n2020-01-01,"1.5"\r\n2020-01-02,\r\n2020-01-03,2e1\r\n'
        b"2020-01-04,3\r\n2020-01-05,4\r\n",
    }
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py OUT_DIR")
    out_dir = pathlib.Path(sys.argv[1])
    for target, files in seeds().items():
        folder = out_dir / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)


if __name__ == "__main__":
    main()
