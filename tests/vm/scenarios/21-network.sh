#!/bin/bash
# network: rules: connect, bind, listen and sendmsg by address (CIDR, longest prefix decides),
# port and port range, protocol and family; IPv4-mapped IPv6 is matched as IPv4; socket creation
# by family, type and netlink protocol. Real sockets against listeners on loopback and in a
# network namespace made here; the next port, the other family, the other protocol work; audit
# lets the call through and logs it; each denial is one event with address, port, family and
# protocol.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

cat >/tmp/net.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: net}
spec:
  network:
    - operations: [connect, sendmsg]
      addresses: [127.0.0.0/8, "::1"]
      ports: [9001, "9100-9199"]
      action: deny
    - operations: [connect]
      addresses: [127.0.0.2]
      ports: [9001]
      action: allow
    - operations: [connect]
      addresses: [127.0.0.1]
      ports: [9050]
      protocols: [tcp]
      action: deny
    - operations: [connect]
      ports: [9200]
      action: deny
      mode: audit
    - operations: [bind]
      ports: ["9300-9301"]
      protocols: [udp]
      action: deny
    - operations: [listen]
      ports: [9400]
      action: deny
    - operations: [create]
      families: [packet]
      action: deny
    - operations: [create]
      families: [netlink]
      netlinkProtocols: [audit]
      action: deny
    - operations: [create]
      families: [ipv4, ipv6]
      types: [raw]
      action: deny
EOP
agent_start_with /tmp/net.yaml

# net OP FAMILY ADDR PORT [PROTO]: one socket call; prints ok or the errno name.
net() {
	python3 - "$@" <<'EOPY'
import errno, socket, sys
op, fam, addr, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
proto = sys.argv[5] if len(sys.argv) > 5 else "tcp"
family = socket.AF_INET6 if fam == "6" else socket.AF_INET
kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
try:
    s = socket.socket(family, kind)
    s.settimeout(5)
    if op == "connect":
        try:
            s.connect((addr, port))
        except (ConnectionRefusedError, socket.timeout):
            pass  # nothing listens: the LSM let it through
    elif op == "sendto":
        s.sendto(b"x", (addr, port))
    elif op == "bind":
        s.bind((addr, port))
    elif op == "listen":
        s.bind((addr, port))
        s.listen(1)
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOPY
}

# create FAMILY TYPE PROTO: socket(FAMILY, TYPE, PROTO) by numbers; ok or the errno name.
create() {
	python3 -c 'import errno, socket, sys
try:
    socket.socket(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])).close(); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "$@"
}

# A listener on 9001 and 9002 so that allowed connects really connect.
python3 -c 'import socket, time
ls = []
for p in (9001, 9002):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(8); ls.append(s)
time.sleep(600)' &
listener=$!
trap 'kill $listener 2>/dev/null || true' EXIT
sleep 1

step "connect: a denied address and port, and its neighbours"
expect_eq "connect 127.0.0.1:9001" EPERM "$(net connect 4 127.0.0.1 9001)"
expect_eq "connect 127.0.0.1:9001 as uid 1000" EPERM \
	"$(setpriv --reuid=1000 --regid=1000 --clear-groups bash -c "$(declare -f net); net connect 4 127.0.0.1 9001")"
expect_eq "connect 127.0.0.1:9002 (the next port)" ok "$(net connect 4 127.0.0.1 9002)"
expect_eq "connect 127.0.0.2:9001 (a longer prefix allows)" ok "$(net connect 4 127.0.0.2 9001)"
expect_eq "connect 127.0.0.1:9150 (in the range)" EPERM "$(net connect 4 127.0.0.1 9150)"
expect_eq "connect 127.0.0.1:9199 (range end)" EPERM "$(net connect 4 127.0.0.1 9199)"
expect_eq "connect 127.0.0.1:9200 (audit)" ok "$(net connect 4 127.0.0.1 9200)"
expect_eq "connect 127.0.0.1:9099 (below the range)" ok "$(net connect 4 127.0.0.1 9099)"

step "IPv6, and IPv4-mapped IPv6 matched as IPv4"
expect_eq "connect [::1]:9001" EPERM "$(net connect 6 ::1 9001)"
expect_eq "connect [::1]:9002" ok "$(net connect 6 ::1 9002)"
expect_eq "connect [::ffff:127.0.0.1]:9001" EPERM "$(net connect 6 ::ffff:127.0.0.1 9001)"
expect_eq "connect [::ffff:127.0.0.2]:9001 (allowed as 127.0.0.2)" ok "$(net connect 6 ::ffff:127.0.0.2 9001)"

step "protocols: a tcp-only rule leaves udp alone; sendmsg to an address is checked"
expect_eq "tcp connect 127.0.0.1:9050" EPERM "$(net connect 4 127.0.0.1 9050)"
expect_eq "udp connect 127.0.0.1:9050" ok "$(net connect 4 127.0.0.1 9050 udp)"
expect_eq "udp sendto 127.0.0.1:9001" EPERM "$(net sendto 4 127.0.0.1 9001 udp)"
expect_eq "udp sendto 127.0.0.1:9002" ok "$(net sendto 4 127.0.0.1 9002 udp)"

step "bind and listen"
expect_eq "udp bind 127.0.0.1:9300" EPERM "$(net bind 4 127.0.0.1 9300 udp)"
expect_eq "udp bind [::]:9301" EPERM "$(net bind 6 :: 9301 udp)"
expect_eq "tcp bind 127.0.0.1:9300 (rule is udp)" ok "$(net bind 4 127.0.0.1 9300)"
expect_eq "udp bind 127.0.0.1:9302" ok "$(net bind 4 127.0.0.1 9302 udp)"
expect_eq "listen on 0.0.0.0:9400" EPERM "$(net listen 4 0.0.0.0 9400)"
expect_eq "listen on 0.0.0.0:9401" ok "$(net listen 4 0.0.0.0 9401)"

step "socket creation: packet, raw IP, netlink audit; netlink route and tcp still work"
expect_eq "socket(AF_PACKET, SOCK_RAW)" EPERM "$(create 17 3 768)"
expect_eq "socket(AF_INET, SOCK_RAW, ICMP)" EPERM "$(create 2 3 1)"
expect_eq "socket(AF_INET6, SOCK_RAW, ICMPV6)" EPERM "$(create 10 3 58)"
expect_eq "socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)" EPERM "$(create 16 3 9)"
expect_eq "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)" ok "$(create 16 3 0)"
expect_eq "socket(AF_INET, SOCK_STREAM)" ok "$(create 2 1 0)"
expect_eq "ip link (netlink route) works" 0 "$(ip link show lo >/dev/null; echo $?)"

step "in a network namespace made here"
ip netns add sa-net-test
trap 'kill $listener 2>/dev/null || true; ip netns del sa-net-test 2>/dev/null || true' EXIT
ip netns exec sa-net-test ip link set lo up
expect_eq "netns: connect 127.0.0.1:9001" EPERM \
	"$(ip netns exec sa-net-test bash -c "$(declare -f net); net connect 4 127.0.0.1 9001")"
expect_eq "netns: listen on 9002 and connect to it" ok "$(ip netns exec sa-net-test python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 9002)); s.listen(1)
c = socket.create_connection(("127.0.0.1", 9002), timeout=5); print("ok")')"

step "events: one per denial, with address, port, family and protocol"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_KIND == "connect" and .SECAGENT_PORT == "9150")][0]')
expect_eq "event action" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
expect_eq "event address" 127.0.0.1 "$(jq -r .SECAGENT_ADDRESS <<<"$ev")"
expect_eq "event family" ipv4 "$(jq -r .SECAGENT_FAMILY <<<"$ev")"
expect_eq "event protocol" tcp "$(jq -r .SECAGENT_PROTOCOL <<<"$ev")"
expect_eq "event rule" /etc/secagent/policies.d/net.yaml:6:7 "$(jq -r .SECAGENT_RULE <<<"$ev")"
n=$(journal_events net 1 | jq '[.[] | select(.SECAGENT_KIND == "connect" and .SECAGENT_PORT == "9199")] | length')
expect_eq "events for the one denied connect to 9199" 1 "$n"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_ADDRESS == "::1")][0]')
expect_eq "IPv6 event address" ::1 "$(jq -r .SECAGENT_ADDRESS <<<"$ev")"
expect_eq "IPv6 event family" ipv6 "$(jq -r .SECAGENT_FAMILY <<<"$ev")"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_PORT == "9200")][0]')
expect_eq "audit event action" audit "$(jq -r .SECAGENT_ACTION <<<"$ev")"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_KIND == "sendmsg")][0]')
expect_eq "sendmsg event protocol" udp "$(jq -r .SECAGENT_PROTOCOL <<<"$ev")"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_KIND == "listen")][0]')
expect_eq "listen event port" 9400 "$(jq -r .SECAGENT_PORT <<<"$ev")"
ev=$(journal_events net 1 | jq -c '[.[] | select(.SECAGENT_KIND == "socket_create" and .SECAGENT_FAMILY == "netlink")][0]')
expect_eq "netlink create event protocol" 9 "$(jq -r .SECAGENT_PROTOCOL_NR <<<"$ev")"
expect_eq "packet create event" packet "$(journal_events net 1 | jq -r '[.[] | select(.SECAGENT_KIND == "socket_create")][0].SECAGENT_FAMILY')"

step "the agent still logs (journald over unix sockets) and reloads"
systemctl reload secagent
for i in $(seq 1 300); do [[ $(systemctl is-active secagent) == active ]] && break; sleep 0.2; done
expect_eq "status after reload" active "$(systemctl is-active secagent)"
expect_eq "connect 127.0.0.1:9001 after reload" EPERM "$(net connect 4 127.0.0.1 9001)"
systemctl stop secagent
expect_eq "connect 127.0.0.1:9001 after stop" ok "$(net connect 4 127.0.0.1 9001)"
echo "21-network: all checks passed"
