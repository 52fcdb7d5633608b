# init.sh: the virtual board's /init, after run.sh's header (VBOARD_ARCH, VBOARD_SCENARIOS,
# shellcheck shell=sh disable=SC2086
# VBOARD_MODS). Prints exactly one VBOARD SUCCESS or VBOARD FAIL line, then powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
read -r up_init _ </proc/uptime

MODDIR=/lib/modules/vboard
# Two loopback cards with one substream each: card 0 carries what the intercom captures
# (checker plays on 0,0; intercom reads 0,1), card 1 what it plays (intercom writes 1,0;
# checker reads 1,1). One substream each leaves no doubt about which twin a stream lands on.
ALOOP_ARGS="enable=1,1 pcm_substreams=1,1 id=Loopback,Speaker"
FIG=/tmp/figures
: >"$FIG"
export VBOARD_FIGURES=$FIG

fail() {
	echo "VBOARD FAIL arch=$VBOARD_ARCH $*"
	sync
	poweroff -f
	sleep 10
}
# Scenario failures are collected so one failing step does not hide the others.
failures=
note_fail() {
	echo "vboard: FAILED: $*"
	failures="$failures${failures:+; }$*"
}
has() { case ",$VBOARD_SCENARIOS," in *",$1,"*) return 0 ;; esac; return 1; }

# Modules in dependency order; arm64 has virtio built in, run.sh left those out.
for m in $VBOARD_MODS; do
	case $m in
	snd-aloop)
		insmod $MODDIR/snd-aloop.ko $ALOOP_ARGS || fail "insmod snd-aloop"
		;;
	configfs)
		insmod $MODDIR/configfs.ko || fail "insmod configfs"
		mount -t configfs none /sys/kernel/config || fail "mount configfs"
		;;
	*) insmod $MODDIR/$m.ko || fail "insmod $m" ;;
	esac
done
insmod $MODDIR/irq-sim.ko || fail "insmod irq-sim"
insmod $MODDIR/gpio-sim.ko || fail "insmod gpio-sim"

# gpio-sim chip. The relay line is active high and pulled down (gpio-sim's default), the
# safe level a crashed intercom leaves behind.
sim=/sys/kernel/config/gpio-sim/vboard
mkdir $sim $sim/bank0 || fail "configfs gpio-sim"
echo 8 >$sim/bank0/num_lines
i=0
for n in bell led-status led-call relay-door exit sensor spare6 spare7; do
	mkdir $sim/bank0/line$i
	echo $n >$sim/bank0/line$i/name
	i=$((i + 1))
done
echo 1 >$sim/live || fail "gpio-sim live"
chip=$(cat $sim/bank0/chip_name)
devdir=/sys/devices/platform/$(cat $sim/dev_name)/$chip
[ -c /dev/$chip ] || fail "no /dev/$chip"
[ -d "$devdir/sim_gpio0" ] || fail "no $devdir/sim_gpio0"
[ -c /dev/snd/pcmC0D0p ] || fail "no /dev/snd/pcmC0D0p"
[ -c /dev/snd/pcmC1D0p ] || fail "no /dev/snd/pcmC1D0p"

ip link set lo up
ip link set eth0 up || fail "no eth0"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
read -r up_ready _ </proc/uptime

export INTERCOM_VBOARD=1 INTERCOM_GPIOSIM_CHIP=$chip INTERCOM_GPIOSIM_DEVDIR=$devdir
export INTERCOM_VBOARD_MODDIR=$MODDIR HOME=/tmp TMPDIR=/tmp VBOARD_ALOOP_ARGS="$ALOOP_ARGS"
echo "vboard: $VBOARD_ARCH $(uname -r) chip=$chip ($devdir) init at ${up_init}s, ready at ${up_ready}s"

if has smoke; then
	vboardcheck smoke || note_fail "smoke: vboardcheck failed"
fi
ntests=0
if has tests; then
	for t in /tests/*/*.test; do
		[ -x "$t" ] || continue
		name=${t##*/}
		run=.
		[ -f "${t%/*}/run-pattern" ] && read -r run <"${t%/*}/run-pattern"
		echo "vboard: running $name -test.run $run"
		(cd "${t%/*}" && "$t" -test.v -test.timeout=90s -test.run "$run") || note_fail "tests: $name failed"
		ntests=$((ntests + 1))
	done
fi
# Tests may leave the board changed (a card unbound or its module removed, a line pulled):
# each group after them starts from a fresh snd-aloop and the default pulls.
reset_board() {
	rmmod snd-aloop 2>/dev/null
	insmod $MODDIR/snd-aloop.ko $ALOOP_ARGS || { note_fail "reset: insmod snd-aloop"; return; }
	for f in "$devdir"/sim_gpio*/pull; do echo pull-down >"$f"; done
	if [ ! -e /proc/asound/Loopback ] || [ ! -e /proc/asound/Speaker ]; then note_fail "reset: aloop cards missing"; fi
}
if has board; then
	has tests && reset_board
	sed "s/@CHIP@/$chip/" /etc/intercom/board.toml >/run/board.toml
	(cd /board && HWTEST_CONFIG=/run/board.toml HWTEST_RELAY=1 HWTEST_AUDIO_LOOP=1 \
		./hwtest.test -test.v -test.timeout=60s) || note_fail "board: hwtest.test failed"
fi
if has intercom; then
	{ has tests || has board; } && reset_board
	vboardcheck scenario -intercom /bin/intercom -config /etc/intercom/intercom.toml ||
		note_fail "intercom: scenario failed"
fi
read -r up_done _ </proc/uptime
[ -z "$failures" ] || fail "$failures; figures: $(tr '\n' ' ' <"$FIG")"
echo "VBOARD SUCCESS arch=$VBOARD_ARCH boot_to_init_s=$up_init ready_s=$up_ready done_s=$up_done test_binaries=$ntests $(tr '\n' ' ' <"$FIG")"
sync
poweroff -f
sleep 10
