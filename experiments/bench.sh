#!/usr/bin/env bash
# Back-to-back training-step benchmark: simclr bench vs the same step in
# PyTorch (experiments/bench_torch.py), several rounds per batch size.
# Prints each round's views/s, the ratio Go/PyTorch and the median ratio.
#
#   experiments/bench.sh [ROUNDS] [BATCH...]      (defaults: 3 rounds, batch 256)
#   ARCH=resnet18 WIDTHS="0.25 0.5 1" experiments/bench.sh 3 128 256
#   MODE=eval ARCH=resnet18 experiments/bench.sh 3 256   (the feature pass: eval-mode forward, images/s)
#   WARMUP=1 STEPS=2 ARCH=resnet18 WIDTHS=1 experiments/bench.sh 2 128   (fewer steps per round; default 2 and 5)
#
# Needs Debian's PyTorch: apt-get install python3-torch (run by /usr/bin/python3;
# a pyenv python3 earlier on PATH does not see Debian's packages).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
batches=("${@:-256}")
[ ${#batches[@]} -gt 0 ] || batches=(256)
source experiments/lib.sh
need torch bench.sh python3-torch
build
machine
arch=${ARCH:-small}
opts=(--warmup "${WARMUP:-2}" --steps "${STEPS:-5}") unit=views/s
[ "${MODE:-train}" = eval ] && opts+=(--eval) unit=images/s
for width in ${WIDTHS:-1}; do
for b in "${batches[@]}"; do
	ratios=()
	for r in $(seq 1 "$rounds"); do
		go_json=$("$bin" bench --json --batch-size "$b" --arch "$arch" --width "$width" "${opts[@]}")
		pt_json=$($py experiments/bench_torch.py --batch-size "$b" --threads 2 --arch "$arch" --width "$width" "${opts[@]}")
		g=$(field "$go_json" images_per_sec)
		p=$(field "$pt_json" images_per_sec)
		gr=$(field "$go_json" peak_rss_bytes)
		pr=$(field "$pt_json" peak_rss_bytes)
		gf=$($py -c "import json,sys; print(json.loads(sys.argv[1]).get('peak_fraction', 0))" "$go_json")
		ratio=$($py -c "print(f'{$g/$p:.3f}')")
		ratios+=("$ratio")
		printf '%s×%s batch %4d round %d: go %7.1f %s (%.0f%% of peak, RSS %4.0f MB)  pytorch %7.1f %s (RSS %4.0f MB)  ratio %s  RSS ratio %.2f\n' \
			"$arch" "$width" "$b" "$r" "$g" "$unit" "$($py -c "print(100*$gf)")" "$($py -c "print($gr/1e6)")" "$p" "$unit" "$($py -c "print($pr/1e6)")" "$ratio" "$($py -c "print($gr/$pr)")"
	done
	median=$(median "${ratios[@]}")
	echo "$arch×$width batch $b: median ratio go/pytorch $median over $rounds rounds"
done
done
