#!/usr/bin/env python3
"""pack-index.py INDEXDIR OUT -- pack an index directory into the container
that the fuzz_index target reads: records of u8 tag, u32le length, bytes.
Tag bits 0-2: 0 MANIFEST, 1 .tdi, 2 .pst, 3 .pos, 4 .len, 5 .doc, 6 .del-1,
7 .del-2; bits 3-4: segment id - 1 (segments 1..4 only)."""
import os, re, struct, sys

KIND = {"tdi": 1, "pst": 2, "pos": 3, "len": 4, "doc": 5, "del-1": 6, "del-2": 7}
src, out = sys.argv[1], sys.argv[2]
recs = []
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    if name == "MANIFEST":
        tag = 0
    else:
        m = re.fullmatch(r"seg-(\d+)\.(.+)", name)
        if not m or m.group(2) not in KIND or not 1 <= int(m.group(1)) <= 4:
            continue
        tag = KIND[m.group(2)] | (int(m.group(1)) - 1) << 3
    recs.append(struct.pack("<BI", tag, len(data)) + data)
open(out, "wb").write(b"".join(recs))
