// Package flight coalesces concurrent identical requests: while one request
// (the leader) fetches a key from the origin, the others (followers) wait
// for its response and share it, reading its body as it arrives, instead of
// fetching again. The body is collected behind the encoded entry's prefix as
// it streams, so that the whole entry can be stored when it ends.
package flight

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/clientcache/clientcache/internal/entry"
)

// Group coalesces concurrent identical requests: while one request (the
// leader) fetches a key from the origin, the others wait for its response and
// share it instead of fetching again. Its zero value is ready to use.
type Group struct {
	mu    sync.Mutex
	calls map[string]*Call
}

// Call is one leader's fetch. done closes when the leader has a response;
// share then gives a waiting request its own copy, or nil when the response
// cannot be shared (an error, an uncacheable response, a body already
// abandoned), in which case the follower fetches for itself.
type Call struct {
	done  chan struct{}
	share func() *http.Response
	// selected is the stored entry the shared response stands for: a
	// follower whose request does not select it (Vary) fetches for itself.
	selected *entry.Entry
}

// Join returns the call in flight for key and false, or registers a new one
// and returns it and true: the caller is then the leader and must call
// Publish and, when the call can no longer be joined, Forget.
func (g *Group) Join(key string) (*Call, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		return c, false
	}
	if g.calls == nil {
		g.calls = map[string]*Call{}
	}
	c := &Call{done: make(chan struct{})}
	g.calls[key] = c
	return c, true
}

// Forget ends c: later requests for key start a call of their own.
func (g *Group) Forget(key string, c *Call) {
	g.mu.Lock()
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	g.mu.Unlock()
}

// Publish wakes the followers; share may be nil, and so may selected (then
// the response does not vary).
func (c *Call) Publish(share func() *http.Response, selected *entry.Entry) {
	c.share, c.selected = share, selected
	close(c.done)
}

// Wait blocks until the leader has published, or ctx ends. It returns nil
// when the follower must fetch for itself: selects reports whether the
// follower's request selects a stored entry (Vary).
func (c *Call) Wait(ctx context.Context, selects func(*entry.Entry) bool) (*http.Response, error) {
	if TestHookFollowerWaiting != nil {
		TestHookFollowerWaiting()
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if c.share == nil || c.selected != nil && !selects(c.selected) {
		return nil, nil
	}
	return c.share(), nil
}

// TestHookFollowerWaiting, when set by a test, is called as a follower starts
// waiting for a leader.
var TestHookFollowerWaiting func()

// Body is one upstream response body, read on demand by the caller that
// fetched it and by any follower that joined, and collected (behind the
// encoded entry's prefix) so that the whole entry can be stored when the body
// ends. Nothing is read ahead of the fastest reader.
type Body struct {
	mu       sync.Mutex
	upstream io.ReadCloser
	buf      []byte // the entry prefix, then the body bytes received so far
	start    int    // length of the prefix
	limit    int    // largest body that is stored
	storing  bool   // the entry will be stored at the end of the body
	joinable bool   // followers may still join
	single   bool   // a follower can no longer join and only one reader exists
	err      error  // how the upstream body ended (io.EOF when whole), nil while open
	readers  atomic.Int32
	closed   atomic.Bool // upstream closed
	scratch  [1]byte

	// store is called once: at EOF with the whole sealed entry, to store
	// it, or with nil and the reason the entry will not be stored.
	store  func(entry []byte, why Reason)
	stored bool
	end    func() // called once, when no new reader may join
	ended  bool
}

const minReadSize = 16 << 10

// NewBody starts collecting upstream's body behind the encoding of e (whose
// Body is ignored). With a known length the whole entry, trailer included,
// gets one allocation.
func NewBody(upstream io.ReadCloser, e *entry.Entry, contentLength int64, limit int, store func(whole []byte, why Reason), end func()) *Body {
	size := minReadSize
	if contentLength >= 0 && contentLength <= int64(limit) {
		size = int(contentLength)
	}
	buf := e.AppendPrefix(make([]byte, 0, e.PrefixSize()+size+entry.TrailerSize))
	return &Body{upstream: upstream, buf: buf, start: len(buf), limit: limit,
		storing: true, joinable: true, store: store, end: end}
}

// settle calls store, once: with the whole entry, or with why there is
// none. f.mu is held.
func (f *Body) settle(whole []byte, why Reason) {
	if !f.stored {
		f.stored = true
		f.store(whole, why)
	}
}

// NewReader returns a new reader of the body from its start, or nil when the
// flight can no longer be joined. A body that arrived whole can always be
// read again from the buffer.
func (f *Body) NewReader() io.ReadCloser {
	f.mu.Lock()
	defer f.mu.Unlock()
	whole := f.err == io.EOF && !f.single
	if !whole && (!f.joinable || f.closed.Load()) {
		return nil
	}
	f.readers.Add(1)
	return &flightReader{f: f}
}

type flightReader struct {
	f      *Body
	off    int
	closed atomic.Bool
}

var errClosedBody = errors.New("clientcache: read on closed response body")

// Reason says why a body will not be stored.
type Reason int

const (
	// TooLarge: the body grew past the limit.
	TooLarge Reason = iota + 1
	// Incomplete: the upstream body ended with an error.
	Incomplete
	// Abandoned: every reader closed the body before its end.
	Abandoned
)

func (r *flightReader) Read(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, errClosedBody
	}
	if len(p) == 0 {
		return 0, nil
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	// The buffer may hold the entry's trailer past len(f.buf) once the body
	// ended: readers stop at len(f.buf).
	for f.start+r.off >= len(f.buf) {
		if f.err != nil {
			return 0, f.err
		}
		if f.single && !f.storing {
			// Too big to store and nobody else reading: stream straight through.
			n, err := f.upstream.Read(p)
			if err != nil {
				f.finish(err)
			}
			return n, err
		}
		f.fill()
	}
	n := copy(p, f.buf[f.start+r.off:])
	r.off += n
	return n, nil
}

// fill reads the next piece of the upstream body into buf. f.mu is held.
func (f *Body) fill() {
	if len(f.buf) == cap(f.buf) {
		// Probe with one byte before growing: a body of the announced length
		// usually ends here, and growing would copy the whole buffer.
		n, err := f.upstream.Read(f.scratch[:])
		if n == 0 && err == nil {
			return
		}
		if n > 0 {
			f.buf = append(slices.Grow(f.buf, max(minReadSize, len(f.buf)-f.start)), f.scratch[0])
		}
		f.checkLimit()
		if err != nil {
			f.finish(err)
		}
		return
	}
	n, err := f.upstream.Read(f.buf[len(f.buf):cap(f.buf)])
	f.buf = f.buf[:len(f.buf)+n]
	// The limit first: a body that arrives whole in one read may still be
	// over it.
	f.checkLimit()
	if err != nil {
		f.finish(err)
	}
}

// checkLimit stops storing a body that has grown past the limit. With a
// single reader the collected bytes are then only what it has not read yet.
func (f *Body) checkLimit() {
	if !f.storing || len(f.buf)-f.start <= f.limit {
		return
	}
	f.storing = false
	f.settle(nil, TooLarge)
	f.stopJoining()
	if f.readers.Load() == 1 {
		f.single = true
	}
}

func (f *Body) stopJoining() {
	f.joinable = false
	if !f.ended {
		f.ended = true
		f.end()
	}
}

// finish records how the upstream body ended and stores a whole entry.
// f.mu is held.
func (f *Body) finish(err error) {
	if f.err != nil {
		return
	}
	if errors.Is(err, io.EOF) {
		err = io.EOF
		if f.storing {
			// Sealed past len(f.buf), in the room newFlight left: the
			// readers' view of the body is unchanged.
			f.settle(entry.Seal(f.buf), 0)
		}
	} else {
		f.storing = false
		f.settle(nil, Incomplete)
	}
	f.err = err
	f.closeUpstream()
	// After EOF the whole body is in buf; followers arriving now would be
	// better served by the store, so the call ends either way.
	f.stopJoining()
}

func (f *Body) closeUpstream() {
	if f.closed.CompareAndSwap(false, true) {
		f.upstream.Close()
	}
}

func (r *flightReader) Close() error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	f := r.f
	if f.readers.Add(-1) == 0 {
		// Closing the upstream body without the lock unblocks a Read in
		// progress on another goroutine, as closing a net/http body does.
		f.closeUpstream()
		f.mu.Lock()
		if f.err == nil {
			f.storing = false
			f.err = errClosedBody
			f.settle(nil, Abandoned)
		}
		f.stopJoining()
		f.mu.Unlock()
	}
	return nil
}
