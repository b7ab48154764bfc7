#!/bin/sh
# The router lab of lesson 5 (root, Linux): two networks and a router made of network
# namespaces, real ARP and DNS across the router, captured on both sides.
#
#   nl5-a (client)            nl5-r (router, ip_forward=1)            nl5-b (DNS server)
#   veth-a 10.0.1.2/24 ------ veth-ra 10.0.1.1 | veth-rb 10.0.2.1 ------ veth-b 10.0.2.53/24
#   02:00:00:00:0a:01         02:00:00:00:0a:fe  02:00:00:00:0b:fe        02:00:00:00:0b:01
#
# usage: sh router-lab.sh COMMAND...
#   COMMAND... runs arp-dns-walkthrough, for example: cargo run -q -p arp-dns-walkthrough --
#   The namespaces are named nl5-PID-a, nl5-PID-r and nl5-PID-b (PID: this script's process
#   id), so two runs never collide; NETLAB_NS_PREFIX replaces the nl5-PID part.
# Everything it creates (namespaces, veths, processes, files) is removed on exit.
set -eu
if [ "$#" -eq 0 ]; then echo "usage: sh $0 COMMAND... (the arp-dns-walkthrough binary)" >&2; exit 2; fi
P=${NETLAB_NS_PREFIX:-nl5-$$}
A=$P-a; R=$P-r; B=$P-b
OUT=$(mktemp -d)
PIDS=""
cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
    for ns in $A $R $B; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$OUT"
}
trap cleanup EXIT INT TERM

# wait_for FILE TEXT: poll (at most 10 s) until FILE contains TEXT.
wait_for() {
    tries=0
    until grep -q "$2" "$1" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; fi
        sleep 0.1
    done
}

for ns in $A $R $B; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1   # no IPv6 noise
done
ip link add veth-a netns "$A" type veth peer name veth-ra netns "$R"
ip link add veth-b netns "$B" type veth peer name veth-rb netns "$R"
ip -n "$A" link set veth-a address 02:00:00:00:0a:01
ip -n "$R" link set veth-ra address 02:00:00:00:0a:fe
ip -n "$R" link set veth-rb address 02:00:00:00:0b:fe
ip -n "$B" link set veth-b address 02:00:00:00:0b:01
ip -n "$A" addr add 10.0.1.2/24 dev veth-a
ip -n "$R" addr add 10.0.1.1/24 dev veth-ra
ip -n "$R" addr add 10.0.2.1/24 dev veth-rb
ip -n "$B" addr add 10.0.2.53/24 dev veth-b
for pair in "$A veth-a" "$R veth-ra" "$R veth-rb" "$B veth-b"; do
    ns=${pair% *}; dev=${pair#* }
    ip -n "$ns" link set "$dev" up
done
ip -n "$A" route add default via 10.0.1.1
ip -n "$B" route add default via 10.0.2.1
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1     # the namespace becomes a router

# The DNS server on the far network.
ip netns exec "$B" dnsmasq -C /dev/null -k -p 53 --listen-address=10.0.2.53 --bind-interfaces \
    --no-resolv --no-hosts --local-ttl=300 --pid-file= --log-facility="$OUT/dnsmasq.log" \
    --host-record=baidu.com,10.0.2.2 &
PIDS="$PIDS $!"
wait_for "$OUT/dnsmasq.log" started

# Capture the DNS exchange on both sides of the router (2 packets each). tcpdump prints
# "listening on" once its filter is installed, so nothing sent after that line is missed
# (tshark's "Capturing on" can come before its capture is live). `timeout` bounds the wait
# below if a packet is lost anyway.
ip netns exec "$A" timeout 20 tcpdump -i veth-a -U -c 2 -w "$OUT/a.pcap" 'udp port 53' 2>"$OUT/a.log" &
TA=$!; PIDS="$PIDS $TA"
ip netns exec "$B" timeout 20 tcpdump -i veth-b -U -c 2 -w "$OUT/b.pcap" 'udp port 53' 2>"$OUT/b.log" &
TB=$!; PIDS="$PIDS $TB"
wait_for "$OUT/a.log" "listening on"
wait_for "$OUT/b.log" "listening on"

echo "== step 1: the client ARPs for its gateway (our AF_PACKET socket)"
ip netns exec "$A" "$@" arp send --interface veth-a --sender-ip 10.0.1.2 --target-ip 10.0.1.1
echo "== step 2: DNS across the router"
ip netns exec "$A" "$@" dns resolve baidu.com --server 10.0.2.53 --id 0x44cb
wait "$TA" "$TB"
for side in a b; do
    echo "== capture on veth-$side: eth.src eth.dst ip.src ip.dst ttl"
    tshark -r "$OUT/$side.pcap" -T fields -e eth.src -e eth.dst -e ip.src -e ip.dst -e ip.ttl -e dns.flags.response 2>/dev/null |
        awk '{ print $1, $2, $3, $4, "ttl=" $5, ($6 == "1" ? "answer" : "query") }'
done

echo "== step 3: our user-space ARP responder answers arping for 10.0.2.99"
ip netns exec "$B" "$@" arp respond --interface veth-b --ip 10.0.2.99 --count 1 --timeout 5 >"$OUT/respond.log" &
RP=$!; PIDS="$PIDS $RP"
wait_for "$OUT/respond.log" "answering ARP"
ip netns exec "$R" arping -c 1 -w 3 -I veth-rb 10.0.2.99 | grep -i 'reply from'
wait "$RP"
cat "$OUT/respond.log"
