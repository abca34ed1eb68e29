// Package storagetest is the conformance suite for the stores of package
// storage: the specification every store in this module passes, exported so
// that a custom store can prove itself the same way. It has two parts.
//
// Run specifies one storage.Storage, one namespace at a time:
//
//	func TestMyStore(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Storage {
//			return mystore.New(...) // empty, in a namespace of its own
//		})
//	}
//
// Run calls newStorage once per subtest, and once more to see which optional
// interfaces of package storage the store implements, which it then tests.
// Each call must return an empty storage that no other call shares (for a
// server, a fresh namespace); Run closes it when the subtest ends.
//
// RunBackend specifies a whole storage.Backend, the two storages a cache
// needs: that their namespaces are separate, that Close closes both (which may
// share one connection) and every method then fails with storage.ErrClosed,
// that the store can be called from inside its own Keys and Values loops, and,
// through hooks in BackendOptions, that a client the caller passed in survives
// Close and that a second Backend on the same cache_name sees the same
// entries:
//
//	func TestMyStoreBackend(t *testing.T) {
//		client := myclient.Connect(...) // the caller's: the store must not close it
//		t.Cleanup(func() { client.Close() })
//		storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
//			b, err := mystore.New(client, uniqueName(t)) // empty: a cache_name of its own
//			if err != nil {
//				t.Fatal(err)
//			}
//			return b
//		}, &storagetest.BackendOptions{
//			Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend {
//				b2, err := mystore.New(client, b.Responses.(*mystore.Store).CacheName())
//				if err != nil {
//					t.Fatal(err)
//				}
//				return b2
//			},
//			ClientStillWorks: func(t *testing.T, _ *storage.Backend) error {
//				return client.Ping(t.Context())
//			},
//		})
//	}
//
// RunBackend calls newBackend once per subtest and closes what it returns
// when the subtest ends. A store passes both: Run for each of its storages
// (Responses and Redirects, where they differ) and RunBackend for the pair.
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Factory returns a new, empty storage for one subtest.
type Factory func(t *testing.T) storage.Storage

// Run runs the conformance suite of one storage.Storage against the storages
// newStorage makes: reads, writes, deletions, listing, values big and empty,
// keys awkward and long, ownership of slices, cancelled contexts, concurrent
// use, Close, and the optional interfaces each storage implements. What
// concerns the two storages of a Backend together is RunBackend's.
func Run(t *testing.T, newStorage Factory) {
	t.Helper()
	open := func(t *testing.T) storage.Storage {
		t.Helper()
		s := newStorage(t)
		if s == nil {
			t.Fatal("newStorage returned nil")
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	type test struct {
		name string
		fn   func(t *testing.T, s storage.Storage)
	}
	tests := []test{
		{"MissingKey", testMissingKey},
		{"WriteRead", testWriteRead},
		{"Overwrite", testOverwrite},
		{"EmptyValue", testEmptyValue},
		{"BinaryValue1MiB", func(t *testing.T, s storage.Storage) { testBigValue(t, s, 1<<20) }},
		{"BinaryValue5MiB", func(t *testing.T, s storage.Storage) { testBigValue(t, s, 5<<20) }},
		{"OwnershipOfSlices", testOwnership},
		{"AwkwardKeys", testAwkwardKeys},
		{"Delete", testDelete},
		{"ClearSizeKeysValuesAgree", testListing},
		{"EarlyBreak", testEarlyBreak},
		{"CancelledContext", testCancelledContext},
		{"Concurrent", testConcurrent},
	}
	// The optional interfaces are specified only for stores that have them:
	// a probe storage says which.
	probe := newStorage(t)
	for _, o := range []struct {
		test
		has bool
	}{
		{test{"ExpiringWriter", testExpiringWriter}, implements[storage.ExpiringWriter](probe)},
		{test{"WrittenAlreadyExpired", testWrittenAlreadyExpired}, implements[storage.ExpiringWriter](probe)},
		{test{"ExpiredIsGone", testExpiredIsGone}, implements[storage.ExpiringWriter](probe)},
		{test{"BulkDeleter", testBulkDeleter}, implements[storage.BulkDeleter](probe)},
		{test{"Pruner", testPruner}, implements[storage.Pruner](probe)},
		{test{"ViewReader", testViewReader}, implements[storage.ViewReader](probe)},
		{test{"OwnedWriter", testOwnedWriter}, implements[storage.OwnedWriter](probe)},
	} {
		if o.has {
			tests = append(tests, o.test)
		} else {
			t.Logf("optional %s: not implemented, not tested", o.name)
		}
	}
	_ = probe.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
	t.Run("Close", func(t *testing.T) { testClose(t, newStorage(t)) })
}

func implements[I any](s storage.Storage) bool {
	_, ok := s.(I)
	return ok
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustWrite(t *testing.T, s storage.Storage, key string, value []byte) {
	t.Helper()
	if err := s.Write(ctxFor(t), key, value); err != nil {
		t.Fatalf("Write(%q, %d bytes): %v", key, len(value), err)
	}
}

func mustRead(t *testing.T, s storage.Storage, key string) []byte {
	t.Helper()
	v, err := s.Read(ctxFor(t), key)
	if err != nil {
		t.Fatalf("Read(%q): %v", key, err)
	}
	return v
}

func wantValue(t *testing.T, s storage.Storage, key string, want []byte) {
	t.Helper()
	if got := mustRead(t, s, key); !bytes.Equal(got, want) {
		t.Fatalf("Read(%q) = %s, want %s", key, describe(got), describe(want))
	}
}

func wantAbsent(t *testing.T, s storage.Storage, key string) {
	t.Helper()
	ctx := ctxFor(t)
	if v, err := s.Read(ctx, key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Read(%q) of an absent key = (%s, %v), want an error wrapping storage.ErrNotFound", key, describe(v), err)
	}
	if ok, err := s.Contains(ctx, key); err != nil || ok {
		t.Fatalf("Contains(%q) of an absent key = (%v, %v), want (false, nil)", key, ok, err)
	}
}

func describe(v []byte) string {
	if len(v) <= 32 {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%d bytes starting %q", len(v), v[:16])
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testMissingKey(t *testing.T, s storage.Storage) {
	wantAbsent(t, s, "missing")
	if err := s.Delete(ctxFor(t), "missing"); err != nil {
		t.Fatalf("Delete of an absent key: %v, want nil", err)
	}
}

func testWriteRead(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "k1", []byte("value one"))
	wantValue(t, s, "k1", []byte("value one"))
	if ok, err := s.Contains(ctxFor(t), "k1"); err != nil || !ok {
		t.Fatalf("Contains(k1) after Write = (%v, %v), want (true, nil)", ok, err)
	}
	wantAbsent(t, s, "k2")
}

func testOverwrite(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "k", []byte("first, and longer than the second"))
	mustWrite(t, s, "k", []byte("second"))
	wantValue(t, s, "k", []byte("second"))
	if n, err := s.Size(ctxFor(t)); err != nil || n != 1 {
		t.Fatalf("Size after overwriting one key = (%d, %v), want (1, nil)", n, err)
	}
}

func testEmptyValue(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "empty", []byte{})
	if got := mustRead(t, s, "empty"); len(got) != 0 {
		t.Fatalf("Read(empty) = %s, want no bytes", describe(got))
	}
	if ok, err := s.Contains(ctxFor(t), "empty"); err != nil || !ok {
		t.Fatalf("Contains(empty) = (%v, %v), want (true, nil): an empty value is still a value", ok, err)
	}
	mustWrite(t, s, "nil", nil)
	if ok, err := s.Contains(ctxFor(t), "nil"); err != nil || !ok {
		t.Fatalf("Contains(nil) after writing a nil value = (%v, %v), want (true, nil)", ok, err)
	}
}

func testBigValue(t *testing.T, s storage.Storage, n int) {
	v := randomBytes(n, uint64(n))
	mustWrite(t, s, "big", v)
	wantValue(t, s, "big", v)
	// Overwriting a big value with a small one must not leave any of it behind.
	mustWrite(t, s, "big", []byte("small"))
	wantValue(t, s, "big", []byte("small"))
}

func testOwnership(t *testing.T, s storage.Storage) {
	v := []byte("original")
	mustWrite(t, s, "k", v)
	copy(v, "MODIFIED")
	wantValue(t, s, "k", []byte("original"))
	got := mustRead(t, s, "k")
	copy(got, "CHANGED!")
	wantValue(t, s, "k", []byte("original"))
}

func awkwardKeys() []string {
	return []string{
		"a/b", "../escape", "/abs", `back\slash`, "with space", "dot.", ".", "..",
		"üñí©ødé", "colon:key", "percent%2F", "newline\nkey", "UPPER", "upper",
		string(bytes.Repeat([]byte("x"), 512)),
	}
}

func testAwkwardKeys(t *testing.T, s storage.Storage) {
	keys := awkwardKeys()
	for i, k := range keys {
		mustWrite(t, s, k, fmt.Appendf(nil, "value %d", i))
	}
	for i, k := range keys {
		wantValue(t, s, k, fmt.Appendf(nil, "value %d", i))
	}
	got := collectKeys(t, s)
	slices.Sort(got)
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
}

func testDelete(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "keep", []byte("1"))
	mustWrite(t, s, "drop", []byte("2"))
	if err := s.Delete(ctxFor(t), "drop"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantAbsent(t, s, "drop")
	wantValue(t, s, "keep", []byte("1"))
	if err := s.Delete(ctxFor(t), "drop"); err != nil {
		t.Fatalf("second Delete of the same key: %v, want nil", err)
	}
}

func collectKeys(t *testing.T, s storage.Storage) []string {
	t.Helper()
	var out []string
	for k, err := range s.Keys(ctxFor(t)) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		out = append(out, k)
	}
	return out
}

func collectValues(t *testing.T, s storage.Storage) []string {
	t.Helper()
	var out []string
	for v, err := range s.Values(ctxFor(t)) {
		if err != nil {
			t.Fatalf("Values: %v", err)
		}
		out = append(out, string(v))
	}
	return out
}

func testListing(t *testing.T, s storage.Storage) {
	ctx := ctxFor(t)
	if n, err := s.Size(ctx); err != nil || n != 0 {
		t.Fatalf("Size of a new storage = (%d, %v), want (0, nil)", n, err)
	}
	if k := collectKeys(t, s); len(k) != 0 {
		t.Fatalf("Keys of a new storage = %q, want none", k)
	}
	const n = 120 // more than one page for stores that page
	var wantKeys, wantValues []string
	for i := range n {
		k, v := fmt.Sprintf("key-%03d", i), fmt.Sprintf("value-%03d", i)
		mustWrite(t, s, k, []byte(v))
		wantKeys, wantValues = append(wantKeys, k), append(wantValues, v)
	}
	if got, err := s.Size(ctx); err != nil || got != n {
		t.Fatalf("Size = (%d, %v), want (%d, nil)", got, err, n)
	}
	keys, values := collectKeys(t, s), collectValues(t, s)
	slices.Sort(keys)
	slices.Sort(values)
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("Keys yielded %d keys, want the %d written (first got %q)", len(keys), n, keys[:min(3, len(keys))])
	}
	if !slices.Equal(values, wantValues) {
		t.Fatalf("Values yielded %d values, want the %d written", len(values), n)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if got, err := s.Size(ctx); err != nil || got != 0 {
		t.Fatalf("Size after Clear = (%d, %v), want (0, nil)", got, err)
	}
	if k := collectKeys(t, s); len(k) != 0 {
		t.Fatalf("Keys after Clear = %q, want none", k[:min(3, len(k))])
	}
	if v := collectValues(t, s); len(v) != 0 {
		t.Fatalf("Values after Clear yielded %d values, want none", len(v))
	}
	wantAbsent(t, s, "key-000")
	mustWrite(t, s, "after-clear", []byte("x"))
	wantValue(t, s, "after-clear", []byte("x"))
}

func testEarlyBreak(t *testing.T, s storage.Storage) {
	for i := range 30 {
		mustWrite(t, s, fmt.Sprintf("k%02d", i), []byte("v"))
	}
	// Breaking out must release whatever the iteration held: afterwards the
	// storage must work as usual (a held lock or open cursor would hang here).
	for range 3 {
		seen := 0
		for _, err := range s.Keys(ctxFor(t)) {
			if err != nil {
				t.Fatalf("Keys: %v", err)
			}
			seen++
			break
		}
		if seen != 1 {
			t.Fatalf("Keys yielded %d before break, want 1", seen)
		}
		for _, err := range s.Values(ctxFor(t)) {
			if err != nil {
				t.Fatalf("Values: %v", err)
			}
			break
		}
		mustWrite(t, s, "after-break", []byte("ok"))
		wantValue(t, s, "after-break", []byte("ok"))
	}
	if n, err := s.Size(ctxFor(t)); err != nil || n != 31 {
		t.Fatalf("Size after early breaks = (%d, %v), want (31, nil)", n, err)
	}
}

func testCancelledContext(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "k", []byte("v"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v, want one wrapping context.Canceled", op, err)
		}
	}
	_, err := s.Read(ctx, "k")
	check("Read", err)
	_, err = s.Contains(ctx, "k")
	check("Contains", err)
	check("Write", s.Write(ctx, "k2", []byte("v")))
	check("Delete", s.Delete(ctx, "k"))
	check("Clear", s.Clear(ctx))
	_, err = s.Size(ctx)
	check("Size", err)
	var keysErr, valuesErr error
	for _, err := range s.Keys(ctx) {
		if err != nil {
			keysErr = err
		}
	}
	check("Keys", keysErr)
	for _, err := range s.Values(ctx) {
		if err != nil {
			valuesErr = err
		}
	}
	check("Values", valuesErr)
	// None of that may have changed anything.
	wantValue(t, s, "k", []byte("v"))
	wantAbsent(t, s, "k2")
}

func testConcurrent(t *testing.T, s storage.Storage) {
	const workers, ops = 8, 40
	shared := [][]byte{randomBytes(3000, 1), randomBytes(70000, 2)}
	var wg sync.WaitGroup
	errs := make(chan error, workers*ops)
	for w := range workers {
		wg.Go(func() {
			ctx := ctxFor(t)
			for i := range ops {
				own := fmt.Sprintf("w%d-%d", w, i)
				val := fmt.Appendf(nil, "worker %d op %d", w, i)
				if err := s.Write(ctx, own, val); err != nil {
					errs <- fmt.Errorf("Write(%s): %w", own, err)
					return
				}
				if got, err := s.Read(ctx, own); err != nil || !bytes.Equal(got, val) {
					errs <- fmt.Errorf("Read(%s) = (%s, %v), want %q", own, describe(got), err, val)
					return
				}
				if err := s.Write(ctx, "shared", shared[(w+i)%2]); err != nil {
					errs <- fmt.Errorf("Write(shared): %w", err)
					return
				}
				got, err := s.Read(ctx, "shared")
				if err != nil {
					errs <- fmt.Errorf("Read(shared): %w", err)
					return
				}
				if !bytes.Equal(got, shared[0]) && !bytes.Equal(got, shared[1]) {
					errs <- fmt.Errorf("Read(shared) = %s: a torn value, neither of the two written", describe(got))
					return
				}
				if i%10 == 9 {
					if _, err := s.Size(ctx); err != nil {
						errs <- fmt.Errorf("calling Size: %w", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := s.Size(ctxFor(t)); err != nil || n != workers*ops+1 {
		t.Fatalf("Size after concurrent writes = (%d, %v), want (%d, nil)", n, err, workers*ops+1)
	}
}

func testExpiringWriter(t *testing.T, s storage.Storage) {
	ew, ok := s.(storage.ExpiringWriter)
	if !ok {
		t.Fatal("the storage does not implement storage.ExpiringWriter")
	}
	ctx := ctxFor(t)
	if err := ew.WriteWithExpiry(ctx, "later", []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("WriteWithExpiry(an hour from now): %v", err)
	}
	wantValue(t, s, "later", []byte("v1"))
	if err := ew.WriteWithExpiry(ctx, "never", []byte("v2"), time.Time{}); err != nil {
		t.Fatalf("WriteWithExpiry(zero time): %v", err)
	}
	wantValue(t, s, "never", []byte("v2"))
	// Overwriting with a plain Write keeps the value readable.
	mustWrite(t, s, "later", []byte("v3"))
	wantValue(t, s, "later", []byte("v3"))
	// An expiry already past is accepted; the value may vanish at any time.
	if err := ew.WriteWithExpiry(ctx, "past", []byte("v4"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatalf("WriteWithExpiry(a minute ago): %v", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ew.WriteWithExpiry(cctx, "x", []byte("v"), time.Now().Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteWithExpiry with a cancelled context: err = %v, want one wrapping context.Canceled", err)
	}
}

// testExpiredIsGone is the rule for a value whose expiry passes while it is
// stored: once the expiry is a second behind, it is gone from every method
// (Read, Contains, Size, Keys, Values), in every store alike, whether or not
// the server has removed it yet, so that Size, the URLs listed and what
// prune finds agree across stores.
func testExpiredIsGone(t *testing.T, s storage.Storage) {
	ew, ok := s.(storage.ExpiringWriter)
	if !ok {
		t.Fatal("the storage does not implement storage.ExpiringWriter")
	}
	ctx := ctxFor(t)
	expires := time.Now().Add(time.Second)
	if err := ew.WriteWithExpiry(ctx, "brief", []byte("v"), expires); err != nil {
		t.Fatalf("WriteWithExpiry(a second from now): %v", err)
	}
	mustWrite(t, s, "kept", []byte("k"))
	// Stores with whole-second expiries may keep it up to a second longer.
	time.Sleep(time.Until(expires.Add(time.Second + 100*time.Millisecond)))
	wantAbsent(t, s, "brief")
	if got := collectKeys(t, s); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("Keys after the expiry = %q, want [kept]", got)
	}
	if got := collectValues(t, s); !slices.Equal(got, []string{"k"}) {
		t.Errorf("Values after the expiry = %q, want [k]", got)
	}
	if n, err := s.Size(ctx); err != nil || n != 1 {
		t.Errorf("Size after the expiry = %d, %v; want 1", n, err)
	}
}

// testWrittenAlreadyExpired is the one rule for a value written with an
// expiry already past (the core's native expiry is the response's expiry
// plus KeepExpired, so such a value is one not even KeepExpired covers): it
// stores nothing and deletes the key, in every store alike, so that Size,
// Keys and the URLs listed agree across stores. The older value it replaced
// is never served again.
func testWrittenAlreadyExpired(t *testing.T, s storage.Storage) {
	ew, ok := s.(storage.ExpiringWriter)
	if !ok {
		t.Fatal("the storage does not implement storage.ExpiringWriter")
	}
	ctx := ctxFor(t)
	mustWrite(t, s, "replaced", []byte("old"))
	past := time.Now().Add(-time.Minute)
	for _, k := range []string{"replaced", "new"} {
		if err := ew.WriteWithExpiry(ctx, k, []byte("expired"), past); err != nil {
			t.Fatalf("WriteWithExpiry(%q, a minute ago): %v", k, err)
		}
	}
	mustWrite(t, s, "live", []byte("v"))
	if v, err := s.Read(ctx, "replaced"); err == nil && string(v) == "old" {
		t.Fatal(`Read("replaced") after WriteWithExpiry(a minute ago) = the older value: a write replaces it, whatever its expiry`)
	}
	wantAbsent(t, s, "replaced")
	wantAbsent(t, s, "new")
	if got := collectKeys(t, s); !slices.Equal(got, []string{"live"}) {
		t.Errorf("Keys = %q, want only [live]", got)
	}
	if got := collectValues(t, s); !slices.Equal(got, []string{"v"}) {
		t.Errorf("Values = %q, want only [v]", got)
	}
	if n, err := s.Size(ctx); err != nil || n != 1 {
		t.Errorf("Size = (%d, %v), want (1, nil): values written already expired are not counted", n, err)
	}
}

func testBulkDeleter(t *testing.T, s storage.Storage) {
	bd, ok := s.(storage.BulkDeleter)
	if !ok {
		t.Fatal("the storage does not implement storage.BulkDeleter")
	}
	var keys []string
	for i := range 60 {
		k := fmt.Sprintf("bulk-%02d", i)
		keys = append(keys, k)
		mustWrite(t, s, k, []byte("v"))
	}
	del := append(slices.Clone(keys[:55]), "absent-1", "absent-2")
	if err := bd.DeleteMany(ctxFor(t), del); err != nil {
		t.Fatalf("DeleteMany(55 present, 2 absent): %v", err)
	}
	if err := bd.DeleteMany(ctxFor(t), nil); err != nil {
		t.Fatalf("DeleteMany(nil): %v", err)
	}
	got := collectKeys(t, s)
	slices.Sort(got)
	if !slices.Equal(got, keys[55:]) {
		t.Fatalf("keys left after DeleteMany = %q, want %q", got, keys[55:])
	}
}

func testPruner(t *testing.T, s storage.Storage) {
	p, ok := s.(storage.Pruner)
	if !ok {
		t.Fatal("the storage does not implement storage.Pruner")
	}
	ew, ok := s.(storage.ExpiringWriter)
	if !ok {
		t.Fatal("a storage.Pruner must also implement storage.ExpiringWriter: expiry reaches it only that way")
	}
	ctx := ctxFor(t)
	now := time.Now()
	for i, exp := range []time.Time{now.Add(-2 * time.Hour), now.Add(-time.Hour), now.Add(time.Hour), {}} {
		if err := ew.WriteWithExpiry(ctx, fmt.Sprintf("p%d", i), []byte("v"), exp); err != nil {
			t.Fatalf("WriteWithExpiry: %v", err)
		}
	}
	mustWrite(t, s, "plain", []byte("v"))
	// An entry overwritten by a plain Write no longer expires.
	if err := ew.WriteWithExpiry(ctx, "rewritten", []byte("v"), now.Add(-time.Hour)); err != nil {
		t.Fatalf("WriteWithExpiry: %v", err)
	}
	mustWrite(t, s, "rewritten", []byte("v2"))
	n, err := p.DeleteExpired(ctx, now)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip("DeleteExpired returned ErrUnsupported: a wrapper (storage.Lazy) over a store that does not prune")
	}
	if err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	// Stores with their own TTL may have removed some expired values already.
	if n > 2 {
		t.Errorf("DeleteExpired = %d, want at most the 2 expired values", n)
	}
	got := collectKeys(t, s)
	slices.Sort(got)
	if want := []string{"p2", "p3", "plain", "rewritten"}; !slices.Equal(got, want) {
		t.Fatalf("keys after DeleteExpired = %q, want %q", got, want)
	}
}

func testClose(t *testing.T, s storage.Storage) {
	mustWrite(t, s, "k", []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v, want nil (Close is idempotent)", err)
	}
	ctx := ctxFor(t)
	if _, err := s.Read(ctx, "k"); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Read after Close: err = %v, want one wrapping storage.ErrClosed", err)
	}
	if err := s.Write(ctx, "k", []byte("v")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Write after Close: err = %v, want one wrapping storage.ErrClosed", err)
	}
}

func testViewReader(t *testing.T, s storage.Storage) {
	vr, ok := s.(storage.ViewReader)
	if !ok {
		t.Fatal("the storage does not implement storage.ViewReader")
	}
	ow, ok := s.(storage.OwnedWriter)
	if !ok {
		t.Fatal("the storage implements storage.ViewReader without storage.OwnedWriter: views are of owned values")
	}
	ctx := ctxFor(t)
	if err := ow.WriteOwned(ctx, "k", []byte("first"), time.Time{}); err != nil {
		t.Fatalf("WriteOwned: %v", err)
	}
	view, err := vr.ReadView(ctx, "k")
	if err != nil || string(view) != "first" {
		t.Fatalf("ReadView = (%q, %v), want first", view, err)
	}
	// A later Write replaces the value; the view handed out must not change.
	mustWrite(t, s, "k", []byte("other"))
	if string(view) != "first" {
		t.Fatalf("a view changed to %q after the key was overwritten", view)
	}
	// A value that did not come from WriteOwned may have come from anywhere:
	// it is not handed out as a view, which the core would trust.
	if v, err := vr.ReadView(ctx, "k"); !errors.Is(err, storage.ErrNoView) {
		t.Fatalf("ReadView of a value stored by Write = (%q, %v), want storage.ErrNoView", v, err)
	}
	if _, err := vr.ReadView(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("ReadView of an absent key: err = %v, want storage.ErrNotFound", err)
	}
}

func testOwnedWriter(t *testing.T, s storage.Storage) {
	ow, ok := s.(storage.OwnedWriter)
	if !ok {
		t.Fatal("the storage does not implement storage.OwnedWriter")
	}
	ctx := ctxFor(t)
	if err := ow.WriteOwned(ctx, "k", []byte("handed over"), time.Time{}); err != nil {
		t.Fatalf("WriteOwned: %v", err)
	}
	got := mustRead(t, s, "k")
	if string(got) != "handed over" {
		t.Fatalf("Read after WriteOwned = %q", got)
	}
	// Read still returns the caller's own copy.
	copy(got, "XXXXXX")
	wantValue(t, s, "k", []byte("handed over"))
	if err := ow.WriteOwned(ctx, "later", []byte("v"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("WriteOwned with an expiry: %v", err)
	}
	wantValue(t, s, "later", []byte("v"))
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ow.WriteOwned(cctx, "x", []byte("v"), time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteOwned with a cancelled context: err = %v, want one wrapping context.Canceled", err)
	}
}
