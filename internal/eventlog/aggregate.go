package eventlog

import (
	"slices"
	"strings"
	"time"
)

const (
	// AggregateWindow is how long the entries of one kind from one source fold into one.
	AggregateWindow = time.Minute
	// maxAggregated sources are told apart per kind; more (a flood with a forged From per
	// request) share the source "*", so the table and the log stay bounded.
	maxAggregated = 64
	// AnySource is the source the entries beyond maxAggregated sources are counted under.
	AnySource = "*"
)

type aggKey struct {
	kind   Kind
	source string
}

type aggWindow struct {
	start time.Time
	count int // entries folded since start, not written
}

// aggregator folds noise entries per kind and source (guarded by Log.mu).
type aggregator struct {
	m    map[aggKey]*aggWindow
	next time.Time // the earliest end of an open window
}

// AddFrom records a noise entry from source: a refused call, a rejected card. The first of a
// kind from a source is added as Add would; the rest within AggregateWindow are only counted,
// and when the window is over one entry of that kind with "source", "repeated" (the count)
// and "since" stands for them; a flood that goes on gets one such entry per source per
// window. So a flood held at the rate limit adds two lines a minute per source, not six
// hundred, and cannot rotate the door's history out of the file. Windows are closed by the
// next entry of any kind, or by Close.
func (l *Log) AddFrom(kind Kind, source string, kv ...any) Entry {
	now := l.clk.Now()
	e := Entry{Time: now, Kind: kind, Fields: fields(kv)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return e
	}
	l.flushAggregates(now)
	if l.agg.m == nil {
		l.agg.m = map[aggKey]*aggWindow{}
	}
	k := aggKey{kind, source}
	w, ok := l.agg.m[k]
	if !ok && len(l.agg.m) >= maxAggregated {
		k.source = AnySource
		w, ok = l.agg.m[k]
	}
	if ok {
		w.count++
		return e
	}
	l.agg.m[k] = &aggWindow{start: now}
	if end := now.Add(AggregateWindow); l.agg.next.IsZero() || end.Before(l.agg.next) {
		l.agg.next = end
	}
	l.add(e)
	return e
}

// flushAggregates writes the summary of every window over by now (l.mu held); a zero now
// closes every window (Close).
func (l *Log) flushAggregates(now time.Time) {
	all := now.IsZero()
	if len(l.agg.m) == 0 || (!all && now.Before(l.agg.next)) {
		return
	}
	at := now
	if all {
		at = l.clk.Now()
	}
	// Sorted, so the summaries of one flush come out in a stable order.
	keys := make([]aggKey, 0, len(l.agg.m))
	for k := range l.agg.m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b aggKey) int {
		if c := strings.Compare(string(a.kind), string(b.kind)); c != 0 {
			return c
		}
		return strings.Compare(a.source, b.source)
	})
	var next time.Time
	for _, k := range keys {
		w := l.agg.m[k]
		end := w.start.Add(AggregateWindow)
		if !all && now.Before(end) {
			if next.IsZero() || end.Before(next) {
				next = end
			}
			continue
		}
		if w.count > 0 {
			l.add(Entry{Time: at, Kind: k.kind, Fields: []Field{
				{"source", k.source}, {"repeated", w.count}, {"since", w.start.UTC().Format(time.RFC3339)}}})
		}
		// No entry came since end (it would have closed the window then): with none in the
		// window either, the source has gone quiet; else the next window runs from end.
		if all || w.count == 0 || !now.Before(end.Add(AggregateWindow)) {
			delete(l.agg.m, k)
			continue
		}
		w.start, w.count = end, 0
		if e := end.Add(AggregateWindow); next.IsZero() || e.Before(next) {
			next = e
		}
	}
	l.agg.next = next
}
