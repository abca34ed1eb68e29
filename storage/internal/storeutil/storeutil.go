// Package storeutil holds what every store of this project needs the same
// way: the closed state of a store, the encoding of expiry times, and the
// shape of a store's errors. Stores prefix their errors with their name and
// namespace; the core adds the operation and key, once.
package storeutil

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Closed is the closed state of a store. Its zero value is open.
type Closed struct{ closed atomic.Bool }

// Close marks the store closed and reports whether this call did it (the
// first Close releases what the store holds; later ones do nothing).
func (c *Closed) Close() bool { return c.closed.CompareAndSwap(false, true) }

// IsClosed reports whether Close was called.
func (c *Closed) IsClosed() bool { return c.closed.Load() }

// Check returns storage.ErrClosed once the store is closed, and ctx's error
// once it is done, so that a method gives up before any I/O.
func (c *Closed) Check(ctx context.Context) error {
	if c.closed.Load() {
		return storage.ErrClosed
	}
	return ctx.Err()
}

// ExpiryNanos turns an expiry time into unix nanoseconds: 0 for the zero
// time (never), and otherwise a non-zero count clamped to what an int64
// holds, so that far-past and far-future times keep their meaning.
func ExpiryNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(time.Unix(0, 1)):
		return 1 // long past, but still an expiry
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	default:
		return t.UnixNano()
	}
}

// ExpirySeconds turns an expiry time into unix seconds, rounded up so that
// a value never reads as expired early: 0 for the zero time (never).
func ExpirySeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return max(sec, 1)
}

// Error is a store's error: the store's name and namespace, then the cause.
// The core adds the operation and the key (clientcache's errors say them
// once); a store does not repeat them.
type Error struct {
	Store     string // "redisstore"
	Namespace string // "responses", a table, a key prefix
	Err       error
}

func (e *Error) Error() string {
	if e.Namespace == "" {
		return e.Store + ": " + e.Err.Error()
	}
	return fmt.Sprintf("%s: %s: %v", e.Store, e.Namespace, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Timeout is the Backend.Timeout a store's Options.Timeout asks for: the
// store's default for zero, none (zero) for a negative value.
func Timeout(option, fallback time.Duration) time.Duration {
	switch {
	case option < 0:
		return 0
	case option == 0:
		return fallback
	}
	return option
}
