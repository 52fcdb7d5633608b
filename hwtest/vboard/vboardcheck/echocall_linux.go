package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// useEchoConfig turns the hands-free processing on for the next start: the canceller only,
// for the reasons given at nearHz. The first call ran with everything off to measure exact
// tones; its near-end level is the echo call's reference.
func (r *scenarioRun) useEchoConfig() error {
	b, err := os.ReadFile(r.config)
	if err != nil {
		return err
	}
	s := string(b)
	// The noise suppressor and the AGC must stay off (the template has them off for the
	// first call): the pairs that replace a line by itself only check it is there.
	for _, kv := range [][2]string{
		{`echo_cancel = "off"`, `echo_cancel = "on"`},
		{`noise_suppression = "off"`, `noise_suppression = "off"`},
		{`agc = false`, `agc = false`},
	} {
		if strings.Count(s, kv[0]) != 1 {
			return fmt.Errorf("%s: want exactly one %s line to set up the echo call", r.config, kv[0])
		}
		s = strings.Replace(s, kv[0], kv[1], 1)
	}
	echoCfg := strings.TrimSuffix(r.config, ".toml") + "-echo.toml"
	if err := os.WriteFile(echoCfg, []byte(s), 0o644); err != nil {
		return err
	}
	r.config = echoCfg
	return nil
}

// How much of the room's audio the echo call runs for before the stats op, and in all: the
// canceller holds 40 dB within 0.25-4.3 s in every guest that passed, and the host scores
// the last 4 s.
const (
	echoStatsAt = 6 * time.Second
	echoCallFor = 9 * time.Second
)

// echoCall places a second call with the room between the intercom's speaker and its
// microphone (see room) and echo cancelling on. The guest knows what the room added: the
// peer's tone in the echo (room_echo_400_dbfs, what the peer would hear back without the
// canceller) and the near-end tone; the host measures what of each the door sent in the
// pcap and fails the run when the echo is not 40 dB down or the near end moved by 3 dB.
func (r *scenarioRun) echoCall() error {
	inCall, err := r.ringBell()
	if err != nil {
		return err
	}
	rm, err := startRoom()
	if err != nil {
		return err
	}
	defer rm.stop()

	// Late in the call, when the canceller has had time: what it reports of itself. Both
	// marks count the room's frames, so a stalled guest gets the same call, only slower:
	// the host scores the door's stream over the last 4 s of the 9.
	if err := r.waitFrames(&rm.prog, int64(echoStatsAt.Seconds())*int64(rm.rate), "6 s of the echo call's room"); err != nil {
		return err
	}
	if err := r.voiceStats(); err != nil {
		return err
	}
	if err := r.waitFrames(&rm.prog, int64(echoCallFor.Seconds())*int64(rm.rate), "9 s of the echo call's room"); err != nil {
		return err
	}
	off, err := r.hangUp()
	if err != nil {
		return err
	}
	r.figs.add("echo_call_s", "%.1f", off.Sub(inCall).Seconds())
	if err := rm.stop(); err != nil {
		return err
	}
	lvl, gain, err := rm.echoLevel(peerHz)
	if err != nil {
		return err
	}
	r.figs.add("room_coupling_db", "%d", roomCouplingDB)
	r.figs.add("room_gain_400_db", "%.1f", gain)
	r.figs.add("room_taps", "%d", len(roomTaps(rm.rate)))
	r.figs.add("room_echo_400_dbfs", "%.1f", lvl)
	r.figs.add("room_near_hz", "%d", nearHz)
	r.figs.add("room_near_dbfs", "%.1f", dbfs(nearAmp))
	r.figs.add("room_xruns", "%d", rm.xruns)
	if _, err := r.waitLevel("relay-door", 0, 3*time.Second); err != nil {
		return fmt.Errorf("after the echo call: %w", err)
	}
	return nil
}

// voiceStats reads the hands-free figures of the running call from the control socket.
func (r *scenarioRun) voiceStats() error {
	st, err := ctlStats()
	if err != nil {
		return err
	}
	v := st.Call.Voice
	if v == nil {
		return errors.New("stats: the echo call's audio is not processed (echo_cancel on, two hw: cards)")
	}
	r.figs.add("echo_ctl_erle_db", "%.1f", v.ERLEDB)
	r.figs.add("echo_ctl_suppression_db", "%.1f", v.SuppressionDB)
	r.figs.add("echo_ctl_delay_ms", "%.1f", v.DelayMS)
	r.figs.add("echo_ctl_align_ms", "%.1f", v.AlignMS)
	r.figs.add("echo_ctl_resets", "%d", v.Resets)
	r.figs.add("echo_ctl_half_duplex", "%t", v.HalfDuplex)
	return nil
}
