package main

import (
	"log/slog"

	"github.com/doorsip/intercom/internal/rtproc"
)

// startNormal puts the process under normal scheduling if it was started real-time (the
// unit's CPUSchedulingPolicy=) and returns that policy for raiseAll once start-up is done:
// start-up is seconds of CPU on a one-core board, and at SCHED_FIFO it starves the system.
func startNormal(logger *slog.Logger) rtproc.Policy {
	p, err := rtproc.Started()
	if err != nil || !p.RealTime() {
		return rtproc.Policy{}
	}
	if err := rtproc.SetAll(rtproc.Policy{}); err != nil {
		logger.Warn("start-up runs under the real-time policy it was started with", "policy", p.String(), "err", err)
	}
	return p
}

// raiseAll puts every thread under p, the policy the process was started with.
func raiseAll(p rtproc.Policy, logger *slog.Logger) {
	if !p.RealTime() {
		return
	}
	if err := rtproc.SetAll(p); err != nil {
		logger.Warn("running under normal scheduling; media timing may suffer under load", "policy", p.String(), "err", err)
		return
	}
	logger.Debug("every thread under the policy the process was started with", "policy", p.String())
}
