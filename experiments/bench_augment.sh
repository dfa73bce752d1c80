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
py=/usr/bin/python3
if ! $py -c 'import torchvision' 2>/dev/null; then
	echo "bench_augment.sh: $py cannot import torchvision; run: apt-get install python3-torch python3-torchvision" >&2
	exit 1
fi
bin=$(mktemp -d)/simclr
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/simclr
field() { $py -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
echo "recipe: $preset, ${size}px views"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
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
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "median ratio over $rounds rounds: ${median}×"
