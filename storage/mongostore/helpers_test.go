package mongostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
)

// The variables that point the tests at servers. Tests that need one skip
// only when its variable is unset.
const (
	uriVar      = "MONGODB_URI"  // a MongoDB or FerretDB server, e.g. mongodb://127.0.0.1:27117/
	ferretdbVar = "FERRETDB_BIN" // a FerretDB binary the outage test starts and stops itself
)

func serverURI(t *testing.T) string {
	t.Helper()
	uri := os.Getenv(uriVar)
	if uri == "" {
		t.Skipf("%s is not set: set it to a MongoDB server's connection string (e.g. mongodb://127.0.0.1:27117/) to run this test", uriVar)
	}
	return uri
}

// testClient returns a client of the test's own for the server at
// MONGODB_URI, disconnected when the test ends.
func testClient(t *testing.T) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(serverURI(t)).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatalf("mongo.Connect(%s): %v", os.Getenv(uriVar), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Disconnect(ctx)
	})
	return c
}

// uniqueName returns a fresh database name; the database is dropped when the
// test ends.
func uniqueName(t *testing.T, c *mongo.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cctest_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Database(name).Drop(ctx); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return name
}

// withDatabase returns uri with its path set to /name.
func withDatabase(t *testing.T, uri, name string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("%s=%q: %v", uriVar, uri, err)
	}
	u.Path = "/" + name
	return u.String()
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// freePort returns a loopback TCP port nothing listens on (as far as anyone
// can tell).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// recorder is a slog.Handler that keeps every record.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *recorder) warnings() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.records {
		if rec.Level == slog.LevelWarn {
			out = append(out, rec)
		}
	}
	return out
}

func slogNew(h slog.Handler) *slog.Logger { return slog.New(h) }

// testTimeout is the Backend.Timeout of the tests' Backends that a Session
// uses: generous, since the tests run under the race detector on machines
// doing much else, and they test what the store does, not how fast.
const testTimeout = 10 * time.Second

// patience bounds every wait for something that must happen (a server
// answering again, a call returning): the tests assert what happens, never
// how fast.
const patience = 30 * time.Second

// returnsSoon runs call and returns its error, failing the test if call has
// not returned within patience: a call that must end at its deadline but
// does not would otherwise hang the test.
func returnsSoon(t *testing.T, what string, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(patience):
		t.Fatalf("%s did not return within %v", what, patience)
		return nil
	}
}

// wantCachedSoon is probe.WantCached, tried again until it holds: after the
// store failed, clientcache skips it until a probe of its own finds it back.
func wantCachedSoon(t *testing.T, probe *sessiontest.Probe, when string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		probe.Get()
		if probe.Get().FromCache {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s, no GET was served from the cache within %v", when, patience)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitWorks writes to s until the write succeeds, failing the test if it
// does not within patience or fails with an error other than an outage.
func waitWorks(t *testing.T, s storage.Storage) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for tries := 1; ; tries++ {
		err := s.Write(ctxFor(t, time.Minute), "lazy", []byte("works"))
		if err == nil {
			t.Logf("the store worked after %d tries", tries)
			return
		}
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("Write while connecting: %v, want success or an error wrapping storage.ErrUnavailable", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not work within %v (%d tries): %v", patience, tries, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// silentServer listens on a loopback port, accepts every connection and
// reads from it forever without answering, like a server that hangs. It
// stops when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}
