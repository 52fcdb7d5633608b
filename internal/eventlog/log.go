package eventlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

const (
	// recentCap entries are kept in memory for `ctl events` without -f.
	recentCap = 100
	// subBuffer entries may queue for a subscriber before it starts losing them.
	subBuffer = 64
	// reportEvery limits how often a persisting write error is logged.
	reportEvery = time.Minute
	// queueLen entries may wait for the disk; beyond that they are lost (and counted) rather
	// than stall the caller.
	queueLen = 256
)

// Options are the Log's dependencies.
type Options struct {
	Logger *slog.Logger // nil: discard
	Clock  clock.Clock  // nil: clock.Real
	FS     FS           // nil: OS
}

// Log is the event log. The zero value is not usable; call New.
//
// With a Path, New starts one writer goroutine and Close stops it: the controller's loop
// must not wait for an fsync (tens of milliseconds on an SD card, seconds when the card is
// busy), or a slow disk would delay the door and starve the watchdog.
type Log struct {
	cfg    Config
	fs     FS
	clk    clock.Clock
	logger *slog.Logger
	queue  chan item     // to the writer; nil without a Path
	done   chan struct{} // closed when the writer has returned
	// dropped counts entries that found the queue full. It is atomic so that the writer never
	// takes mu: a Flush waiting for room, or an Add, must never wait on the writer in turn.
	dropped atomic.Int64

	mu      sync.Mutex // guards the fields below up to wmu
	closed  bool
	recent  []Entry
	subs    map[int]chan Entry
	nextSub int
	// flushing counts Flush calls sending on the queue without mu (one waiting for room
	// must not hold mu, or every Add would wait for the disk); Close waits for them before
	// closing the queue.
	flushing sync.WaitGroup

	agg aggregator // noise entries folded per source and minute (aggregate.go), under mu

	wmu     sync.Mutex // guards the writer's state
	main    sink       // Path
	sec     sink       // SecurityPath(Path): security kinds only, so noise never rotates them out
	failing bool
	lastErr error
	lastRep time.Time
	lost    int
}

// item is an entry for the writer, or (flushed != nil) a request to say when all before it
// are written.
type item struct {
	e       Entry
	flushed chan struct{}
}

// New returns a Log writing to cfg.Path (none if empty). It never fails: a file that cannot be
// opened now is reported and retried on the next entry, so a bad disk never stops the door.
func New(cfg Config, opts Options) *Log {
	l := &Log{cfg: cfg, fs: opts.FS, clk: opts.Clock, logger: opts.Logger, subs: map[int]chan Entry{}}
	l.main.path = cfg.Path
	if cfg.Path != "" && len(cfg.Security) > 0 {
		l.sec.path = SecurityPath(cfg.Path)
	}
	if l.fs == nil {
		l.fs = OS{}
	}
	if l.clk == nil {
		l.clk = clock.Real{}
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Path != "" {
		l.queue = make(chan item, queueLen)
		l.done = make(chan struct{})
		go l.writer()
	}
	return l
}

func (l *Log) writer() {
	defer close(l.done)
	for it := range l.queue {
		if it.flushed != nil {
			close(it.flushed)
			continue
		}
		dropped := int(l.dropped.Swap(0))
		l.wmu.Lock()
		if dropped > 0 {
			l.lost += dropped - 1 // fail counts one more
			l.fail(fmt.Errorf("%w: %d entries found %d waiting", ErrBehind, dropped, queueLen))
		}
		l.write(it.e)
		l.wmu.Unlock()
	}
}

// Add records an event with slog-style key/value pairs and returns the entry written.
func (l *Log) Add(kind Kind, kv ...any) Entry {
	e := Entry{Time: l.clk.Now(), Kind: kind, Fields: fields(kv)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return e
	}
	l.flushAggregates(e.Time)
	l.add(e)
	return e
}

// add records e (l.mu held).
func (l *Log) add(e Entry) {
	if l.queue != nil {
		select {
		case l.queue <- item{e: e}:
		default:
			l.dropped.Add(1) // reported by the writer: taking wmu here would wait for the disk
		}
	}
	l.recent = append(l.recent, e)
	if len(l.recent) >= 2*recentCap { // trim in batches: one copy per recentCap entries
		l.recent = append(l.recent[:0], l.recent[len(l.recent)-recentCap:]...)
	}
	for _, c := range l.subs {
		select {
		case c <- e:
		default: // a slow reader loses entries; the controller never waits for it
		}
	}
}

// Err is the last write error, nil once a write has succeeded again.
func (l *Log) Err() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if !l.failing {
		return nil
	}
	return l.lastErr
}

// Flush waits until every entry added before it has been written (or has failed) and
// returns Err. Without a Path, or after Close, it returns at once.
func (l *Log) Flush() error {
	l.mu.Lock()
	if l.closed || l.queue == nil {
		l.mu.Unlock()
		return l.Err()
	}
	l.flushing.Add(1)
	l.mu.Unlock()
	ch := make(chan struct{})
	l.queue <- item{flushed: ch} // may wait for room: Flush is for tests and shutdown
	l.flushing.Done()
	<-ch
	return l.Err()
}

// Recent returns up to the last 100 entries, oldest first.
func (l *Log) Recent() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.flushAggregates(l.clk.Now()) // a window that ended shows its count now
	}
	r := l.recent
	if len(r) > recentCap {
		r = r[len(r)-recentCap:]
	}
	return append([]Entry(nil), r...)
}

// Subscribe returns a channel of entries added from now on and a cancel func (idempotent)
// that closes it. Close also closes every subscriber's channel.
func (l *Log) Subscribe() (<-chan Entry, func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := make(chan Entry, subBuffer)
	if l.closed {
		close(c)
		return c, func() {}
	}
	id := l.nextSub
	l.nextSub++
	l.subs[id] = c
	var once sync.Once
	return c, func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if c, ok := l.subs[id]; ok {
				delete(l.subs, id)
				close(c)
			}
		})
	}
}

// Close writes what is queued, closes the file, stops the writer and ends every
// subscription. It is idempotent.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.flushAggregates(time.Time{}) // every open window: its count would be lost otherwise
	l.closed = true
	for id, c := range l.subs {
		delete(l.subs, id)
		close(c)
	}
	l.mu.Unlock()
	if l.queue != nil {
		l.flushing.Wait() // no Add after closed is set: every sender is in or gone
		close(l.queue)
	}
	if l.done != nil {
		<-l.done
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return errors.Join(l.main.close(), l.sec.close())
}

// write stores one line, and a second copy in the security file for a security kind. Called
// by the writer with l.wmu held.
func (l *Log) write(e Entry) {
	if l.cfg.Path == "" {
		return
	}
	line, err := json.Marshal(e)
	if err != nil {
		// A value that does not marshal is a programming error; keep the event, lose the value.
		line, _ = json.Marshal(Entry{Time: e.Time, Kind: e.Kind, Fields: []Field{{"error", err.Error()}}})
	}
	line = append(line, '\n')
	ok := l.writeTo(&l.main, line)
	if l.sec.path != "" && slices.Contains(l.cfg.Security, e.Kind) {
		ok = l.writeTo(&l.sec, line) && ok
	}
	if ok && l.failing {
		l.logger.Info("eventlog: writing again", "path", l.cfg.Path, "lost", l.lost)
		l.failing, l.lastErr, l.lost = false, nil, 0
	}
}

// sink is one file the writer appends to, rotated to path.1 at MaxSize.
type sink struct {
	path   string
	f      File // nil until opened, and after a failure that needs a reopen
	size   int64
	needNL bool // a partial line could not be cut back: start the next write on a new line
}

func (s *sink) close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	if err != nil {
		return fmt.Errorf("eventlog: close %s: %w", s.path, err)
	}
	return nil
}

// writeTo appends line to s and syncs it; false when it failed (reported by fail).
func (l *Log) writeTo(s *sink, line []byte) bool {
	if s.needNL {
		line = append([]byte{'\n'}, line...)
	}
	if s.f == nil {
		if err := l.open(s); err != nil {
			l.fail(err)
			return false
		}
	}
	if s.size > 0 && s.size+int64(len(line)) > l.cfg.MaxSize {
		if err := l.rotate(s); err != nil {
			l.fail(err)
			return false
		}
	}
	// One write per line: with O_APPEND a reader never sees two lines interleaved, and a
	// short write is cut back below so no half line stays behind.
	n, err := s.f.Write(line)
	if err == nil && n < len(line) {
		err = ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			if terr := s.f.Truncate(s.size); terr != nil {
				s.size += int64(n)
				s.needNL = true
			}
		}
		// Reopen on the next entry: the file may have been removed or its disk remounted.
		s.f.Close()
		s.f = nil
		l.fail(fmt.Errorf("eventlog: write %s: %w", s.path, err))
		return false
	}
	s.size += int64(n)
	s.needNL = false
	if err := s.f.Sync(); err != nil {
		l.fail(fmt.Errorf("eventlog: sync %s: %w", s.path, err))
		return false
	}
	return true
}

func (l *Log) open(s *sink) error {
	f, err := l.fs.OpenAppend(s.path)
	if err != nil {
		return fmt.Errorf("eventlog: open %s: %w", s.path, err)
	}
	size, err := f.Size()
	if err != nil {
		f.Close()
		return fmt.Errorf("eventlog: stat %s: %w", s.path, err)
	}
	s.f, s.size = f, size
	return nil
}

// rotate keeps exactly one old file, path.1, so each file's disk use is bounded by 2*MaxSize.
func (l *Log) rotate(s *sink) error {
	err := s.f.Close()
	s.f = nil
	if err != nil {
		return fmt.Errorf("eventlog: close for rotation: %w", err)
	}
	if err := l.fs.Rename(s.path, s.path+".1"); err != nil {
		return fmt.Errorf("eventlog: rotate %s: %w", s.path, err)
	}
	return l.open(s)
}

// fail (l.wmu held) counts a lost entry and reports the error: at once the first time, then at most once
// per reportEvery while it persists, so a full disk does not flood the journal.
func (l *Log) fail(err error) {
	l.lost++
	l.lastErr = err
	now := l.clk.Now()
	if !l.failing || now.Sub(l.lastRep) >= reportEvery {
		l.logger.Error("eventlog: entry lost", "err", err, "lost", l.lost)
		l.lastRep = now
	}
	l.failing = true
}
