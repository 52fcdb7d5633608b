package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// ctlHandler serves the control socket. On a "sim" board, press and release drive the
// simulated lines, so a scripted press goes through debounce and long-press timing exactly as
// a finger on a real button would; on real hardware the controller takes the event directly.
type ctlHandler struct{ a *App }

func (h ctlHandler) Do(ctx context.Context, cmd door.Command) (door.Result, error) {
	sim := h.a.board.Sim()
	if sim == nil || (cmd.Op != door.OpPress && cmd.Op != door.OpRelease) {
		return h.a.ctrl.Do(ctx, cmd)
	}
	var err error
	switch {
	case cmd.Op == door.OpRelease:
		err = sim.Release(cmd.Arg)
	case cmd.Long:
		err = sim.Hold(cmd.Arg, h.a.cfg.GPIO.LongPress+h.a.cfg.GPIO.Debounce+100*time.Millisecond)
	default:
		err = sim.Tap(cmd.Arg)
	}
	if err != nil {
		return door.Result{}, fmt.Errorf("app: %s %q: %w", cmd.Op, cmd.Arg, err)
	}
	// Let the debounced edge reach the controller before reporting its state.
	select {
	case <-h.a.opts.Clock.After(h.a.cfg.GPIO.Debounce + 50*time.Millisecond):
	case <-ctx.Done():
	}
	return door.Result{Message: string(cmd.Op) + " " + cmd.Arg, Status: h.a.ctrl.Status()}, nil
}

func (h ctlHandler) Subscribe() (<-chan eventlog.Entry, func()) { return h.a.ctrl.Subscribe() }
func (h ctlHandler) Recent() []eventlog.Entry                   { return h.a.ctrl.Recent() }

// listenControl opens the control socket, creating its directory (0755: the socket itself is
// 0600, which is what keeps other users out).
func (a *App) listenControl() (*control.Server, error) {
	path := a.cfg.Door.Control.Socket
	if path == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("app: control socket: %w", err)
	}
	return control.Listen(path, ctlHandler{a}, control.Options{Logger: a.log.With("part", "control")})
}

// Lines reports the output levels of a "sim" board (relay, LEDs) for `intercom ctl lines`:
// on a bench without hardware it is how a script sees the door open.
func (h ctlHandler) Lines() (map[string]bool, error) {
	sim := h.a.board.Sim()
	if sim == nil {
		return nil, fmt.Errorf("app: lines: %w", errNotSim)
	}
	out := map[string]bool{}
	for _, name := range sim.Outputs() {
		out[name] = sim.Output(name)
	}
	return out, nil
}

// Stats serves `intercom ctl stats`. ReadMemStats stops the world for a moment; it is asked
// for by a person at a shell, not polled by the media path.
func (h ctlHandler) Stats() control.Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sip := h.a.ua.Stats()
	st := control.Stats{
		Started:          h.a.started,
		Goroutines:       runtime.NumGoroutine(),
		HeapKB:           int64(ms.HeapInuse / 1024),
		SysKB:            int64(ms.Sys / 1024),
		ScannerDropped:   sip.ScannerDropped,
		RateDropped:      sip.RateDropped,
		UntrustedDropped: sip.UntrustedDropped,
		MQTT:             h.a.mqtt.stats(),
		Actions:          h.a.actionStats(),
		Events:           h.a.eventStats(),
	}
	if cs, ok := h.a.CallStats(); ok {
		st.Call = &control.CallStats{
			Remote:          cs.Remote.String(),
			PacketsSent:     cs.PacketsSent,
			PacketsReceived: cs.PacketsReceived,
			Lost:            cs.Lost,
			Late:            cs.Late,
			Invalid:         cs.Invalid,
			Foreign:         cs.Foreign,
			Concealed:       cs.Concealed,
			Duplicates:      cs.Duplicates,
			STUN:            cs.STUN,
			JitterMS:        ms1(cs.Jitter),
			BufferMS:        ms1(cs.JitterDelay),
			RTTMS:           ms1(cs.RTT),
			PeerLossPct:     trunc1(100 * cs.RemoteFractionLost),
			SendDBFS:        trunc1(cs.SendLevel),
			RecvDBFS:        trunc1(cs.RecvLevel),
		}
		if vs, ok := h.a.VoiceStats(); ok {
			st.Call.Voice = voiceStats(vs)
		}
	}
	return st
}

// ms1 is d in milliseconds, to 0.1 ms.
func ms1(d time.Duration) float64 { return trunc1(float64(d) / float64(time.Millisecond)) }
