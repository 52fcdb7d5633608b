package sip

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink the UA's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRefusedCallQuiet: INVITEs we refuse before answering (486, 488) write nothing at
// info, so a flood of refused callers cannot fill the log; a call that rings does.
func TestRefusedCallQuiet(t *testing.T) {
	a := startUA(t, nil)
	var logs syncBuffer
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	b, err := NewUA(cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	defer func() { cancel(); <-errc }()
	select {
	case <-b.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("not listening")
	}

	if _, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcmu)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, IncomingCall).Call.Reject(486)
	waitEvent(t, b, Ended)
	if _, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcmu)); err != nil {
		t.Fatal(err)
	}
	_ = waitEvent(t, b, IncomingCall).Call.Answer(offerFor(5000, g722)) // 488
	waitEvent(t, b, Ended)
	if s := logs.String(); strings.Contains(s, "call") {
		t.Errorf("refused calls logged at info:\n%s", s)
	}

	call, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, IncomingCall).Call.Ring()
	waitEvent(t, a, Ringing)
	call.Hangup()
	waitEvent(t, b, Ended)
	if s := logs.String(); !strings.Contains(s, "incoming call ringing") || !strings.Contains(s, "call ended") {
		t.Errorf("a ringing call left no info lines:\n%s", s)
	}
}
