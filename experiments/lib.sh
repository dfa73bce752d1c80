# Shared by the back-to-back benchmark scripts (source it from the
# repository root): the reference interpreter, its module check, a fresh
# simclr binary, JSON field access and the machine line.
#
# Debian's python3 runs the references: a pyenv python3 earlier on PATH
# does not see Debian's python3-torch / python3-torchvision.
py=/usr/bin/python3

# PyTorch at its best: glibc's malloc on transparent huge pages, or every step
# faults its large tensors in again (see experiments/bench_torch.py).
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}

# need MODULE SCRIPT PACKAGES: stop unless $py can import MODULE.
need() {
	if ! $py -c "import $1" 2>/dev/null; then
		echo "$2: $py cannot import $1; run: apt-get install $3" >&2
		exit 1
	fi
}

# build sets bin to a simclr built from this tree, removed on exit.
build() {
	bin=$(mktemp -d)/simclr
	trap 'rm -rf "$(dirname "$bin")"' EXIT
	go build -o "$bin" ./cmd/simclr
}

# field JSON KEY prints one field of a JSON object.
field() { $py -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

machine() { echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"; }

# median N...: the median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
