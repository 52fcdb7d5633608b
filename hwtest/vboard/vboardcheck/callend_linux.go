package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/control"
)

// The peer never hangs up: each call lasts until the checker has its facts and then ends it
// through the control socket (hangUp). A fixed call length cut starved guests short while
// the checker still measured and made quiet ones wait for nothing.

// progress counts the frames one of the checker's streams has moved through its card (card
// time, not wall time: a stalled guest moves none).
type progress struct {
	frames atomic.Int64
	ended  chan struct{} // closed when the stream's goroutine has returned
}

func newProgress() progress { return progress{ended: make(chan struct{})} }

// callAudioLimit bounds a wait for a stream's frames: far beyond the slowest guest seen
// (a 9 s stretch of call audio took 10.9 s at load 15-18), short of run.sh's timeout.
const callAudioLimit = 60 * time.Second

// waitFrames returns when p has moved n frames; what it is waiting for names the facts in
// the error when the stream ended first, the intercom exited, or callAudioLimit passed.
func (r *scenarioRun) waitFrames(p *progress, n int64, what string) error {
	if p.frames.Load() >= n {
		return nil
	}
	tick := time.NewTicker(20 * time.Millisecond) // one period of the checker's streams
	defer tick.Stop()
	limit := time.After(callAudioLimit)
	for p.frames.Load() < n {
		select {
		case <-tick.C:
		case <-p.ended:
			if p.frames.Load() >= n {
				return nil
			}
			return fmt.Errorf("waiting for %s: the stream ended after %d of %d frames", what, p.frames.Load(), n)
		case err := <-r.exited:
			r.exited = nil
			return fmt.Errorf("intercom exited while waiting for %s: %v", what, err)
		case <-limit:
			return fmt.Errorf("waiting for %s: %d of %d frames in %s", what, p.frames.Load(), n, callAudioLimit)
		}
	}
	return nil
}

// hangUp ends the call as `intercom ctl hangup` does and returns when the call LED is off.
func (r *scenarioRun) hangUp() (time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cl, err := control.Dial(ctx, "/run/intercom/ctl.sock")
	if err != nil {
		return time.Time{}, fmt.Errorf("hangup: %w", err)
	}
	_, err = cl.Do(control.Request{Op: "hangup"})
	cl.Close()
	if err != nil {
		return time.Time{}, fmt.Errorf("hangup: %w", err)
	}
	off, err := r.waitLevel("led-call", 0, 15*time.Second)
	if err != nil {
		return time.Time{}, fmt.Errorf("hangup: %w", err)
	}
	return off, nil
}
