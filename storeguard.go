package clientcache

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// How the core treats a store that fails (docs/ARCHITECTURE.md, "A sick
// store"): a request never waits for a store longer than its deadline, and a
// store that keeps failing is skipped until it answers again.
const (
	// storeFailuresToSkip is how many consecutive failures make the core
	// skip the store.
	storeFailuresToSkip = 3
	// storeProbeFirst and storeProbeMax bound the back-off between two
	// probes of a skipped store: it doubles from the first to the max.
	storeProbeFirst = 250 * time.Millisecond
	storeProbeMax   = 2 * time.Second
	// storeProbeTimeout is the least deadline of one probe.
	storeProbeTimeout = time.Second
	// storeLogEvery is the most often a line about failures is logged.
	storeLogEvery = time.Minute
	// probeKey is the key a probe asks the Redirects storage about. It is
	// never written.
	probeKey = "clientcache:probe"
)

// errStoreSkipped is the error of every operation while the store is
// skipped. It wraps storage.ErrUnavailable.
var errStoreSkipped = storage.Unavailable(errors.New("clientcache: the store is skipped after repeated failures until it answers again"))

// storeHealth is the circuit breaker of one Backend: the deadline of each
// operation, the count of consecutive failures, whether the store is being
// skipped, and the probe that ends the skipping. Its log lines are the only
// ones about store failures above debug level: one when the store starts
// being skipped, one when it answers again, and at most one a minute
// between.
type storeHealth struct {
	timeout time.Duration
	logger  *slog.Logger
	probe   storage.Storage // the Redirects storage, unguarded

	skipping atomic.Bool
	failures atomic.Int32 // consecutive
	skipped  atomic.Int64 // operations skipped since the skipping began

	mu       sync.Mutex
	since    time.Time  // when the skipping began
	level    slog.Level // of the line that said so; the line saying it ended has the same
	loggedAt time.Time  // the last line about failures
	unlogged int        // failures since that line
	stopped  bool
	stop     chan struct{} // closed by close: ends the probe
}

func newStoreHealth(b *storage.Backend, timeout time.Duration, logger *slog.Logger) *storeHealth {
	return &storeHealth{timeout: timeout, logger: logger, probe: b.Redirects, stop: make(chan struct{})}
}

// guard returns b with both storages guarded by h.
func (h *storeHealth) guard(b *storage.Backend) *storage.Backend {
	return &storage.Backend{
		Responses: &guardedStorage{inner: b.Responses, h: h},
		Redirects: &guardedStorage{inner: b.Redirects, h: h},
		Timeout:   b.Timeout,
	}
}

// close ends the probe, if one runs.
func (h *storeHealth) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.stopped {
		h.stopped = true
		close(h.stop)
	}
}

func noCancel() {}

// begin starts one operation: it fails at once while the store is skipped,
// and otherwise returns ctx under the operation's deadline.
func (h *storeHealth) begin(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if h.skipping.Load() {
		h.skipped.Add(1)
		return nil, nil, errStoreSkipped
	}
	if h.timeout > 0 {
		c, cancel := context.WithTimeout(ctx, h.timeout)
		return c, cancel, nil
	}
	return ctx, noCancel, nil
}

// end records an operation's outcome and returns its error, saying so when
// the deadline ran out. parent is the caller's context: a caller that gave
// up is not the store's failure.
func (h *storeHealth) end(parent, ctx context.Context, err error) error {
	if err == nil || benignStoreError(err) {
		if h.failures.Load() != 0 {
			h.failures.Store(0)
		}
		return err
	}
	if parent.Err() != nil {
		return err
	}
	if errors.Is(err, storage.ErrUnavailable) {
		// The store knows it is out and said so where it found out (a
		// Lazy Backend not open yet): skip it now, without a warning.
		h.skip(parent, slog.LevelInfo, err)
		return err
	}
	if ctx.Err() != nil && h.timeout > 0 {
		err = storage.Unavailable(fmt.Errorf("clientcache: the store did not answer within %v (Options.StoreTimeout): %w", h.timeout, err))
	}
	h.failed(parent, err)
	return err
}

// benignStoreError reports whether err is an answer rather than a failure.
func benignStoreError(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrReadOnly) ||
		errors.Is(err, storage.ErrNoView) || errors.Is(err, storage.ErrClosed) ||
		errors.Is(err, storage.ErrTooLarge)
}

// failed counts a failure, logs it (at most a line a minute) and starts
// skipping the store after storeFailuresToSkip in a row.
func (h *storeHealth) failed(ctx context.Context, err error) {
	if n := h.failures.Add(1); n >= storeFailuresToSkip {
		h.skip(ctx, slog.LevelWarn, err)
		return
	}
	h.mu.Lock()
	now := time.Now()
	if now.Sub(h.loggedAt) < storeLogEvery {
		h.unlogged++
		h.mu.Unlock()
		return
	}
	unlogged := h.unlogged
	h.loggedAt, h.unlogged = now, 0
	h.mu.Unlock()
	if unlogged == 0 {
		h.logger.WarnContext(ctx, "clientcache: a store operation failed; the request went on without it", "err", err)
		return
	}
	h.logger.WarnContext(ctx, "clientcache: store operations failed; the requests went on without the store",
		"failures", unlogged+1, "since", storeLogEvery, "last_err", err)
}

// skip starts skipping the store, unless it is skipped already, logging it
// at level, and starts the probe.
func (h *storeHealth) skip(ctx context.Context, level slog.Level, err error) {
	if !h.skipping.CompareAndSwap(false, true) {
		return
	}
	h.mu.Lock()
	h.since, h.loggedAt, h.unlogged, h.level = time.Now(), time.Now(), 0, level
	stopped := h.stopped
	h.mu.Unlock()
	h.logger.Log(ctx, level, "clientcache: the store is failing; requests skip it and go to the network until it answers again",
		"failures", h.failures.Load(), "err", err)
	if !stopped {
		go h.probeUntilBack()
	}
}

// probeUntilBack asks the store, with a growing back-off, until it answers;
// then requests use it again. A line a minute says it is still skipped.
func (h *storeHealth) probeUntilBack() {
	timeout := max(h.timeout, storeProbeTimeout)
	delay := storeProbeFirst
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-timer.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := h.probe.Contains(ctx, probeKey)
		cancel()
		h.mu.Lock()
		since, level, now := h.since, h.level, time.Now()
		if err == nil {
			h.loggedAt, h.unlogged = now, 0
			h.mu.Unlock()
			h.failures.Store(0)
			h.skipping.Store(false)
			// At the level of the line that said the store was failing, so
			// that whoever saw that one sees this one.
			h.logger.Log(context.Background(), level, "clientcache: the store answers again; requests use it",
				"after", now.Sub(since).Round(time.Millisecond), "skipped_operations", h.skipped.Swap(0))
			return
		}
		logNow := now.Sub(h.loggedAt) >= storeLogEvery
		if logNow {
			h.loggedAt = now
		}
		h.mu.Unlock()
		if logNow {
			h.logger.Warn("clientcache: the store is still failing; requests skip it",
				"for", now.Sub(since).Round(time.Second), "skipped_operations", h.skipped.Load(), "err", err)
		}
		delay = min(delay*2, storeProbeMax)
		timer.Reset(delay)
	}
}

// guardedStorage runs each operation of inner under h: a deadline, and
// nothing at all while h skips the store. The core's requests use it; the
// management API (Cache) does not, so that Clear or Size wait for the store
// as long as their caller lets them.
type guardedStorage struct {
	inner storage.Storage
	h     *storeHealth
}

func (g *guardedStorage) Contains(ctx context.Context, key string) (bool, error) {
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	ok, err := g.inner.Contains(c, key)
	return ok, g.h.end(ctx, c, err)
}

func (g *guardedStorage) Read(ctx context.Context, key string) ([]byte, error) {
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	v, err := g.inner.Read(c, key)
	return v, g.h.end(ctx, c, err)
}

// ReadView reads a view where inner can give one, and otherwise returns
// storage.ErrNoView (the core then calls Read).
func (g *guardedStorage) ReadView(ctx context.Context, key string) ([]byte, error) {
	vr, ok := g.inner.(storage.ViewReader)
	if !ok {
		return nil, storage.ErrNoView
	}
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	v, err := vr.ReadView(c, key)
	return v, g.h.end(ctx, c, err)
}

func (g *guardedStorage) Write(ctx context.Context, key string, value []byte) error {
	return g.WriteWithExpiry(ctx, key, value, time.Time{})
}

func (g *guardedStorage) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	if ew, ok := g.inner.(storage.ExpiringWriter); ok && !expires.IsZero() {
		err = ew.WriteWithExpiry(c, key, value, expires)
	} else {
		err = g.inner.Write(c, key, value)
	}
	return g.h.end(ctx, c, err)
}

// WriteOwned hands value over where inner keeps values uncopied, and
// otherwise writes a copy.
func (g *guardedStorage) WriteOwned(ctx context.Context, key string, value []byte, expires time.Time) error {
	ow, ok := g.inner.(storage.OwnedWriter)
	if !ok {
		return g.WriteWithExpiry(ctx, key, value, expires)
	}
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return g.h.end(ctx, c, ow.WriteOwned(c, key, value, expires))
}

func (g *guardedStorage) Delete(ctx context.Context, key string) error {
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return g.h.end(ctx, c, g.inner.Delete(c, key))
}

func (g *guardedStorage) DeleteMany(ctx context.Context, keys []string) error {
	c, cancel, err := g.h.begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	if bd, ok := g.inner.(storage.BulkDeleter); ok {
		err = bd.DeleteMany(c, keys)
	} else {
		for _, k := range keys {
			if err = g.inner.Delete(c, k); err != nil {
				break
			}
		}
	}
	return g.h.end(ctx, c, err)
}

// The listing operations are the management API's; requests do not list.
// They pass through unguarded.

func (g *guardedStorage) Clear(ctx context.Context) error { return g.inner.Clear(ctx) }

func (g *guardedStorage) Size(ctx context.Context) (int, error) { return g.inner.Size(ctx) }

func (g *guardedStorage) Keys(ctx context.Context) iter.Seq2[string, error] {
	return g.inner.Keys(ctx)
}

func (g *guardedStorage) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return g.inner.Values(ctx)
}

// Close closes nothing: the Backend's owner closes the real storages.
func (g *guardedStorage) Close() error { return nil }
