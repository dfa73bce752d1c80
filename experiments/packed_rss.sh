#!/bin/sh
# Training on a packed dataset larger than memory: pack CIFAR-10, replicate its training split
# REPS times into one pack file (REPS 30: 1.5M images, 4.6 GB), then train on it inside a memory
# cgroup (v1) limited to LIMIT_MB, and report the process's peak RSS and the file's size.
#   sudo experiments/packed_rss.sh [REPS] [LIMIT_MB] [SECONDS]    (root: it makes a cgroup)
set -eu
REPS=${1:-30} LIMIT_MB=${2:-1024} SECONDS_=${3:-120}
DATA=${DATA:-../shared/datasets/cifar10}
work=$(mktemp -d /tmp/packed-rss.XXXXXX)
trap 'rm -rf "$work"; rmdir /sys/fs/cgroup/memory/simclr-rss 2>/dev/null || true' EXIT
go build -o "$work/simclr" ./cmd/simclr
"$work/simclr" pack --dataset cifar10 --data-dir "$DATA" --out "$work/c10" >/dev/null
mkdir "$work/big"
cp "$work/c10/test.pack" "$work/big/test.pack"
/usr/bin/python3 - "$work/c10/train.pack" "$work/big/train.pack" "$REPS" <<'PY'
import struct, sys
src, dst, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
b = open(src, "rb").read()
ver, c, h, w = struct.unpack_from("<4I", b, 8)
n, labels_at, classes_at = struct.unpack_from("<3Q", b, 24)
size = c * h * w
with open(dst, "wb") as f:
    hdr = bytearray(b[:4096])
    N = n * reps
    struct.pack_into("<3Q", hdr, 24, N, 4096 + N * size, 4096 + N * size + 4 * N)
    f.write(hdr)
    for _ in range(reps):
        f.write(b[4096:labels_at])
    for _ in range(reps):
        f.write(b[labels_at:classes_at])
    f.write(b[classes_at:])
PY
cg=/sys/fs/cgroup/memory/simclr-rss
mkdir -p $cg
echo $((LIMIT_MB * 1024 * 1024)) > $cg/memory.limit_in_bytes
sync; echo 1 > /proc/sys/vm/drop_caches # start cold: the file's pages are read (and charged) while training
echo "pack file: $(du -m "$work/big/train.pack" | cut -f1) MB; memory limit: $LIMIT_MB MB; training for ${SECONDS_} s"
sh -c "echo \$\$ > $cg/cgroup.procs; exec $work/simclr train --dataset packed --data-dir $work/big --batch-size 64 \
	--epochs 1 --knn-queries -1 --out $work/run" > "$work/log" 2>&1 &
pid=$!
peak_rss=0 peak_anon=0 peak_file=0
for _ in $(seq 1 $((SECONDS_ / 2))); do
	sleep 2
	[ -r /proc/$pid/status ] || break
	eval "$(awk '/^VmRSS|^RssAnon|^RssFile/ {gsub(":", ""); print $1 "=" $2}' /proc/$pid/status)"
	[ "${VmRSS:-0}" -gt $peak_rss ] && peak_rss=$VmRSS
	[ "${RssAnon:-0}" -gt $peak_anon ] && peak_anon=$RssAnon
	[ "${RssFile:-0}" -gt $peak_file ] && peak_file=$RssFile
done
kill -INT $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
grep -E "^train: simclr|epoch 1/1 step" "$work/log" | tail -2
echo "peak RSS $((peak_rss / 1024)) MB (anonymous $((peak_anon / 1024)) MB, file-backed $((peak_file / 1024)) MB), sampled every 2 s"
echo "cgroup peak (process + its page cache): $(($(cat $cg/memory.max_usage_in_bytes) / 1048576)) MB; $(grep oom_kill $cg/memory.oom_control | tr '\n' ' ')"
