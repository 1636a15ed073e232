#!/usr/bin/env bash
# srtp.sh [FILE [KEYSFILE]]
#
# Measures SRTP decryption of a single-stream capture (bench/gen's
# rtsp-big.pcap by default) against this machine's single-core OpenSSL
# rate and, when built, libsrtp's rtp_decoder:
#
#   1. `openssl speed -evp aes-128-ctr` and `openssl speed -hmac sha1` at
#      1400 bytes (OpenSSL divides by the CPU time of one core), combined as
#      1/(1/a + 1/b): the rate of AES-128-CTR plus HMAC-SHA1 of one core,
#      the work of AES_CM_128_HMAC_SHA1_80 at that size;
#   2. `mikeyscope report FILE` (all cores, and GOMAXPROCS=1) and
#      `rtp_decoder` on the same file, RUNS times each, interleaved: median
#      and best wall time, MB/s of file, median CPU time, peak RSS;
#   3. the ratios: mikeyscope MB/s of file against the OpenSSL rate (the
#      issue's target is >= 0.65x) and against rtp_decoder.
#
# Environment:
#   MIKEYSCOPE   mikeyscope binary (default: built from ./cmd/mikeyscope)
#   RTP_DECODER  libsrtp's test/rtp_decoder, built with its per-packet
#                printing compiled out (docs/performance.md says how);
#                skipped when unset
#   RUNS         runs of each program (default 9)
#   ELAPSED      when 1, OpenSSL is also measured by wall-clock time
#                (openssl speed -elapsed, 1 s each, in every round of the
#                interleaved runs): on a machine loaded by other work, the
#                rate one core gives under the same load as the runs
#
# The key, MKI and UDP port for rtp_decoder come from the "# srtp" and
# "# mki" lines bench/gen writes into rtsp-big.keys.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
file=${1:-$root/bench/out/rtsp-big.pcap}
keys=${2:-${file%.pcap}.keys}
[ -r "$file" ] || { echo "$0: cannot read $file (go run ./bench/gen -out bench/out)" >&2; exit 2; }
runs=${RUNS:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=${MIKEYSCOPE:-}
if [ -z "$bin" ]; then
	bin=$work/mikeyscope
	(cd "$root" && go build -o "$bin" ./cmd/mikeyscope) || { echo "$0: cannot build mikeyscope" >&2; exit 2; }
fi
bytes=$(stat -c %s "$file")

# OpenSSL's single-core rates at 1400 bytes, in MB/s (it prints kB/s of 1000 bytes).
speed() { openssl speed -seconds 3 -bytes 1400 "$@" 2>/dev/null | awk 'END {sub(/k$/, "", $NF); print $NF / 1000}'; }
aes=$(speed -evp aes-128-ctr)
mac=$(speed -hmac sha1)
combined=$(awk -v a="$aes" -v b="$mac" 'BEGIN {printf "%.0f", 1 / (1 / a + 1 / b)}')
printf "openssl     aes-128-ctr %.0f MB/s, hmac(sha1) %.0f MB/s at 1400 B: combined %s MB/s (one core)\n" "$aes" "$mac" "$combined"

names=(mikeyscope mikeyscope-1core)
cmds=("$bin report -keys $keys $file" "GOMAXPROCS=1 $bin report -keys $keys $file")
if [ -n "${RTP_DECODER:-}" ]; then
	srtp=$(sed -n 's/^# srtp 0x[0-9a-f]*=\([0-9a-f]*\):\([0-9a-f]*\)$/\1\2/p' "$keys")
	mki=$(sed -n 's/^# mki \([0-9a-f]*\),.*/\1/p' "$keys")
	port=$(sed -n 's/^# mki .*udp port \([0-9]*\).*/\1/p' "$keys")
	[ -n "$srtp" ] && [ -n "$port" ] || { echo "$0: no '# srtp' and '# mki' lines in $keys" >&2; exit 2; }
	names+=(rtp_decoder)
	cmds+=("$RTP_DECODER -a -e 128 -t 10 -k $srtp ${mki:+-M $mki} -f 'udp dst port $port' -p $file")
fi

for _ in $(seq "$runs"); do
	if [ "${ELAPSED:-}" = 1 ]; then
		a=$(openssl speed -elapsed -seconds 1 -bytes 1400 -evp aes-128-ctr 2>/dev/null | awk 'END {sub(/k$/, "", $NF); print $NF / 1000}')
		h=$(openssl speed -elapsed -seconds 1 -bytes 1400 -hmac sha1 2>/dev/null | awk 'END {sub(/k$/, "", $NF); print $NF / 1000}')
		awk -v a="$a" -v b="$h" 'BEGIN {printf "%.0f\n", 1 / (1 / a + 1 / b)}' >>"$work/elapsed"
	fi
	for i in "${!names[@]}"; do
		t0=$(date +%s.%N)
		/usr/bin/time -f "%U %S %M" -o "$work/t" bash -c "${cmds[$i]}" >/dev/null 2>"$work/err" || {
			[ $? -eq 1 ] || { echo "${names[$i]} failed:" >&2; tail -3 "$work/err" >&2; exit 1; }
		}
		t1=$(date +%s.%N)
		read -r u s m <"$work/t"
		echo "$(awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" 'BEGIN {printf "%.4f %.3f", b - a, u + s}') $m" >>"$work/${names[$i]}"
	done
done

declare -A median
for n in "${names[@]}"; do
	read -r med best < <(sort -n -k1 "$work/$n" | awk '{w[NR] = $1} END {print w[int((NR + 1) / 2)], w[1]}')
	read -r cpu rss < <(sort -n -k2 "$work/$n" | awk '{c[NR] = $2; if ($3 > r) r = $3} END {print c[int((NR + 1) / 2)], r}')
	median[$n]=$med
	awk -v n="$n" -v m="$med" -v b="$best" -v c="$cpu" -v r="$rss" -v B="$bytes" -v runs="$runs" 'BEGIN {
		printf "%-17s median %.3f s %6.0f MB/s | best %.3f s %6.0f MB/s | CPU %.2f s (%.0f MB/s of CPU) | peak RSS %.1f MB (%d runs)\n", n, m, B / 1e6 / m, b, B / 1e6 / b, c, B / 1e6 / c, r / 1024, runs
	}'
done
awk -v m="${median[mikeyscope]}" -v B="$bytes" -v o="$combined" 'BEGIN {
	printf "ratio       mikeyscope %.0f MB/s of file = %.2fx the OpenSSL single-core AES-CTR+HMAC-SHA1 rate (target 0.65x)\n", B / 1e6 / m, B / 1e6 / m / o
}'
if [ -s "$work/elapsed" ]; then
	e=$(sort -n "$work/elapsed" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
	awk -v m="${median[mikeyscope]}" -v B="$bytes" -v e="$e" 'BEGIN {
		printf "ratio       against OpenSSL by wall-clock time in the same rounds (median %.0f MB/s): %.2fx\n", e, B / 1e6 / m / e
	}'
fi
if [ -n "${median[rtp_decoder]:-}" ]; then
	awk -v m="${median[mikeyscope]}" -v l="${median[rtp_decoder]}" 'BEGIN {printf "ratio       mikeyscope is %.2fx the speed of libsrtp rtp_decoder (medians)\n", l / m}'
fi
