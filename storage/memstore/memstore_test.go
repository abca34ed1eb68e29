package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// fullStore is every method a memstore store has: storage.Storage and the
// optional interfaces, which the core finds by type assertion.
type fullStore interface {
	storage.Storage
	storage.ExpiringWriter
	storage.BulkDeleter
	storage.Pruner
	storage.ViewReader
	storage.OwnedWriter
}

// open returns the Responses of a new Backend, the store with opts' budget,
// and closes the Backend when the test ends.
func open(t testing.TB, opts *memstore.Options) fullStore {
	t.Helper()
	b, err := memstore.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open(%+v): %v", opts, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	s, ok := b.Responses.(fullStore)
	if !ok {
		t.Fatalf("Responses is a %T, which lacks an optional interface", b.Responses)
	}
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage { return open(t, nil) })
}

// A budget big enough never to evict during the suite still switches Read to
// the path that keeps the recency list, which the suite must also pass.
func TestConformanceWithBudget(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		return open(t, &memstore.Options{MaxEntries: 100_000, MaxBytes: 1 << 30})
	})
}

// TestBackend runs the Backend specification on Open's, with and
// without a budget (which only Responses has): the two stores are
// independent, fail with ErrClosed after Close (the optional interfaces
// too), and may be called from inside their own Keys and Values loops. There
// is no client, and nothing outlives the Backend to re-open.
func TestBackend(t *testing.T) {
	for name, opts := range map[string]*memstore.Options{"Unbudgeted": nil, "Budgeted": {MaxEntries: 100_000, MaxBytes: 1 << 30}} {
		t.Run(name, func(t *testing.T) {
			storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
				b, err := memstore.Open(t.Context(), opts)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}, nil)
		})
	}
}

func write(t *testing.T, s storage.Storage, key, value string) {
	t.Helper()
	if err := s.Write(t.Context(), key, []byte(value)); err != nil {
		t.Fatalf("Write(%q): %v", key, err)
	}
}

func sortedKeys(t *testing.T, s storage.Storage) []string {
	t.Helper()
	var keys []string
	for k, err := range s.Keys(t.Context()) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func wantKeys(t *testing.T, s storage.Storage, want ...string) {
	t.Helper()
	if got := sortedKeys(t, s); !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
	if n, err := s.Size(t.Context()); err != nil || n != len(want) {
		t.Fatalf("Size = (%d, %v), want (%d, nil)", n, err, len(want))
	}
}

func TestMaxEntriesEvictsLeastRecentlyUsed(t *testing.T) {
	s := open(t, &memstore.Options{MaxEntries: 3})
	ctx := t.Context()
	write(t, s, "a", "1")
	write(t, s, "b", "2")
	write(t, s, "c", "3") // recency, newest first: c b a
	if _, err := s.Read(ctx, "a"); err != nil {
		t.Fatal(err)
	} // a c b
	write(t, s, "d", "4") // d a c b: b goes
	wantKeys(t, s, "a", "c", "d")

	// Contains is a look, not a use: c stays the least recently used.
	if ok, err := s.Contains(ctx, "c"); err != nil || !ok {
		t.Fatalf("Contains(c) = (%v, %v)", ok, err)
	}
	write(t, s, "e", "5") // e d a c: c goes
	wantKeys(t, s, "a", "d", "e")

	// Overwriting is a use too.
	write(t, s, "a", "1 again") // a e d
	write(t, s, "f", "6")       // f a e d: d goes
	wantKeys(t, s, "a", "e", "f")
}

func TestMaxBytesEvictsUntilTheNewValueFits(t *testing.T) {
	s := open(t, &memstore.Options{MaxBytes: 100})
	v40 := strings.Repeat("x", 40) // each entry below costs 2 (key) + 40 = 42
	write(t, s, "k1", v40)
	write(t, s, "k2", v40)
	write(t, s, "k3", v40) // 126 > 100: k1 goes
	wantKeys(t, s, "k2", "k3")
	b, err := s.(storage.Budgeted).Budget(t.Context())
	if want := (storage.Budget{MaxBytes: 100, Bytes: 84, Entries: 2}); err != nil || b != want {
		t.Fatalf("Budget() = %+v, %v; want %+v", b, err, want)
	}

	// Growing k2 to 62 bytes makes it the newest and pushes the total to 104:
	// k3, now the least recently used, goes.
	write(t, s, "k2", strings.Repeat("y", 60))
	wantKeys(t, s, "k2")

	// A value that fits the budget exactly evicts everything else.
	write(t, s, "k4", strings.Repeat("z", 98))
	wantKeys(t, s, "k4")
}

func TestValueLargerThanBudgetIsNotStored(t *testing.T) {
	s := open(t, &memstore.Options{MaxBytes: 100})
	ctx := t.Context()
	write(t, s, "small", "kept")
	write(t, s, "big", "old value")
	err := s.Write(ctx, "big", bytes.Repeat([]byte("x"), 101))
	if !errors.Is(err, memstore.ErrTooLarge) {
		t.Fatalf("Write of 104 bytes into a 100-byte budget: err = %v, want ErrTooLarge", err)
	}
	// The store says its name and the budget; the core adds the key.
	if msg := err.Error(); !strings.HasPrefix(msg, "memstore: ") || !strings.Contains(msg, "budget 100") || strings.Contains(msg, `"big"`) {
		t.Errorf("error %q: want memstore's name and the budget, without the operation or key", err)
	}
	// The old value must not be served in place of the one that failed.
	if _, err := s.Read(ctx, "big"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Read(big) after a too-large write: err = %v, want ErrNotFound", err)
	}
	wantKeys(t, s, "small")
}

func TestExpiredValueReadsAsAbsentAndIsDropped(t *testing.T) {
	for name, opts := range map[string]*memstore.Options{"unbudgeted": nil, "budgeted": {MaxEntries: 10}} {
		t.Run(name, func(t *testing.T) {
			s := open(t, opts)
			ctx := t.Context()
			past, future := time.Now().Add(-time.Second), time.Now().Add(time.Hour)
			for key, exp := range map[string]time.Time{"past1": past, "past2": past, "future": future} {
				if err := s.WriteWithExpiry(ctx, key, []byte("v"), exp); err != nil {
					t.Fatal(err)
				}
			}
			wantKeys(t, s, "future")
			var values int
			for _, err := range s.Values(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				values++
			}
			if values != 1 {
				t.Fatalf("Values yielded %d, want only the 1 unexpired value", values)
			}
			if _, err := s.Read(ctx, "past1"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Read(expired) err = %v, want ErrNotFound", err)
			}
			if ok, err := s.Contains(ctx, "past2"); err != nil || ok {
				t.Fatalf("Contains(expired) = (%v, %v), want (false, nil)", ok, err)
			}
			// Both reads dropped what they found expired: nothing is left to prune.
			if n, err := s.DeleteExpired(ctx, time.Now()); err != nil || n != 0 {
				t.Fatalf("DeleteExpired after the reads = (%d, %v), want (0, nil)", n, err)
			}
			if got, err := s.Read(ctx, "future"); err != nil || string(got) != "v" {
				t.Fatalf("Read(future) = (%q, %v)", got, err)
			}
		})
	}
}

func TestDeleteExpiredUsesTheGivenTime(t *testing.T) {
	s := open(t, nil)
	ctx := t.Context()
	now := time.Now()
	if err := s.WriteWithExpiry(ctx, "soon", []byte("v"), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteWithExpiry(ctx, "later", []byte("v"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	write(t, s, "never", "v")
	if n, err := s.DeleteExpired(ctx, now.Add(2*time.Minute)); err != nil || n != 1 {
		t.Fatalf("DeleteExpired(in two minutes) = (%d, %v), want (1, nil)", n, err)
	}
	wantKeys(t, s, "later", "never")
}

func TestFarExpiryTimes(t *testing.T) {
	s := open(t, nil)
	ctx := t.Context()
	far := map[string]time.Time{
		"year 1":    time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
		"epoch":     time.Unix(0, 0),
		"year 9999": time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for key, exp := range far {
		if err := s.WriteWithExpiry(ctx, key, []byte("v"), exp); err != nil {
			t.Fatal(err)
		}
	}
	wantKeys(t, s, "year 9999")
}

func TestBackendBudgetAppliesToResponsesOnly(t *testing.T) {
	b, err := memstore.Open(t.Context(), &memstore.Options{MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, k := range []string{"a", "b"} {
		write(t, b.Responses, k, "v")
		write(t, b.Redirects, k, "v")
	}
	wantKeys(t, b.Responses, "b")
	wantKeys(t, b.Redirects, "a", "b")
}

func TestOpenErrors(t *testing.T) {
	for _, opts := range []*memstore.Options{{MaxEntries: -1}, {MaxBytes: -1}, {MaxEntries: 10, MaxBytes: -5}} {
		if b, err := memstore.Open(t.Context(), opts); err == nil || !strings.HasPrefix(err.Error(), "memstore: ") {
			if b != nil {
				_ = b.Close()
			}
			t.Errorf("Open(%+v) = %v, want a memstore error for the negative budget", opts, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := memstore.Open(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: err = %v, want context.Canceled", err)
	}
}

// A store's error says the store and the cause, once; the core adds the
// operation and the key.
func TestErrorShape(t *testing.T) {
	s := open(t, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.Write(t.Context(), "the-key", []byte("v"))
	if !errors.Is(err, storage.ErrClosed) || err.Error() != "memstore: storage: store is closed" {
		t.Errorf("Write after Close: %q, want \"memstore: storage: store is closed\"", err)
	}
}

func TestOpenURL(t *testing.T) {
	b, err := storage.Open(t.Context(), "memory://?max_entries=2&max_bytes=1KiB")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, k := range []string{"a", "b", "c"} {
		write(t, b.Responses, k, "v")
	}
	wantKeys(t, b.Responses, "b", "c")
	if err := b.Responses.Write(t.Context(), "big", make([]byte, 1024)); !errors.Is(err, memstore.ErrTooLarge) {
		t.Fatalf("Write of 1027 bytes with max_bytes=1KiB: err = %v, want ErrTooLarge", err)
	}

	for _, ok := range []string{"memory://", "memory:///", "MEMORY://", "memory://?max_entries=0&max_bytes=0"} {
		b, err := storage.Open(t.Context(), ok)
		if err != nil {
			t.Errorf("Open(%q): %v", ok, err)
			continue
		}
		_ = b.Close()
	}
}

func TestOpenURLErrors(t *testing.T) {
	tests := []struct{ url, wantInErr string }{
		{"memory://?max_entry=5", `unknown parameter "max_entry"`},
		{"memory://?max_entries=many", "max_entries"},
		{"memory://?max_entries=-1", "max_entries"},
		{"memory://?max_bytes=1XB", "max_bytes"},
		{"memory://?max_bytes=-5", "max_bytes"},
		{"memory://?max_entries=1&max_entries=2", "2 times"},
		{"memory://?max_bytes=%zz", "bad query"},
		{"memory://somehost", "names a place"},
		{"memory:///some/path", "names a place"},
		{"memory:opaque", "names a place"},
		{"memory://user@", "names a place"},
	}
	for _, tc := range tests {
		b, err := storage.Open(t.Context(), tc.url)
		if err == nil {
			_ = b.Close()
			t.Errorf("Open(%q) succeeded, want an error", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("Open(%q) = %v, want an error mentioning %q", tc.url, err, tc.wantInErr)
		}
	}
}

func TestOpenURLCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := storage.Open(ctx, "memory://"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with a cancelled context: err = %v, want context.Canceled", err)
	}
}
