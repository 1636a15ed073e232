#!/usr/bin/env bash
# live.sh [FILE]
#
# Live capture side by side: replays FILE onto the loopback interface of a
# network namespace the script creates (and removes), so that no other
# traffic of the machine is seen, with tcpreplay at increasing rates, and
# for each rate captures it once with dumpcap (libpcap, TPACKET_V3) and
# once with `mikeyscope report -i lo` (gopacket's afpacket, TPACKET_V3, the
# whole analysis behind it), interleaved. It prints per rate and tool the
# packets sent, received (what the tool got: dumpcap's "captured", the
# frames mikeyscope analysed), dropped (the kernel's count the tool
# reports), and at the end each tool's highest rate with no loss (received
# = sent, nothing dropped).
#
# FILE defaults to bench/out/live.pcap, made with
#   go run ./bench/gen -out bench/out -calls 300 -rtsp-packets 0
#   mv bench/out/calls.pcap bench/out/live.pcap
# (300 SIP/SRTP calls, 150,600 packets: the capture of issue #15).
#
# Environment:
#   RATES       packets/s to try, "top" for tcpreplay --topspeed
#               (default "25000 50000 100000 200000 400000 top")
#   FILTER      capture filter for both tools (default: none)
#   BUFFER_MIB  ring size for both tools (dumpcap -B, mikeyscope -B;
#               default mikeyscope's default, 32)
#   MIKEYSCOPE  path of a mikeyscope binary (default: built from ./cmd/mikeyscope)
#   RUNS        captures per tool and rate, interleaved (default 1)
#
# Needs root (namespaces, packet sockets), tcpreplay and dumpcap.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
file=${1:-$root/bench/out/live.pcap}
[ -r "$file" ] || { echo "$0: cannot read $file (see the header of this script)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespace, packet sockets)" >&2; exit 2; }
for t in tcpreplay dumpcap ip; do
	command -v $t >/dev/null || { echo "$0: $t is not installed (apt-get install tcpreplay wireshark-common iproute2)" >&2; exit 2; }
done
rates=${RATES:-25000 50000 100000 200000 400000 top}
filter=${FILTER:-}
buf=${BUFFER_MIB:-32}
runs=${RUNS:-1}

work=$(mktemp -d)
ns=msbench$$
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
inns() { ip netns exec "$ns" "$@"; }

bin=${MIKEYSCOPE:-}
if [ -z "$bin" ]; then
	bin=$work/mikeyscope
	(cd "$root" && go build -o "$bin" ./cmd/mikeyscope) || { echo "$0: cannot build mikeyscope" >&2; exit 2; }
fi

# replay RATE: sends the file onto lo in the namespace; prints the number
# of packets tcpreplay says it sent and the rate it reached.
replay() {
	local rate=$1 opt
	if [ "$rate" = top ]; then opt=--topspeed; else opt=--pps=$rate; fi
	inns tcpreplay -q -i lo $opt "$file" 2>&1 | awk '/Actual:/ {n=$2} /Rated:/ {for (i=1;i<=NF;i++) if ($i ~ /^pps/) r=$(i-1)} END {printf "%s %d\n", n, r}'
}

# waitfor FILE PATTERN: until the tool says it is capturing.
waitfor() {
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "$0: the capture did not start: $(cat "$1")" >&2
	return 1
}

# run_dumpcap RATE: sets sent, received, dropped.
run_dumpcap() {
	local out=$work/dumpcap.err
	ip netns exec "$ns" dumpcap -q -i lo ${filter:+-f "$filter"} -B "$buf" -w "$work/d.pcapng" >"$out" 2>&1 &
	local pid=$!
	waitfor "$out" "Capturing on"
	read -r sent pps < <(replay "$1")
	sleep 2 # let it empty the ring
	kill -TERM $pid
	wait $pid || true
	received=$(awk -F': ' '/Packets captured:/ {print $2; exit}' "$out")
	dropped=$(sed -n "s/.*Packets received\/dropped on interface '[^']*': [0-9]*\/\([0-9]*\).*/\1/p" "$out" | head -1)
	[ -n "$received" ] || { received=?; echo "dumpcap: $(tr '\n' ' ' <"$out")" >&2; }
	[ -n "$dropped" ] || dropped=?
	rm -f "$work/d.pcapng"
}

# run_mikeyscope RATE: sets sent, received, dropped.
run_mikeyscope() {
	local out=$work/ms.json err=$work/ms.err
	# mikeyscope says nothing when it starts: it is capturing once its
	# AF_PACKET socket exists, seen in /proc/net/packet of the namespace.
	local before
	before=$(inns cat /proc/net/packet | wc -l)
	ip netns exec "$ns" "$bin" report --json -i lo ${filter:+-f "$filter"} -B "$buf" --fail-on none >"$out" 2>"$err" &
	local pid=$!
	for _ in $(seq 1 200); do
		[ "$(inns cat /proc/net/packet | wc -l)" -gt "$before" ] && break
		sleep 0.05
	done
	sleep 0.2
	read -r sent pps < <(replay "$1")
	sleep 2
	kill -TERM $pid
	wait $pid || true
	read -r received dropped < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["frames"], (s.get("live_capture") or {}).get("kernel_dropped", "?"))' "$out") || { cat "$err" >&2; received=? dropped=?; }
}

printf "capture: %s\nfilter: %s  ring: %s MiB  runs per rate: %s  machine: %s cores, load %s\n\n" \
	"$file" "${filter:-none}" "$buf" "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s | %-36s | %-36s\n" "rate" "dumpcap: sent (pps) recv dropped" "mikeyscope: sent (pps) recv dropped"
best_d=none best_m=none
for rate in $rates; do
	ok_d=1 ok_m=1
	for _ in $(seq 1 "$runs"); do
		run_dumpcap "$rate"
		ds=$sent dp=$pps dr=$received dd=$dropped
		run_mikeyscope "$rate"
		ms=$sent mp=$pps mr=$received md=$dropped
		printf "%-8s | %7s (%6s) %7s %7s   | %7s (%6s) %7s %7s\n" "$rate" "$ds" "$dp" "$dr" "$dd" "$ms" "$mp" "$mr" "$md"
		{ [ "$dr" = "$ds" ] && [ "$dd" = 0 ]; } || ok_d=0
		{ [ "$mr" = "$ms" ] && [ "$md" = 0 ]; } || ok_m=0
	done
	# The highest rate at which every run was without loss.
	[ $ok_d = 1 ] && best_d=$rate
	[ $ok_m = 1 ] && best_m=$rate
done
printf "\nhighest rate with no loss in every run: dumpcap %s, mikeyscope %s (packets/s; top = tcpreplay --topspeed)\n" "$best_d" "$best_m"
printf "(dumpcap's dropped count on lo includes the kernel's outgoing copies, which libpcap discards in user space)\n"
