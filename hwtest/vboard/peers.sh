# shellcheck shell=bash disable=SC2154 # here and work come from boot.sh
# peers.sh: the host side of the intercom scenario (sourced by boot.sh, which runs inside a
# network namespace of its own: `unshare -n`, so nothing here touches the host's network
# and ports 5060/5070 never clash with other tests).
#
# In the namespace, lo carries 127.0.0.1 and 10.0.2.15/32. QEMU's user-mode net delivers the
# guest's packets for 10.0.2.2 to 127.0.0.1 (Kamailio :5060, sipp :5070, sipp's RTP); the
# peers reach the guest's own address 10.0.2.15 (its Contact and SDP) through hostfwd
# sockets bound to 10.0.2.15 here. tcpdump records the RTP for rtpsnr.

peer_rtp_ports="10000 10001 10002 10003 10004 10005 10006 10007" # [media] rtp_ports in guest/intercom.toml

peers_start() { # WORK
	local w=$1/peers mpath f
	mkdir -p "$w"
	ip link set lo up
	ip addr add 10.0.2.15/32 dev lo
	mpath=
	for f in /usr/lib/*/kamailio/modules/tm.so /usr/lib/kamailio/modules/tm.so; do
		if [ -e "$f" ]; then mpath=$(dirname "$f"); break; fi
	done
	if [ -z "$mpath" ]; then echo "VBOARD FAIL host: kamailio modules not found"; return 1; fi
	sed "s|@MPATH@|$mpath|" "$here/host/kamailio.cfg" >"$w/kamailio.cfg"
	"$1/host/rtpsnr" gen -hz 400 -seconds 30 -o "$w/tone400.pcma"
	sed "s|@TONE@|$w/tone400.pcma|" "$here/host/peer-uas.xml" >"$w/peer-uas.xml"

	kamailio -f "$w/kamailio.cfg" -DD -E -m 32 -M 4 -Y "$w" -P "$w/kamailio.pid" -w "$w" \
		>"$w/kamailio.log" 2>&1 &
	echo $! >"$w/kamailio.bgpid"
	tcpdump -i lo -n -U -s 0 -w "$w/call.pcap" 'udp and not port 5060 and not port 5070' \
		>"$w/tcpdump.log" 2>&1 &
	echo $! >"$w/tcpdump.bgpid"
	# -timeout is sipp's whole run: the echo call comes after the go tests and the board
	# tests in the same boot (over 2 min on a loaded armhf guest); run.sh's timeout is the
	# real bound.
	(cd "$w" && exec sipp -sf "$w/peer-uas.xml" -i 127.0.0.1 -p 5070 -mi 127.0.0.1 -mp 6000 \
		-m 2 -nostdin -timeout 900s -trace_err -trace_msg -trace_screen \
		>"$w/sipp.out" 2>&1) &
	echo $! >"$w/sipp.bgpid"

	for _ in $(seq 50); do
		if ss -lun | grep -q '127.0.0.1:5060 ' && ss -lun | grep -q '127.0.0.1:5070 '; then
			return 0
		fi
		sleep 0.1
	done
	echo "VBOARD FAIL host: peers did not come up (kamailio: $(tail -n 3 "$w/kamailio.log" | tr '\n' ' '))"
	return 1
}

peers_hostfwd() {
	local s=",hostfwd=udp:10.0.2.15:5060-:5060" p
	for p in $peer_rtp_ports; do s="$s,hostfwd=udp:10.0.2.15:$p-:$p"; done
	echo "$s"
}

peers_stop() {
	local w=$work/peers f
	for f in sipp kamailio tcpdump; do
		[ -f "$w/$f.bgpid" ] || continue
		kill "$(cat "$w/$f.bgpid")" 2>/dev/null || true
		wait "$(cat "$w/$f.bgpid")" 2>/dev/null || true
		rm -f "$w/$f.bgpid"
	done
}

# peers_report WORK: host-side figures of the call; non-zero when one is out of bounds.
peers_report() {
	local w=$1/peers rc=0 out
	if out=$("$1/host/rtpsnr" analyze -pcap "$w/call.pcap" -dst 127.0.0.1 -nth 1 -hz 1000 -min-db 30 -tail 3s -prefix to_peer_ 2>&1); then
		# shellcheck disable=SC2086,SC2116 # unquoted on purpose: one line, whitespace collapsed
		echo "VBOARD HOST $(echo $out)"
	else
		echo "VBOARD FAIL host: intercom->peer tone: $out"
		rc=1
	fi
	peers_echo "$1" || rc=1
	if grep -q 'VBOARD-KAM registered sip:door@.* expires=0' "$w/kamailio.log" ||
		grep -q 'VBOARD-KAM REGISTER .* expires=0 ' "$w/kamailio.log"; then
		echo "VBOARD HOST unregistered_on_sigterm=yes"
	else
		echo "VBOARD FAIL host: no REGISTER with Expires: 0 reached Kamailio"
		rc=1
	fi
	return $rc
}

# peers_echo WORK: the second call, through the guest's room with echo cancelling on
# (vboardcheck's echoCall). The guest reports the level of the peer's 400 Hz in the echo it
# added (what would come back without the canceller); here the door's stream of that call
# must carry it at least 40 dB lower over the last 4 s (the canceller converged), and its
# visitor (1013 Hz) within 3 dB of the first call's 1 kHz (same amplitude, no echo, no processing).
peers_echo() {
	local w=$1/peers in out
	in=$(grep -o 'room_echo_400_dbfs=[-0-9.]*' "$1/console.log" | tail -n 1 | cut -d= -f2)
	if [ -z "$in" ]; then
		# The guest's scenario failed before the echo call and says so in its marker.
		echo "VBOARD HOST echo=not-run (no room figure from the guest)"
		return 0
	fi
	if out=$("$1/host/rtpsnr" echo -pcap "$w/call.pcap" -dst 127.0.0.1 -nth 2 -ref-nth 1 -far-hz 400 -near-hz 1013 -ref-hz 1000 \
		-echo-dbfs "$in" -last 4s -min-loss 40 -max-near-change 3 2>&1); then
		echo "VBOARD HOST $(printf '%s' "$out" | tr '\n' ' ')"
	else
		echo "VBOARD FAIL host: echo call: $(printf '%s' "$out" | tr '\n' ' ')"
		return 1
	fi
}

peers_dump() { # WORK: logs for a failed run
	local w=$1/peers f
	for f in kamailio.log sipp.out; do
		[ -f "$w/$f" ] && { echo "--- $f"; tail -n 40 "$w/$f"; }
	done
	for f in "$w"/*_errors.log "$w"/*_messages.log; do
		[ -f "$f" ] && { echo "--- ${f##*/}"; tail -n 80 "$f"; }
	done
	return 0
}
