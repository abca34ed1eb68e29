package storagetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// The suite is tested on a store of this file: an in-memory server of named
// caches that outlive the Backends opened on them, reached through a client
// that the caller owns. Without a flaw it must pass; with each flaw, a
// mistake a real store could make, it must fail where that flaw shows.

// flaw is a mistake the store can be made to make.
type flaw string

const (
	noFlaw          flaw = ""
	lockedIteration flaw = "locked-iteration"  // holds its lock while Keys and Values yield
	sharedNamespace flaw = "shared-namespace"  // Responses and Redirects are one map
	worksAfterClose flaw = "works-after-close" // ignores Close
	closeTearsDown  flaw = "close-tears-down"  // closing one storage breaks the other
	closesClient    flaw = "closes-client"     // Backend.Close closes the caller's client
	forgetsOnReopen flaw = "forgets-on-reopen" // a second Backend on a cache_name starts empty
)

// client stands for a client of a server, which the caller opens and closes.
type client struct {
	mu     sync.Mutex
	caches map[string][2]*table // by cache_name: Responses, Redirects
	closed atomic.Bool
	names  atomic.Int64
}

func newClient() *client { return &client{caches: map[string][2]*table{}} }

func (c *client) ping() error {
	if c.closed.Load() {
		return errors.New("client is closed")
	}
	return nil
}

func (c *client) uniqueName() string { return fmt.Sprintf("cache-%d", c.names.Add(1)) }

type table struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newTable() *table { return &table{m: map[string][]byte{}} }

// conn is what the two storages of a Backend share, as a real store shares
// one connection between them.
type conn struct {
	client *client
	open   atomic.Int32
	broken atomic.Bool
}

// store is one namespace of a Backend.
type store struct {
	name   string // cache_name
	conn   *conn
	t      *table
	flaw   flaw
	closed atomic.Bool
}

// open returns a Backend on the cache cache_name of c.
func (c *client) open(name string, f flaw) *storage.Backend {
	c.mu.Lock()
	tables, ok := c.caches[name]
	if !ok || f == forgetsOnReopen {
		tables = [2]*table{newTable(), newTable()}
		c.caches[name] = tables
	}
	c.mu.Unlock()
	if f == sharedNamespace {
		tables[1] = tables[0]
	}
	cn := &conn{client: c}
	cn.open.Store(2)
	return &storage.Backend{
		Responses: &store{name: name, conn: cn, t: tables[0], flaw: f},
		Redirects: &store{name: name, conn: cn, t: tables[1], flaw: f},
	}
}

func (s *store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() && s.flaw != worksAfterClose {
		return storage.ErrClosed
	}
	if s.conn.broken.Load() {
		return errors.New("connection is closed")
	}
	return s.conn.client.ping()
}

func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	_, ok := s.t.m[key]
	return ok, nil
}

func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	v, ok := s.t.m[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return bytes.Clone(v), nil
}

func (s *store) Write(ctx context.Context, key string, value []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.t.m[key] = append([]byte{}, value...)
	return nil
}

func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	delete(s.t.m, key)
	return nil
}

func (s *store) Clear(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	clear(s.t.m)
	return nil
}

func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	return len(s.t.m), nil
}

// entries yields the table's entries: from a copy taken under the lock, or,
// with the lockedIteration flaw, from the table itself under the lock.
func (s *store) entries(ctx context.Context) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		s.t.mu.Lock()
		if s.flaw == lockedIteration {
			defer s.t.mu.Unlock()
			for k, v := range s.t.m {
				if ctx.Err() != nil || !yield(k, bytes.Clone(v)) {
					return
				}
			}
			return
		}
		snapshot := maps.Clone(s.t.m)
		s.t.mu.Unlock()
		for k, v := range snapshot {
			if ctx.Err() != nil || !yield(k, bytes.Clone(v)) {
				return
			}
		}
	}
}

func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := s.check(ctx); err != nil {
			yield("", err)
			return
		}
		for k := range s.entries(ctx) {
			if !yield(k, nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield("", err)
		}
	}
}

func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if err := s.check(ctx); err != nil {
			yield(nil, err)
			return
		}
		for _, v := range s.entries(ctx) {
			if !yield(v, nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield(nil, err)
		}
	}
}

func (s *store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.flaw == closeTearsDown {
		s.conn.broken.Store(true)
	}
	if s.conn.open.Add(-1) == 0 && s.flaw == closesClient {
		s.conn.client.closed.Store(true)
	}
	return nil
}

// runBackend runs RunBackend on the store with flaw f, each Backend on a
// client of its own, as a caller's, so that a flaw that breaks a client
// fails one subtest only.
func runBackend(t *testing.T, f flaw, callTimeout time.Duration) {
	clientOf := func(b *storage.Backend) *client { return b.Responses.(*store).conn.client }
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
		c := newClient()
		return c.open(c.uniqueName(), f)
	}, &storagetest.BackendOptions{
		Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend {
			return clientOf(b).open(b.Responses.(*store).name, f)
		},
		ClientStillWorks: func(t *testing.T, b *storage.Backend) error { return clientOf(b).ping() },
		CallTimeout:      callTimeout,
	})
}

// TestRun checks that the test store is a correct one.
func TestRun(t *testing.T) {
	c := newClient()
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b := c.open(c.uniqueName(), noFlaw)
		t.Cleanup(func() { _ = b.Close() })
		return b.Responses
	})
}

func TestRunBackend(t *testing.T) {
	runBackend(t, noFlaw, 0)
}

// flawEnv names the flaw that TestFlawedBackendHelper gives the store.
const flawEnv = "STORAGETEST_FLAW"

// TestFlawedBackendHelper runs RunBackend on a flawed store, in the process
// that TestFlawedBackendsFail starts: its failures are that test's result.
func TestFlawedBackendHelper(t *testing.T) {
	f := flaw(os.Getenv(flawEnv))
	if f == noFlaw {
		t.Skip("run by TestFlawedBackendsFail, in a process of its own")
	}
	// Short, so that a deadlocked call fails fast.
	runBackend(t, f, 300*time.Millisecond)
}

// TestFlawedBackendsFail checks that RunBackend fails a store with a flaw,
// in the subtests meant to catch it and with a message that says what to
// fix, and does not hang. The suite runs in a child process, where its
// failures do not fail this test.
func TestFlawedBackendsFail(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flaw     flaw
		mustFail []string // subtests of RunBackend
		message  string   // in the output
	}{
		{lockedIteration, []string{"CallsInsideKeysLoop/Responses", "CallsInsideKeysLoop/Redirects", "CallsInsideValuesLoop/Responses", "CallsInsideValuesLoop/Redirects"},
			"inside a Keys loop did not return within 300ms: the store must not hold its lock"},
		{sharedNamespace, []string{"NamespacesIsolated"}, "Redirects of a new Backend: Size = (3, <nil>), want (0, nil)"},
		{worksAfterClose, []string{"EveryMethodAfterClose"}, "Responses.Keys after Close: err = <nil>, want one wrapping storage.ErrClosed"},
		{closeTearsDown, []string{"CloseResponsesFirst", "CloseRedirectsFirst"}, "closing one storage must leave the other working"},
		{closesClient, []string{"CallersClientSurvivesClose", "ReopenSameCacheName"}, "a store must never close a client"},
		{forgetsOnReopen, []string{"CallersClientSurvivesClose", "ReopenSameCacheName"}, "Responses of the second Backend, after the first wrote k: Size = (0, <nil>), want (1, nil)"},
	}
	failLine := regexp.MustCompile(`(?m)^\s*--- FAIL: TestFlawedBackendHelper/(\S+)`)
	for _, tc := range tests {
		t.Run(string(tc.flaw), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe, "-test.run=^TestFlawedBackendHelper$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), flawEnv+"="+string(tc.flaw))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			switch {
			case ctx.Err() != nil:
				t.Fatalf("the suite hung on a store with flaw %s; its output:\n%s", tc.flaw, out)
			case err == nil:
				t.Fatalf("the suite passed a store with flaw %s; its output:\n%s", tc.flaw, out)
			case !errors.As(err, &exit):
				t.Fatalf("running the suite: %v", err)
			}
			var failed []string
			for _, m := range failLine.FindAllSubmatch(out, -1) {
				failed = append(failed, string(m[1]))
			}
			for _, name := range tc.mustFail {
				if !slices.Contains(failed, name) {
					t.Errorf("subtest %s passed a store with flaw %s; failed: %q", name, tc.flaw, failed)
				}
			}
			if !bytes.Contains(out, []byte(tc.message)) {
				t.Errorf("the output does not say %q", tc.message)
			}
			if t.Failed() {
				t.Logf("the suite's output:\n%s", out)
			} else {
				t.Logf("failed: %s", strings.Join(failed, ", "))
			}
		})
	}
}
