package storeutil

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

func TestClosed(t *testing.T) {
	var c Closed
	if err := c.Check(context.Background()); err != nil || c.IsClosed() {
		t.Fatalf("new: %v, closed %v", err, c.IsClosed())
	}
	if !c.Close() || c.Close() {
		t.Fatal("Close must report true once, then false")
	}
	if err := c.Check(context.Background()); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	var open Closed
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := open.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("done context: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	if ExpiryNanos(time.Time{}) != 0 || ExpirySeconds(time.Time{}) != 0 {
		t.Error("the zero time must be 0 (never)")
	}
	if ExpiryNanos(time.Unix(-5, 0)) != 1 || ExpiryNanos(time.Unix(1<<40, 0)) != math.MaxInt64 {
		t.Error("far past and far future times must be clamped, non-zero")
	}
	if ExpirySeconds(time.Unix(10, 1)) != 11 || ExpirySeconds(time.Unix(10, 0)) != 10 {
		t.Error("seconds must round up")
	}
}

func TestError(t *testing.T) {
	err := &Error{Store: "redisstore", Namespace: "app:responses", Err: storage.ErrClosed}
	if err.Error() != "redisstore: app:responses: storage: store is closed" || !errors.Is(err, storage.ErrClosed) {
		t.Errorf("%q", err)
	}
}
