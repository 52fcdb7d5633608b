package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/doorsip/intercom/hwtest/internal/tone"
)

// echo scores the call the guest's room played: in the door's stream of that call, how far
// below the echo that reached its microphone the peer's own tone came back, and whether the
// door's near-end tone kept the level it had in a call without echo. Without processing the
// capture path is transparent (the first call's tone arrives at its own level), so the echo
// the room put in is what the peer would hear back without the canceller.
func echo(args []string) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	path := fs.String("pcap", "", "tcpdump capture")
	dst := fs.String("dst", "127.0.0.1", "destination address of the door's streams")
	nth := fs.Int("nth", 2, "the call with the room: its stream toward dst in order of appearance")
	refNth := fs.Int("ref-nth", 1, "the call without echo whose near-end tone level is the reference")
	farHz := fs.Int("far-hz", 400, "the peer's tone, echoed by the room")
	nearHz := fs.Int("near-hz", 1000, "the door's near-end tone")
	refHz := fs.Int("ref-hz", 0, "the near-end tone of the reference call, if not near-hz (G.711 is flat)")
	echoDBFS := fs.Float64("echo-dbfs", math.NaN(), "level of the peer's tone in the echo the room added to the microphone, dBFS")
	last := fs.Duration("last", 4*time.Second, "score the last part of the call this long (the canceller converged)")
	minLoss := fs.Float64("min-loss", 40, "fail when the peer's tone comes back less far below the echo, dB")
	maxDrop := fs.Float64("max-near-change", 3, "fail when the near-end tone's level moves more than this from the reference, dB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if math.IsNaN(*echoDBFS) {
		return errors.New("echo: -echo-dbfs is required")
	}
	want, err := netip.ParseAddr(*dst)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	udp, err := parsePcap(b)
	if err != nil {
		return err
	}
	flows := rtpFlows(udp, want)
	room, err := pickFlow(flows, *nth)
	if err != nil {
		return fmt.Errorf("echo: the call with the room: %w", err)
	}
	ref, err := pickFlow(flows, *refNth)
	if err != nil {
		return fmt.Errorf("echo: the reference call: %w", err)
	}
	if *refHz == 0 {
		*refHz = *nearHz
	}
	roomPCM, roomGot := decodeStreamMask(room.pkts)
	r := scoreEcho(roomPCM, roomGot, decodeStream(ref.pkts), *farHz, *nearHz, *refHz, *echoDBFS, *minLoss, int(last.Seconds()*8000))
	fmt.Printf("echo_packets=%d echo_in_dbfs=%.1f echo_residual_dbfs=%.1f echo_loss_db=%.1f echo_loss_double_talk_db=%.1f echo_%.0fdb_after_s=%.2f near_dbfs=%.1f near_ref_dbfs=%.1f near_change_db=%.1f echo_windows=%d near_windows=%d gap_windows=%d\n",
		len(room.pkts), *echoDBFS, r.residual, r.loss, *echoDBFS-r.residualDT, *minLoss, r.reached.Seconds(), r.near, r.nearRef, r.nearChange, r.windows, r.nearWindows, r.gapWindows)
	switch {
	case r.windows == 0 || r.nearWindows == 0:
		return fmt.Errorf("echo: no sound in the door's stream of call %d over its last %s", *nth, *last)
	case !(r.loss >= *minLoss):
		return fmt.Errorf("echo: the peer's %d Hz came back %.1f dB below the room's echo (want >= %.0f)", *farHz, r.loss, *minLoss)
	case !(math.Abs(r.nearChange) <= *maxDrop):
		return fmt.Errorf("echo: the door's %d Hz reached the peer at %.1f dBFS, %.1f dB from its %.1f dBFS without echo (want within %.0f)",
			*nearHz, r.near, r.nearChange, r.nearRef, *maxDrop)
	}
	return nil
}

type echoScore struct {
	residual, loss float64 // the far tone left in the door's stream (dBFS), and echo in minus that
	residualDT     float64 // the same over the windows where the near end talks too
	near, nearRef  float64 // the near-end tone in the room's call and in the reference call, dBFS
	nearChange     float64 // near minus nearRef
	windows        int     // windows of the room's call, and how many carried the near end
	nearWindows    int
	gapWindows     int // windows left out: a packet missing (not sent or lost)
	// reached is how far into the room's call the far tone first stayed minLoss below the
	// echo for a second (the canceller converged); -1 s when it never did.
	reached time.Duration
}

// echoWin is 250 ms at 8 kHz: a stall of the guest spoils a window, the median keeps.
const echoWin = 2000

// scoreEcho measures the decoded stream of the call with the room (its last samples; got
// says which samples a packet carried) and of the reference call. The far tone's residual
// counts every window (the near end talks in bursts: with and without it); the near end's
// level only the windows with sound in them (RMS 300 and up: the echo left over is far
// quieter). Windows with a missing packet are left out: a starved guest's capture overrun
// silences a stretch, which is not the canceller attenuating the visitor.
func scoreEcho(room []int16, got []bool, ref []int16, farHz, nearHz, refHz int, echoDBFS, minLoss float64, last int) echoScore {
	s := echoScore{reached: -time.Second}
	run := 0
	for i := 0; i+echoWin <= len(room); i += echoWin / 2 {
		if echoDBFS-tone.Level(room[i:i+echoWin], 8000, farHz) < minLoss {
			run = 0
			continue
		}
		if run++; run == 8000/(echoWin/2) {
			s.reached = time.Duration(i-(run-1)*echoWin/2) * time.Second / 8000
			break
		}
	}
	if last > 0 {
		k := max(0, len(room)-last)
		room, got = room[k:], got[k:]
	}
	var far, farDT, near []float64
	for i := 0; i+echoWin <= len(room); i += echoWin / 2 {
		w := room[i : i+echoWin]
		if slices.Contains(got[i:i+echoWin], false) {
			s.gapWindows++
			continue
		}
		f := tone.Level(w, 8000, farHz)
		far = append(far, f)
		if tone.RMS(w) >= 300 {
			farDT = append(farDT, f)
			near = append(near, tone.Level(w, 8000, nearHz))
		}
	}
	s.windows, s.nearWindows = len(far), len(near)
	// The visitor's level is the upper quartile of the windows with sound, not the median:
	// of every 1.5 s cycle's 9 such windows 2 are only half in a burst (its edges), and a
	// stall of the guest cuts a few more; a canceller or fallback that attenuates the
	// visitor does it in every window while the peer talks, which is all the call.
	s.residual, s.residualDT, s.near = median(far), median(farDT), quantile(near, 0.75)
	s.nearRef, _ = tone.SteadyLevel(ref, 8000, refHz, echoWin, 300)
	s.loss = echoDBFS - s.residual
	s.nearChange = s.near - s.nearRef
	return s
}

// median of x (x is reordered), -Inf for none.
func median(x []float64) float64 { return quantile(x, 0.5) }

// quantile q of x (x is reordered), -Inf for none.
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	slices.Sort(x)
	return x[min(len(x)-1, int(q*float64(len(x))))]
}
