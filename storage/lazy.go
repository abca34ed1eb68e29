package storage

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of Lazy's attempts to open its store.
const (
	// lazyOpenTimeout bounds one attempt.
	lazyOpenTimeout = 30 * time.Second
	// lazyRetry is the least time between two attempts.
	lazyRetry = time.Second
)

// Lazy returns a Backend that opens its store with open when it is first
// used, and again after each failure (at most once a second, and only while
// it is being used), so that a program can start while its store's server is
// down and use the store once it answers. Until open succeeds, every
// operation fails at once, without I/O, with an error that wraps
// ErrUnavailable and open's last error. open runs on a goroutine of its own
// under a deadline of its own (30 s), never under an operation's. Timeout is
// the returned Backend's Timeout.
//
// Closing the Backend closes the store open returned, if any, and stops any
// further attempt. Lazy itself does nothing until the Backend is used.
func Lazy(timeout time.Duration, open func(ctx context.Context) (*Backend, error)) *Backend {
	c := &lazyConn{open: open, refs: 2}
	return &Backend{
		Responses: &lazyStorage{c: c, pick: func(b *Backend) Storage { return b.Responses }},
		Redirects: &lazyStorage{c: c, pick: func(b *Backend) Storage { return b.Redirects }},
		Timeout:   timeout,
	}
}

// lazyConn is the store both lazyStorages share, once opened.
type lazyConn struct {
	open   func(ctx context.Context) (*Backend, error)
	opened atomic.Pointer[Backend]

	mu      sync.Mutex
	opening bool
	closed  bool
	refs    int       // lazyStorages not yet closed
	lastErr error     // the last attempt's error
	next    time.Time // no attempt before
}

// backend returns the opened store, or starts an attempt (if none runs and
// the last one is old enough) and fails.
func (c *lazyConn) backend() (*Backend, error) {
	if b := c.opened.Load(); b != nil {
		return b, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.opened.Load(); b != nil {
		return b, nil
	}
	if c.closed {
		return nil, ErrClosed
	}
	if !c.opening && !time.Now().Before(c.next) {
		c.opening = true
		go c.attempt()
	}
	if c.lastErr == nil {
		return nil, fmt.Errorf("%w: not open yet", ErrUnavailable)
	}
	return nil, fmt.Errorf("%w: not open yet: %w", ErrUnavailable, c.lastErr)
}

func (c *lazyConn) attempt() {
	ctx, cancel := context.WithTimeout(context.Background(), lazyOpenTimeout)
	b, err := c.open(ctx)
	cancel()
	if err == nil && (b == nil || b.Responses == nil || b.Redirects == nil) {
		err = errors.New("storage: Lazy: open returned no store")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opening = false
	switch {
	case c.closed || err != nil:
		if b != nil {
			_ = b.Close()
		}
		c.lastErr, c.next = err, time.Now().Add(lazyRetry)
	default:
		c.opened.Store(b)
	}
}

// release is one lazyStorage's Close: the last one closes the store.
func (c *lazyConn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refs == 0 {
		return nil
	}
	c.refs--
	if c.refs > 0 {
		return nil
	}
	c.closed = true
	if b := c.opened.Swap(nil); b != nil {
		return b.Close()
	}
	return nil
}

// lazyStorage is one namespace of a Lazy Backend.
type lazyStorage struct {
	c      *lazyConn
	pick   func(*Backend) Storage
	closed atomic.Bool
}

func (s *lazyStorage) storage() (Storage, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	b, err := s.c.backend()
	if err != nil {
		return nil, err
	}
	return s.pick(b), nil
}

func (s *lazyStorage) Contains(ctx context.Context, key string) (bool, error) {
	st, err := s.storage()
	if err != nil {
		return false, err
	}
	return st.Contains(ctx, key)
}

func (s *lazyStorage) Read(ctx context.Context, key string) ([]byte, error) {
	st, err := s.storage()
	if err != nil {
		return nil, err
	}
	return st.Read(ctx, key)
}

func (s *lazyStorage) Write(ctx context.Context, key string, value []byte) error {
	st, err := s.storage()
	if err != nil {
		return err
	}
	return st.Write(ctx, key, value)
}

func (s *lazyStorage) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	st, err := s.storage()
	if err != nil {
		return err
	}
	if ew, ok := st.(ExpiringWriter); ok {
		return ew.WriteWithExpiry(ctx, key, value, expires)
	}
	return st.Write(ctx, key, value)
}

func (s *lazyStorage) Delete(ctx context.Context, key string) error {
	st, err := s.storage()
	if err != nil {
		return err
	}
	return st.Delete(ctx, key)
}

func (s *lazyStorage) DeleteMany(ctx context.Context, keys []string) error {
	st, err := s.storage()
	if err != nil {
		return err
	}
	if bd, ok := st.(BulkDeleter); ok {
		return bd.DeleteMany(ctx, keys)
	}
	for _, k := range keys {
		if err := st.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// DeleteExpired prunes natively when the opened store can, and otherwise
// returns an error wrapping errors.ErrUnsupported: the caller then decodes
// the values itself.
func (s *lazyStorage) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	st, err := s.storage()
	if err != nil {
		return 0, err
	}
	if p, ok := st.(Pruner); ok {
		return p.DeleteExpired(ctx, now)
	}
	return 0, fmt.Errorf("storage: the store cannot prune by itself: %w", errors.ErrUnsupported)
}

// Budget reports the opened store's budget, or an error wrapping
// errors.ErrUnsupported when it keeps none.
func (s *lazyStorage) Budget(ctx context.Context) (Budget, error) {
	st, err := s.storage()
	if err != nil {
		return Budget{}, err
	}
	if b, ok := st.(Budgeted); ok {
		return b.Budget(ctx)
	}
	return Budget{}, fmt.Errorf("storage: the store keeps no budget: %w", errors.ErrUnsupported)
}

func (s *lazyStorage) Clear(ctx context.Context) error {
	st, err := s.storage()
	if err != nil {
		return err
	}
	return st.Clear(ctx)
}

func (s *lazyStorage) Size(ctx context.Context) (int, error) {
	st, err := s.storage()
	if err != nil {
		return 0, err
	}
	return st.Size(ctx)
}

func (s *lazyStorage) Keys(ctx context.Context) iter.Seq2[string, error] {
	st, err := s.storage()
	if err != nil {
		return func(yield func(string, error) bool) { yield("", err) }
	}
	return st.Keys(ctx)
}

func (s *lazyStorage) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	st, err := s.storage()
	if err != nil {
		return func(yield func([]byte, error) bool) { yield(nil, err) }
	}
	return st.Values(ctx)
}

func (s *lazyStorage) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.c.release()
}
