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


def safetensors(tensors, metadata=None):
    header = {"__metadata__": metadata} if metadata else {}
    data = b""
    for name, dtype, shape, element_bytes in tensors:
        count = 1
        for d in shape:
            count *= d
        size = count * element_bytes
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + size]}
        data += bytes(size)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def store_from_sql(sql_path):
    """A store database built from a fixture's SQL dump, as bytes."""
    db_path = pathlib.Path("/tmp") / f"carbonbench_seed_{sql_path.parent.name}.db"
    db_path.unlink(missing_ok=True)
    with sqlite3.connect(db_path) as db:
        db.executescript(sql_path.read_text())
    data = db_path.read_bytes()
    db_path.unlink()
    return data


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
    out["text_folder"] = {
        "split": b"train/pos/1.txt\0a fine film\0train/neg/2.txt\0dull<br />\0"
        b"test/pos/3.txt\0caf\xe9 scene\0test/neg/4.txt\0 \0",
        "unsplit": b"b/x.txt\0one\0a/y.txt\0two\0a/.hidden\0skip",
    }
    out["suite_reader"] = {p.name: p.read_bytes() for p in sorted((ROOT / "suites").glob("*.yaml"))}
    out["suite_reader"]["matrix.yaml"] = (
        b"name: m\ndataset: mnist\nmodels: [cnn, linear]\noptimizations: [[], [mixed_precision]]\n"
        b"train: {epochs: 2, batch_size: 64}\nmatrix:\n  lr: [0.1, 0.01]\nrepetitions: 2\n"
    )
    out["intensity_csv"] = {
        "hourly.csv": b"timestamp,g_per_kwh\n2026-11-23T14:00:00Z,212.5\n2026-11-23T15:00:00Z,198\n",
        "offsets.csv": b"# Electricity Maps, renamed\nDatetime,zone,Carbon_Intensity\n"
        b"2026-01-01 00:00+01:00,DE,300.5\n\n2026-01-01 00:30:15.5+0100,DE,280\n",
    }
    out["safetensors_header"] = {
        "two": safetensors([("w", "F32", [2, 3], 4), ("b", "BF16", [3], 2)], {"format": "pt"}),
        "scalar": safetensors([("s", "I64", [], 8), ("flag", "BOOL", [4], 1)]),
        "empty": safetensors([]),
    }
    out["bert_config"] = {
        "bert.json": json.dumps({
            "model_type": "bert", "vocab_size": 30522, "hidden_size": 128, "num_hidden_layers": 2,
            "num_attention_heads": 2, "intermediate_size": 512, "hidden_act": "gelu",
            "layer_norm_eps": 1e-12, "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
            "architectures": ["BertForSequenceClassification"]}).encode(),
        "distilbert.json": json.dumps({
            "model_type": "distilbert", "dim": 768, "n_layers": 6, "n_heads": 12,
            "hidden_dim": 3072, "activation": "gelu", "sinusoidal_pos_embds": False,
            "seq_classif_dropout": 0.2}).encode(),
    }
    vocab = "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "##lo", "un", "##aff"])
    out["wordpiece_vocabulary"] = {
        "vocab.txt": vocab.encode() + b"\n",
        "bom_crlf.txt": b"\xef\xbb\xbf" + vocab.replace("\n", "\r\n").encode(),
    }
    out["wordpiece_tokenizer"] = {
        "plain": b"\x05Hello, world! unaffable",
        "special": b"\x0e[CLS] caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 [SEP] [MASK]",
        "invalid": b"\xff\xfe\x80 abc ##b \xf0\x9f\x98\x80",
    }
    out["external_meter"] = {
        "plain": b"1234.5\n",
        "unit": b"# plug\nTotal: 12.5 kWh\n",
        "prometheus": b'plug_energy_joules_total{plug="desk 2"} 1234.5 1700000000000\n',
    }
    out["store_merge"] = {
        "store_v6.db": store_from_sql(ROOT / "tests" / "fixtures" / "store_v6" / "results.sql"),
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
