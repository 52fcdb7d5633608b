package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// Handler is what the server drives; *door.Controller implements it.
type Handler interface {
	Do(ctx context.Context, cmd door.Command) (door.Result, error)
	Subscribe() (<-chan eventlog.Entry, func())
	Recent() []eventlog.Entry
}

// LineReader is implemented by a Handler whose board can report its output lines (gpio.chip
// "sim"); it serves the lines op, so a test or the demo can watch LEDs and the relay.
type LineReader interface {
	Lines() (map[string]bool, error)
}

// MessageSender is implemented by a Handler that can send a SIP MESSAGE; it serves the
// message op.
type MessageSender interface {
	SendMessage(ctx context.Context, target, text string) error
}

// FingerprintReader is implemented by a Handler that serves HTTPS: the status op then carries
// the certificate's SHA-256 fingerprint, so an installer can pin a self-signed certificate.
type FingerprintReader interface {
	HTTPSFingerprint() string
}

// Options are the server's dependencies.
type Options struct {
	Logger *slog.Logger // nil: discard
	// WriteTimeout bounds each response write, so a client that stops reading cannot pin a
	// goroutine. 0: 5s.
	WriteTimeout time.Duration
}

// Server serves the control socket.
type Server struct {
	path   string
	ln     *net.UnixListener
	h      Handler
	logger *slog.Logger
	wto    time.Duration

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closed  bool
	cancel  context.CancelFunc // ends the clients' requests; set by Run
	wg      sync.WaitGroup     // Run and the clients, for Close
	clients sync.WaitGroup     // the clients, for Run
	once    sync.Once
}

// Listen creates the socket at path with mode 0600. A stale socket left by a crash is
// replaced; one that a live process answers on is ErrInUse; any other file is ErrNotSocket.
func Listen(path string, h Handler, opts Options) (*Server, error) {
	if st, err := os.Lstat(path); err == nil {
		if st.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%w: %s", ErrNotSocket, path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control: remove stale socket: %w", err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control: listen %s: %w", path, err)
	}
	// The socket opens doors: only the owner (the service user, and root) may connect. The
	// directory should be private too (systemd RuntimeDirectoryMode=0700) to close the short
	// window before this chmod.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control: chmod %s: %w", path, err)
	}
	s := &Server{path: path, ln: ln, h: h, logger: opts.Logger, wto: opts.WriteTimeout, conns: map[net.Conn]struct{}{}}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.wto <= 0 {
		s.wto = 5 * time.Second
	}
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Run accepts clients until ctx ends or Close, then closes every connection and waits for
// their goroutines. It returns nil on ctx end.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.wg.Add(1)
	// Close cancels what the clients are waiting on, as the end of ctx does.
	ctx, s.cancel = context.WithCancel(ctx)
	s.mu.Unlock()
	defer s.wg.Done()
	// Clients are closed by shutdown; Run returns only once their goroutines have ended.
	defer s.clients.Wait()
	stop := context.AfterFunc(ctx, func() { s.shutdown() })
	defer stop()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.shutdown()
			return fmt.Errorf("control: accept: %w", err)
		}
		if !s.track(c) {
			c.Close()
			return nil
		}
		go func() {
			defer s.wg.Done()
			defer s.clients.Done()
			defer s.untrack(c)
			s.serve(ctx, c)
		}()
	}
}

// Close stops accepting, closes every client, waits for the goroutines and removes the
// socket. It is idempotent.
func (s *Server) Close() error {
	s.shutdown()
	s.wg.Wait()
	return nil
}

func (s *Server) shutdown() {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		if s.cancel != nil {
			s.cancel()
		}
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.ln.Close() // unlinks the socket file too
	})
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.clients.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// serve answers one client's requests in order until it hangs up.
func (s *Server) serve(ctx context.Context, c net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := bufio.NewReaderSize(c, MaxRequest)
	w := &writer{c: c, enc: json.NewEncoder(c), timeout: s.wto}
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Too long to be a request: answer once and drop the client, since the rest of
			// the line cannot be told apart from a next request.
			w.write(Response{Error: ErrTooLarge.Error()})
			return
		}
		if err != nil && (len(line) == 0 || err != io.EOF) {
			return
		}
		if len(trimSpace(line)) == 0 {
			if err != nil {
				return
			}
			continue
		}
		req, derr := DecodeRequest(line)
		if derr != nil {
			if !w.write(Response{Error: derr.Error()}) {
				return
			}
			continue
		}
		if req.Op == door.OpEvents {
			s.events(ctx, cancel, r, w, req)
			return
		}
		if !w.write(s.do(ctx, req)) || err != nil {
			return
		}
	}
}

func (s *Server) do(ctx context.Context, req Request) Response {
	if req.Op == door.OpLines {
		lr, ok := s.h.(LineReader)
		if !ok {
			return Response{Error: ErrUnsupported.Error() + ": lines (not a sim board)"}
		}
		lines, err := lr.Lines()
		if err != nil {
			return Response{Error: err.Error()}
		}
		return Response{OK: true, Lines: lines}
	}
	if req.Op == door.OpUsers || req.Op == door.OpReloadUsers {
		return s.users(req.Op)
	}
	if req.Op == door.OpMessage {
		ms, ok := s.h.(MessageSender)
		if !ok {
			return Response{Error: ErrUnsupported.Error() + ": message"}
		}
		if err := ms.SendMessage(ctx, req.Arg, req.Text); err != nil {
			return Response{Error: err.Error()}
		}
		return Response{OK: true, Message: "message sent to " + req.Arg}
	}
	if req.Op == door.OpStats {
		sr, ok := s.h.(StatsReader)
		if !ok {
			return Response{Error: ErrUnsupported.Error() + ": stats"}
		}
		st := sr.Stats()
		return Response{OK: true, Stats: &st}
	}
	res, err := s.h.Do(ctx, door.Command{Op: req.Op, Arg: req.Arg, Long: req.Long})
	st := res.Status
	if err != nil {
		resp := Response{Error: err.Error()}
		if st.State != "" {
			resp.Status = &st
		}
		return resp
	}
	resp := Response{OK: true, Message: res.Message, Status: &st}
	if fr, ok := s.h.(FingerprintReader); ok && req.Op == door.OpStatus {
		resp.HTTPS = fr.HTTPSFingerprint()
	}
	return resp
}

// events sends the recent entries, or (follow) every new one until the client hangs up.
func (s *Server) events(ctx context.Context, cancel context.CancelFunc, r io.Reader, w *writer, req Request) {
	follow := req.Follow
	var live <-chan eventlog.Entry
	if follow {
		var unsub func()
		live, unsub = s.h.Subscribe() // before Recent, so nothing falls between the two
		defer unsub()
	}
	var recent []eventlog.Entry
	if !follow || req.Backlog {
		recent = s.h.Recent()
	}
	seen := map[string]bool{}
	for _, e := range recent {
		if follow {
			b, _ := json.Marshal(e)
			seen[string(b)] = true
		}
		if !w.write(Response{OK: true, Event: &e}) {
			return
		}
	}
	if !follow {
		w.write(Response{OK: true, Done: true})
		return
	}
	if !w.write(Response{OK: true, Message: "following"}) {
		return
	}
	// The client sends nothing more; reading tells us when it hangs up.
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		io.Copy(io.Discard, r)
		cancel()
	}()
	defer func() { w.c.Close(); <-readerDone }()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-live:
			if !ok {
				w.write(Response{OK: true, Done: true})
				return
			}
			if len(seen) > 0 {
				b, _ := json.Marshal(e)
				if seen[string(b)] {
					continue // also in the recent batch just sent
				}
				seen = nil
			}
			if !w.write(Response{OK: true, Event: &e}) {
				return
			}
		}
	}
}

type writer struct {
	c       net.Conn
	enc     *json.Encoder
	timeout time.Duration
}

// write sends one response line; false means the client is gone.
func (w *writer) write(r Response) bool {
	// A socket deadline is the kernel's wall clock, not something the injected clock could
	// move, so it is set from time.Now.
	w.c.SetWriteDeadline(time.Now().Add(w.timeout))
	return w.enc.Encode(r) == nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}
