package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clientcache/clientcache/storage/redisstore"
)

// TestCancelMidIteration cancels the context after the first key of a
// namespace that takes many SCAN pages: the iteration must end with an error
// wrapping context.Canceled, not run on nor end silently.
func TestCancelMidIteration(t *testing.T) {
	c := singleClient(t)
	ctx := ctxT(t)
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, c, name) })
	b, err := redisstore.New(ctx, c, &redisstore.Options{CacheName: name, ScanCount: 5, ValuesBatch: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if err := b.Responses.Write(ctx, fmt.Sprint("k", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != 60 {
		t.Fatalf("Size with ScanCount 5 = (%d, %v), want (60, nil)", n, err)
	}
	n := 0
	for _, err := range b.Responses.Values(ctx) {
		if err != nil {
			t.Fatalf("Values with ValuesBatch 3: %v", err)
		}
		n++
	}
	if n != 60 {
		t.Fatalf("Values with ValuesBatch 3 yielded %d values, want 60", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen, last := 0, error(nil)
	for _, err := range b.Responses.Keys(cctx) {
		if err != nil {
			last = err
			break
		}
		seen++
		cancel()
	}
	if !errors.Is(last, context.Canceled) || seen >= 60 {
		t.Fatalf("Keys cancelled after the first key: %d keys, then err = %v; want fewer than 60, then context.Canceled", seen, last)
	}
}
