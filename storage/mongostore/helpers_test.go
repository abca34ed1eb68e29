package mongostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
