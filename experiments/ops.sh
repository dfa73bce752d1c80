#!/usr/bin/env bash
# Where a training step's wall time goes, by kind of operator, at 1 thread and at
# all threads: a kind whose time does not shrink with threads is serial (or
# memory-bound), the first place to look when `simclr bench` reports idle cores.
#
#   experiments/ops.sh [bench flags...]
#   experiments/ops.sh --arch resnet18 --width 0.25 --batch-size 128
#
# No PyTorch needed: this looks at simclr-go alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source experiments/lib.sh
build
machine
threads=$(nproc)
one=$(GOMAXPROCS=1 "$bin" bench --json --warmup 1 --steps 3 "$@")
all=$(GOMAXPROCS=$threads "$bin" bench --json --warmup 1 --steps 3 "$@")
$py - "$one" "$all" "$threads" <<'PY'
import json, sys
one, all_, n = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
a, b = one["op_sec_per_step"], all_["op_sec_per_step"]
print(f"step: {1000*one['step_sec']:.0f} ms at 1 thread, {1000*all_['step_sec']:.0f} ms at {n} "
      f"(speed-up {one['step_sec']/all_['step_sec']:.2f}, {100*all_['busy']:.0f}% busy)")
print(f"{'kind':14s} {'1 thread':>10s} {f'{n} threads':>10s} {'speed-up':>9s} {'share':>6s}")
for k in sorted(b, key=b.get, reverse=True):
    if b[k] < 0.0005 * all_["step_sec"]:
        continue
    print(f"{k:14s} {1000*a.get(k, 0):8.1f}ms {1000*b[k]:8.1f}ms {a.get(k, 0)/b[k] if b[k] else 0:9.2f} {100*b[k]/all_['step_sec']:5.1f}%")
PY
