#!/usr/bin/python3
"""Checks that lib/ keeps its layers: a file includes only headers of its own layer and of the
layers lib/CMakeLists.txt lists before it (arrows only downwards), and hook/ includes lib/
only through the folders. Prints each include that runs upwards; exit 1 if any."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib")


def layer_order():
    text = open(os.path.join(LIB, "CMakeLists.txt"), encoding="utf-8").read()
    order = []
    for m in re.finditer(r"^\s+([a-z_]+)/[\w/]+\.cpp", text, re.M):
        if m.group(1) not in order:
            order.append(m.group(1))
    return order


def main():
    order = layer_order()
    rank = {layer: i for i, layer in enumerate(order)}
    folders = sorted(d for d in os.listdir(LIB) if os.path.isdir(os.path.join(LIB, d)))
    bad = []
    if set(folders) != set(order):
        bad.append("lib/ folders %s and the layers of lib/CMakeLists.txt %s differ" % (folders, order))
    loose = sorted(f for f in os.listdir(LIB) if f.endswith((".cpp", ".hpp")))
    if loose:
        bad.append("files outside the layer folders: %s" % ", ".join(loose))
    include = re.compile(r'^#include "([^"]+)"', re.M)
    for layer in order:
        for dirpath, _, files in os.walk(os.path.join(LIB, layer)):
            for f in sorted(files):
                path = os.path.join(dirpath, f)
                for target in include.findall(open(path, encoding="utf-8").read()):
                    top = target.split("/")[0] if "/" in target else None
                    if top is None:
                        if not os.path.exists(os.path.join(dirpath, target)):
                            bad.append("%s includes %s, which names no layer" % (os.path.relpath(path, ROOT), target))
                        continue
                    if top not in rank:
                        bad.append("%s includes %s, which is in no layer" % (os.path.relpath(path, ROOT), target))
                    elif rank[top] > rank[layer]:
                        bad.append("%s (%s) includes %s: %s is above it" % (os.path.relpath(path, ROOT), layer, target, top))
    for line in bad:
        print(line)
    print("%d layers (%s), %d includes upwards or astray" % (len(order), " < ".join(order), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
