package storage_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// lazyOpener fails until up is set, counting its calls, and then opens map
// stores, counting how many of the Backends it made are closed.
type lazyOpener struct {
	up, calls, closed atomic.Int32
}

func (o *lazyOpener) open(ctx context.Context) (*storage.Backend, error) {
	o.calls.Add(1)
	if o.up.Load() == 0 {
		return nil, storage.Unavailable(errors.New("dial tcp: connection refused"))
	}
	return &storage.Backend{Responses: closeCounter{newMapStore(), &o.closed}, Redirects: closeCounter{newMapStore(), &o.closed}}, nil
}

type closeCounter struct {
	storage.Storage
	n *atomic.Int32
}

func (c closeCounter) Close() error {
	c.n.Add(1)
	return c.Storage.Close()
}

// eventually polls cond for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
	}
}

func TestLazy(t *testing.T) {
	ctx := context.Background()
	o := &lazyOpener{}
	b := storage.Lazy(50*time.Millisecond, o.open)
	if b.Timeout != 50*time.Millisecond {
		t.Errorf("Timeout %v", b.Timeout)
	}
	if o.calls.Load() != 0 {
		t.Fatal("Lazy opened before it was used")
	}
	err := b.Responses.Write(ctx, "k", []byte("v"))
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("a write before the store opens: %v, want ErrUnavailable", err)
	}
	eventually(t, "the first attempt", func() bool {
		_, err := b.Responses.Read(ctx, "k")
		return errors.Is(err, storage.ErrUnavailable) && o.calls.Load() >= 1 && err.Error() != ""
	})
	// Failed attempts are at most once a second.
	for range 20 {
		b.Redirects.Contains(ctx, "k")
	}
	if n := o.calls.Load(); n > 2 {
		t.Errorf("%d attempts within a second", n)
	}
	o.up.Store(1)
	eventually(t, "the store opens once it answers", func() bool {
		return b.Responses.Write(ctx, "k", []byte("v")) == nil
	})
	if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Read after open: %q, %v", v, err)
	}
	if _, err := b.Responses.(storage.Pruner).DeleteExpired(ctx, time.Now()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DeleteExpired over a store that cannot prune: %v, want ErrUnsupported", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := o.closed.Load(); n != 2 {
		t.Errorf("Close closed %d storages of the opened store, want 2", n)
	}
	if _, err := b.Responses.Read(ctx, "k"); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Read after Close: %v, want ErrClosed", err)
	}
}

// An open Lazy Backend is a Backend like any other.
func TestLazyConformance(t *testing.T) {
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
		o := &lazyOpener{}
		o.up.Store(1)
		b := storage.Lazy(0, o.open)
		eventually(t, "open", func() bool { _, err := b.Responses.Size(context.Background()); return err == nil })
		return b
	}, nil)
}
