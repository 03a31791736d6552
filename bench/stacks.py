"""Where a process spent its samples: py-spy's raw (collapsed) stacks summed by function.

    uv run python bench/stacks.py /tmp/prof/write-direct.txt [--match luoshi_] [--top 30]

Inclusive share: of all samples, how many had the function anywhere on the stack (each counted once per
stack). ``--match`` keeps frames whose file or name contains the text (e.g. ``luoshi_``, ``sqlalchemy``).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>.*?)(:\d+)?\)$")


def summarise(path: Path, match: str, top: int) -> None:
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        seen = set()
        for frame in stack.split(";"):
            m = FRAME.match(frame)
            key = f"{m['name']} ({Path(m['file']).parent.name}/{Path(m['file']).name})" if m else frame
            if match in key and key not in seen:
                seen.add(key)
                inclusive[key] += samples
    print(f"{path.name}: {total} samples")
    for key, samples in inclusive.most_common(top):
        print(f"{100 * samples / max(total, 1):6.1f}%  {key}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--match", default="")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    summarise(args.path, args.match, args.top)
