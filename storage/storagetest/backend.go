package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// BackendFactory returns a new, empty Backend for one subtest: in a
// cache_name that no other call shares (a fresh database, table, directory
// or key prefix).
type BackendFactory func(t *testing.T) *storage.Backend

// BackendOptions are the hooks through which RunBackend tests what only the
// store's own test can do. Each hook left nil leaves its test out (RunBackend
// logs which); a nil *BackendOptions leaves all of them out.
type BackendOptions struct {
	// Reopen returns a second Backend on the cache_name of b, opened anew as
	// another process would open it (the same database, table, directory
	// or key prefix; through the same client where b was made from the
	// caller's client). b is a Backend newBackend returned; it may be closed
	// already, and Reopen must still work then. RunBackend closes the
	// Backend Reopen returns. Leave it nil for a store that keeps nothing
	// beyond its Backend, such as an in-process one.
	Reopen func(t *testing.T, b *storage.Backend) *storage.Backend

	// ClientStillWorks is for a Backend made from a client, database handle
	// or connection that the caller passed in (and so keeps owning). It uses
	// that client directly (a ping, a query) and returns its error.
	// RunBackend calls it after closing b, which must not have closed the
	// client. Leave it nil when the store opened its client itself.
	ClientStillWorks func(t *testing.T, b *storage.Backend) error

	// CallTimeout bounds each call the suite makes from inside a Keys or
	// Values loop; a call that has not returned by then is taken for a
	// deadlock. It is no performance bound, only the way to fail instead of
	// hanging. Zero means 30 seconds.
	CallTimeout time.Duration
}

// RunBackend runs the specification of a whole Backend against the Backends
// newBackend makes: what concerns the two storages together, which Run,
// testing one namespace at a time, cannot see. Run the storages through Run
// as well. The subtests:
//
//   - NamespacesIsolated: a key written in Responses is not in Redirects and
//     the other way round; Delete, DeleteMany, DeleteExpired and Clear of one
//     leave the other alone; Size, Keys and Values count only their own.
//   - EveryMethodAfterClose: after Backend.Close, every method of both
//     storages, the optional interfaces they implement included, returns an
//     error wrapping storage.ErrClosed; Close, of the Backend or of either
//     storage, may be called again and returns nil.
//   - CloseResponsesFirst, CloseRedirectsFirst: closing one storage leaves
//     the other working (they may share one connection, which must last
//     until both are closed), and Backend.Close afterwards returns nil.
//   - CallsInsideKeysLoop, CallsInsideValuesLoop: the loop's body reads,
//     writes and deletes the key it was given, and asks the other storage
//     about it, as the core does (Cache.URLs, DeleteExpired); each call must
//     return (within opts.CallTimeout) and the loop must still see every key.
//     A store that holds a lock, or its one connection, while it yields
//     fails with a message saying so instead of hanging the test binary.
//   - CallersClientSurvivesClose (with opts.ClientStillWorks): after
//     Backend.Close the caller's client still works, and (with opts.Reopen)
//     a new Backend on it reads what the closed one wrote.
//   - ReopenSameCacheName (with opts.Reopen): two Backends on one cache_name
//     see each other's writes, deletions and Clear, in both namespaces, and
//     closing one leaves the other working.
//
// RunBackend closes every Backend it was given when its subtest ends.
func RunBackend(t *testing.T, newBackend BackendFactory, opts *BackendOptions) {
	t.Helper()
	var o BackendOptions
	if opts != nil {
		o = *opts
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 30 * time.Second
	}
	closeLater := func(t *testing.T, b *storage.Backend) {
		t.Cleanup(func() {
			// Bounded: a store left locked by a failed subtest must not
			// hang the test binary in its cleanup.
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = b.Close()
			}()
			select {
			case <-done:
			case <-time.After(o.CallTimeout):
				t.Errorf("Backend.Close did not return within %v", o.CallTimeout)
			}
		})
	}
	open := func(t *testing.T) *storage.Backend {
		t.Helper()
		b := newBackend(t)
		if b == nil {
			t.Fatal("newBackend returned nil")
		}
		closeLater(t, b)
		if b.Responses == nil || b.Redirects == nil {
			t.Fatalf("newBackend returned a Backend with Responses %v and Redirects %v: want both", b.Responses, b.Redirects)
		}
		return b
	}
	reopen := func(t *testing.T, b *storage.Backend) *storage.Backend {
		t.Helper()
		b2 := o.Reopen(t, b)
		if b2 == nil {
			t.Fatal("opts.Reopen returned nil")
		}
		closeLater(t, b2)
		return b2
	}

	t.Run("NamespacesIsolated", func(t *testing.T) { testNamespacesIsolated(t, open(t)) })
	t.Run("EveryMethodAfterClose", func(t *testing.T) { testEveryMethodAfterClose(t, open(t)) })
	t.Run("CloseResponsesFirst", func(t *testing.T) { testCloseOneFirst(t, open(t), 0) })
	t.Run("CloseRedirectsFirst", func(t *testing.T) { testCloseOneFirst(t, open(t), 1) })
	t.Run("CallsInsideKeysLoop", func(t *testing.T) { testCallsInsideLoop(t, open(t), keysLoop, o.CallTimeout) })
	t.Run("CallsInsideValuesLoop", func(t *testing.T) { testCallsInsideLoop(t, open(t), valuesLoop, o.CallTimeout) })
	if o.ClientStillWorks != nil {
		t.Run("CallersClientSurvivesClose", func(t *testing.T) {
			b := open(t)
			testClientSurvivesClose(t, b, o.ClientStillWorks, func() *storage.Backend {
				if o.Reopen == nil {
					return nil
				}
				return reopen(t, b)
			})
		})
	} else {
		t.Log("opts.ClientStillWorks not given: that the caller's client survives Close is not tested")
	}
	if o.Reopen != nil {
		t.Run("ReopenSameCacheName", func(t *testing.T) {
			b := open(t)
			testReopen(t, b, reopen(t, b))
		})
	} else {
		t.Log("opts.Reopen not given: re-opening the same cache_name is not tested")
	}
}

// namespace is one storage of a Backend, with its name and the other one.
type namespace struct {
	name      string
	s         storage.Storage
	otherName string
	other     storage.Storage
}

func namespaces(b *storage.Backend) [2]namespace {
	return [2]namespace{
		{"Responses", b.Responses, "Redirects", b.Redirects},
		{"Redirects", b.Redirects, "Responses", b.Responses},
	}
}

// wantEntries checks, by Size, Keys, Values and Read, that s holds exactly
// want. what names s and the moment, for the messages.
func wantEntries(t *testing.T, what string, s storage.Storage, want map[string][]byte) {
	t.Helper()
	wantKeys := slices.Sorted(maps.Keys(want))
	var wantValues []string
	for _, v := range want {
		wantValues = append(wantValues, string(v))
	}
	slices.Sort(wantValues)
	if n, err := s.Size(ctxFor(t)); err != nil || n != len(want) {
		t.Fatalf("%s: Size = (%d, %v), want (%d, nil)", what, n, err, len(want))
	}
	keys := collectKeys(t, s)
	slices.Sort(keys)
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("%s: Keys = %q, want %q", what, keys, wantKeys)
	}
	values := collectValues(t, s)
	slices.Sort(values)
	if !slices.Equal(values, wantValues) {
		t.Fatalf("%s: Values yielded %d values, not the %d it holds (%d bytes in all, want %d)",
			what, len(values), len(wantValues), totalLen(values), totalLen(wantValues))
	}
	for k, v := range want {
		if got := mustRead(t, s, k); !bytes.Equal(got, v) {
			t.Fatalf("%s: Read(%q) = %s, want %s", what, k, describe(got), describe(v))
		}
	}
}

func totalLen(vs []string) (n int) {
	for _, v := range vs {
		n += len(v)
	}
	return n
}

func writeAll(t *testing.T, s storage.Storage, entries map[string][]byte) {
	t.Helper()
	for k, v := range entries {
		mustWrite(t, s, k, v)
	}
}

func testNamespacesIsolated(t *testing.T, b *storage.Backend) {
	ctx := ctxFor(t)
	// The same key in both, a key of each's own, and a big value (one that
	// a store may have to split) in each.
	contents := [2]map[string][]byte{
		{"k": []byte("response"), "only-in-responses": []byte("r"), "big": randomBytes(500<<10, 11)},
		{"k": []byte("redirect"), "only-in-redirects": []byte("a"), "big": randomBytes(500<<10, 12)},
	}
	ns := namespaces(b)
	for i, n := range ns {
		wantEntries(t, n.name+" of a new Backend", n.s, nil)
		writeAll(t, n.s, contents[i])
	}
	for i, n := range ns {
		wantEntries(t, fmt.Sprintf("%s, after writing %d keys in it and %d in %s", n.name, len(contents[i]), len(contents[1-i]), n.otherName), n.s, contents[i])
		wantAbsent(t, n.s, "only-in-"+strings.ToLower(n.otherName))
	}

	for i, n := range ns {
		// Delete and DeleteMany of a key that both hold.
		if err := n.s.Delete(ctx, "k"); err != nil {
			t.Fatalf("%s.Delete(k): %v", n.name, err)
		}
		wantAbsent(t, n.s, "k")
		wantValue(t, n.other, "k", contents[1-i]["k"])
		mustWrite(t, n.s, "k", contents[i]["k"])
		if bd, ok := n.s.(storage.BulkDeleter); ok {
			if err := bd.DeleteMany(ctx, []string{"k", "big"}); err != nil {
				t.Fatalf("%s.DeleteMany(k, big): %v", n.name, err)
			}
			wantAbsent(t, n.s, "k")
			wantAbsent(t, n.s, "big")
			wantEntries(t, fmt.Sprintf("%s after %s.DeleteMany", n.otherName, n.name), n.other, contents[1-i])
			writeAll(t, n.s, contents[i])
		}
		// DeleteExpired of a key that both hold with the same expiry.
		if p, ok := n.s.(storage.Pruner); ok {
			ew, ok := n.s.(storage.ExpiringWriter)
			oew, ook := n.other.(storage.ExpiringWriter)
			if ok && ook {
				// Not expired by the clock, so that no TTL of the server's
				// removes them; expired at the time given to DeleteExpired.
				later := time.Now().Add(time.Hour)
				if err := ew.WriteWithExpiry(ctx, "expiring", []byte("mine"), later); err != nil {
					t.Fatalf("%s.WriteWithExpiry: %v", n.name, err)
				}
				if err := oew.WriteWithExpiry(ctx, "expiring", []byte("other's"), later); err != nil {
					t.Fatalf("%s.WriteWithExpiry: %v", n.otherName, err)
				}
				got, err := p.DeleteExpired(ctx, later.Add(time.Hour))
				switch {
				case errors.Is(err, errors.ErrUnsupported):
					// A wrapper (storage.Lazy) over a store that does not
					// prune: nothing to check.
					if err := n.s.Delete(ctx, "expiring"); err != nil {
						t.Fatalf("%s.Delete: %v", n.name, err)
					}
				case err != nil || got != 1:
					t.Fatalf("%s.DeleteExpired(an hour after its one expiring value expires) = (%d, %v), want (1, nil): %s has one too, which is not its to count or delete",
						n.name, got, err, n.otherName)
				default:
					wantAbsent(t, n.s, "expiring")
					wantValue(t, n.other, "expiring", []byte("other's"))
				}
				if err := n.other.Delete(ctx, "expiring"); err != nil {
					t.Fatalf("%s.Delete: %v", n.otherName, err)
				}
			}
		}
	}

	for i, n := range ns {
		if err := n.s.Clear(ctx); err != nil {
			t.Fatalf("%s.Clear: %v", n.name, err)
		}
		wantEntries(t, n.name+" after its Clear", n.s, nil)
		wantEntries(t, fmt.Sprintf("%s after %s.Clear", n.otherName, n.name), n.other, contents[1-i])
		writeAll(t, n.s, contents[i])
	}
}

// closedErr checks that err, returned by op after Close, wraps ErrClosed.
func closedErr(t *testing.T, what, op string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrClosed) {
		t.Errorf("%s.%s after Close: err = %v, want one wrapping storage.ErrClosed", what, op, err)
	}
}

// iterErr returns the first error that seq yields, and how many values it
// yielded before.
func iterErr[V any](seq func(yield func(V, error) bool)) (yielded int, err error) {
	for _, err := range seq {
		if err != nil {
			return yielded, err
		}
		yielded++
	}
	return yielded, nil
}

// wantClosed checks that every method of s, a closed storage, fails with
// ErrClosed. what names s.
func wantClosed(t *testing.T, what string, s storage.Storage) {
	t.Helper()
	ctx := ctxFor(t)
	_, err := s.Contains(ctx, "k")
	closedErr(t, what, "Contains", err)
	_, err = s.Read(ctx, "k")
	closedErr(t, what, "Read", err)
	closedErr(t, what, "Write", s.Write(ctx, "k", []byte("v")))
	closedErr(t, what, "Delete", s.Delete(ctx, "k"))
	closedErr(t, what, "Clear", s.Clear(ctx))
	_, err = s.Size(ctx)
	closedErr(t, what, "Size", err)
	n, err := iterErr(s.Keys(ctx))
	closedErr(t, what, "Keys", err)
	if n > 0 {
		t.Errorf("%s.Keys after Close yielded %d keys before its error, want none", what, n)
	}
	n, err = iterErr(s.Values(ctx))
	closedErr(t, what, "Values", err)
	if n > 0 {
		t.Errorf("%s.Values after Close yielded %d values before its error, want none", what, n)
	}
	if ew, ok := s.(storage.ExpiringWriter); ok {
		closedErr(t, what, "WriteWithExpiry", ew.WriteWithExpiry(ctx, "k", []byte("v"), time.Now().Add(time.Hour)))
	}
	if bd, ok := s.(storage.BulkDeleter); ok {
		closedErr(t, what, "DeleteMany", bd.DeleteMany(ctx, []string{"k", "k2"}))
	}
	if p, ok := s.(storage.Pruner); ok {
		_, err := p.DeleteExpired(ctx, time.Now())
		closedErr(t, what, "DeleteExpired", err)
	}
	if vr, ok := s.(storage.ViewReader); ok {
		_, err := vr.ReadView(ctx, "k")
		closedErr(t, what, "ReadView", err)
	}
	if ow, ok := s.(storage.OwnedWriter); ok {
		closedErr(t, what, "WriteOwned", ow.WriteOwned(ctx, "k", []byte("v"), time.Time{}))
	}
}

func testEveryMethodAfterClose(t *testing.T, b *storage.Backend) {
	for _, n := range namespaces(b) {
		mustWrite(t, n.s, "k", []byte("v"))
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Backend.Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Backend.Close: %v, want nil (Close is idempotent)", err)
	}
	for _, n := range namespaces(b) {
		if err := n.s.Close(); err != nil {
			t.Errorf("%s.Close after Backend.Close: %v, want nil (Close is idempotent)", n.name, err)
		}
	}
	for _, n := range namespaces(b) {
		wantClosed(t, n.name, n.s)
	}
}

// testCloseOneFirst closes one storage, checks that the other still works,
// then closes the Backend.
func testCloseOneFirst(t *testing.T, b *storage.Backend, first int) {
	n := namespaces(b)[first]
	mustWrite(t, n.s, "k", []byte("mine"))
	mustWrite(t, n.other, "k", []byte("other's"))
	if err := n.s.Close(); err != nil {
		t.Fatalf("%s.Close: %v", n.name, err)
	}
	// The two may share a connection: it must last until both are closed.
	ctx := ctxFor(t)
	if v, err := n.other.Read(ctx, "k"); err != nil || string(v) != "other's" {
		t.Fatalf("%s.Read(k) after %s.Close = (%s, %v), want (\"other's\", nil): closing one storage must leave the other working",
			n.otherName, n.name, describe(v), err)
	}
	if err := n.other.Write(ctx, "k2", []byte("v")); err != nil {
		t.Fatalf("%s.Write after %s.Close: %v, want nil: closing one storage must leave the other working", n.otherName, n.name, err)
	}
	wantEntries(t, fmt.Sprintf("%s after %s.Close", n.otherName, n.name), n.other, map[string][]byte{"k": []byte("other's"), "k2": []byte("v")})
	_, err := n.s.Read(ctx, "k")
	closedErr(t, n.name, "Read", err)
	if err := b.Close(); err != nil {
		t.Fatalf("Backend.Close after %s.Close: %v, want nil", n.name, err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Backend.Close: %v, want nil (Close is idempotent)", err)
	}
	_, err = n.other.Read(ctx, "k")
	closedErr(t, n.otherName, "Read", err)
}

func testClientSurvivesClose(t *testing.T, b *storage.Backend, stillWorks func(*testing.T, *storage.Backend) error, reopen func() *storage.Backend) {
	for _, n := range namespaces(b) {
		mustWrite(t, n.s, "k", []byte("in "+n.name))
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Backend.Close: %v", err)
	}
	if err := stillWorks(t, b); err != nil {
		t.Fatalf("the caller's client after Backend.Close: %v; a store must never close a client, database handle or connection the caller passed in", err)
	}
	for _, n := range namespaces(b) {
		closedErr(t, n.name, "Write", n.s.Write(ctxFor(t), "k", nil))
	}
	b2 := reopen()
	if b2 == nil {
		t.Log("opts.Reopen not given: a new Backend on the caller's client is not tried")
		return
	}
	for _, n := range namespaces(b2) {
		if v, err := n.s.Read(ctxFor(t), "k"); err != nil || string(v) != "in "+n.name {
			t.Fatalf("%s.Read(k) through a Backend opened on the caller's client after the first was closed = (%s, %v), want (%q, nil)",
				n.name, describe(v), err, "in "+n.name)
		}
	}
}

func testReopen(t *testing.T, b1, b2 *storage.Backend) {
	ctx := ctxFor(t)
	ns1, ns2 := namespaces(b1), namespaces(b2)
	for i := range ns1 {
		one, two := ns1[i], ns2[i]
		what := func(who, op string) string { return fmt.Sprintf("%s of the %s Backend, after %s", one.name, who, op) }

		mustWrite(t, one.s, "k", []byte("from the first"))
		wantEntries(t, what("second", "the first wrote k"), two.s, map[string][]byte{"k": []byte("from the first")})
		mustWrite(t, two.s, "k2", []byte("from the second"))
		mustWrite(t, two.s, "k", []byte("overwritten by the second"))
		both := map[string][]byte{"k": []byte("overwritten by the second"), "k2": []byte("from the second")}
		wantEntries(t, what("first", "the second wrote k2 and overwrote k"), one.s, both)
		if err := two.s.Delete(ctx, "k"); err != nil {
			t.Fatalf("%s.Delete through the second Backend: %v", one.name, err)
		}
		wantAbsent(t, one.s, "k")
		delete(both, "k")
		wantEntries(t, what("first", "the second deleted k"), one.s, both)
	}
	// Clear through one clears the namespace for both, and only it.
	if err := b2.Redirects.Clear(ctx); err != nil {
		t.Fatalf("Redirects.Clear through the second Backend: %v", err)
	}
	wantEntries(t, "Redirects of the first Backend, after the second cleared it", b1.Redirects, nil)
	wantEntries(t, "Responses of the first Backend, after the second cleared Redirects", b1.Responses, map[string][]byte{"k2": []byte("from the second")})

	// Closing one Backend leaves the other working: they may share a client.
	if err := b2.Close(); err != nil {
		t.Fatalf("closing the second Backend: %v", err)
	}
	for _, n := range ns1 {
		mustWrite(t, n.s, "after", []byte("v"))
		wantValue(t, n.s, "after", []byte("v"))
	}
}

// loopKind is Keys or Values, for testCallsInsideLoop.
type loopKind int

const (
	keysLoop loopKind = iota
	valuesLoop
)

func (k loopKind) String() string {
	if k == keysLoop {
		return "Keys"
	}
	return "Values"
}

// each ranges over s's keys (by Keys, or by Values: the test stores each
// key as its own value), calling body with each.
func (k loopKind) each(t *testing.T, s storage.Storage, body func(key string)) {
	t.Helper()
	ctx := ctxFor(t)
	if k == keysLoop {
		for key, err := range s.Keys(ctx) {
			if err != nil {
				t.Fatalf("Keys: %v", err)
			}
			body(key)
		}
		return
	}
	for v, err := range s.Values(ctx) {
		if err != nil {
			t.Fatalf("Values: %v", err)
		}
		body(string(v))
	}
}

// within runs call, named what, and fails t if it returns an error or does
// not return within d: a call that blocks until the loop it is made from
// moves on never returns.
func within(t *testing.T, d time.Duration, loop loopKind, what string, call func() error) {
	t.Helper()
	done := make(chan error, 1) // the call may end after the test: it must not block then
	go func() { done <- call() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s inside a %s loop: %v", what, loop, err)
		}
	case <-timer.C:
		t.Fatalf("%s inside a %s loop did not return within %v: the store must not hold its lock (or its one connection) while it yields to the loop's body, which may call the store: the core does (Cache.URLs and DeleteExpired read each key while iterating)",
			what, loop, d)
	}
}

// testCallsInsideLoop calls each storage from inside its own Keys or Values
// loop, as the core does, and as a caller of Cache.Responses may.
func testCallsInsideLoop(t *testing.T, b *storage.Backend, loop loopKind, d time.Duration) {
	for _, n := range namespaces(b) {
		t.Run(n.name, func(t *testing.T) {
			ctx := ctxFor(t)
			const count = 12
			var keys []string
			for i := range count {
				k := fmt.Sprintf("loop-%02d", i)
				keys = append(keys, k)
				mustWrite(t, n.s, k, []byte(k)) // each key is its own value, for the Values loop
			}
			seen := map[string]bool{}
			loop.each(t, n.s, func(k string) {
				// A key written in the loop may be seen (again): each key
				// is called about once, and rewritten values are no keys.
				if !slices.Contains(keys, k) || seen[k] {
					return
				}
				seen[k] = true
				within(t, d, loop, fmt.Sprintf("%s.Read(%q)", n.name, k), func() error {
					v, err := n.s.Read(ctx, k)
					if err == nil && string(v) != k {
						err = fmt.Errorf("read %s, want %q", describe(v), k)
					}
					return err
				})
				within(t, d, loop, fmt.Sprintf("%s.Contains(%q)", n.otherName, k), func() error {
					_, err := n.other.Contains(ctx, k)
					return err
				})
				within(t, d, loop, fmt.Sprintf("%s.Write(%q)", n.name, k), func() error {
					return n.s.Write(ctx, k, []byte("rewritten in the loop"))
				})
				within(t, d, loop, fmt.Sprintf("%s.Delete(%q)", n.name, k), func() error {
					return n.s.Delete(ctx, k)
				})
			})
			// Every key was there until the loop's body deleted it: the loop
			// must have yielded each, whatever the body did to the others.
			if len(seen) != count {
				var missed []string
				for _, k := range keys {
					if !seen[k] {
						missed = append(missed, k)
					}
				}
				t.Fatalf("%s.%s yielded %d of the %d keys while its loop rewrote and deleted the keys it had yielded; missed %q",
					n.name, loop, len(seen), count, missed)
			}
			wantEntries(t, fmt.Sprintf("%s after its %s loop deleted every key", n.name, loop), n.s, nil)
		})
	}
}
