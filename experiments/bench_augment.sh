#!/usr/bin/env bash
# Back-to-back augmentation benchmark: simclr bench augment (the Stream the
# trainer reads) vs torchvision's DataLoader(batch 256, num_workers=2) on
# the same SimCLR CIFAR-10 recipe, over the first N CIFAR-10 training
# images × 2 views. Prints each round's views/s, the ratio and the median.
#
#   experiments/bench_augment.sh [ROUNDS] [DATA_DIR] [N] [PRESET] [SIZE]
#       defaults: 3 rounds, ../shared/datasets/cifar10, 10000 images, cifar, 32
#
# Needs Debian's torchvision: apt-get install python3-torch python3-torchvision
# (run by /usr/bin/python3; a pyenv python3 earlier on PATH does not see them).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
data=${2:-../shared/datasets/cifar10}
n=${3:-10000}
preset=${4:-cifar}
size=${5:-32}
source experiments/lib.sh
need torchvision bench_augment.sh "python3-torch python3-torchvision"
build
echo "recipe: $preset, ${size}px views"
machine
ratios=()
for r in $(seq 1 "$rounds"); do
	go_json=$("$bin" bench augment --json --data-dir "$data" --n "$n" --preset "$preset" --size "$size")
	tv_json=$($py experiments/bench_augment.py --data-dir "$data" --n "$n" --preset "$preset" --size "$size")
	g=$(field "$go_json" views_per_sec)
	t=$(field "$tv_json" views_per_sec)
	ratio=$($py -c "print(f'{$g/$t:.1f}')")
	ratios+=("$ratio")
	printf 'round %d: simclr-go %8.0f views/s (%s kernel)  torchvision DataLoader %6.0f views/s  ratio %s×\n' \
		"$r" "$g" "$(field "$go_json" kernel)" "$t" "$ratio"
done
median=$(median "${ratios[@]}")
echo "median ratio over $rounds rounds: ${median}×"
