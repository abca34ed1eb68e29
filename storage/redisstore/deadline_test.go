package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// opDeadline is the deadline the tests give an operation on a server that
// never answers.
const opDeadline = 50 * time.Millisecond

// silentServer listens on a loopback port, accepts every connection and
// reads from it forever without answering, like a Redis that hangs. It
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

// wantDeadline fails the test unless err says that the operation's deadline
// ran out: it wraps context.DeadlineExceeded.
func wantDeadline(t *testing.T, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case errors.Is(err, context.DeadlineExceeded):
		t.Logf("%s: %v", what, err)
	default:
		t.Errorf("%s: %v, want an error wrapping context.DeadlineExceeded", what, err)
	}
}

// noTimeouts are client options without go-redis's own timeouts and
// retries: only a context's deadline can end a call on a server that never
// answers, so a call that returns proves that the deadline reached the
// socket.
func noTimeouts(addr string) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:        []string{addr},
		ReadTimeout:  -1,
		WriteTimeout: -1,
		MaxRetries:   -1,
	}
}

// TestDeadlineOnSilentServer: against a server that accepts connections and
// never answers, Open gives up at its context's deadline (an outage, with a
// Lazy Backend), and so does an operation of a Backend on a client made with
// ContextTimeoutEnabled.
func TestDeadlineOnSilentServer(t *testing.T) {
	addr := silentServer(t)

	var b *storage.Backend
	err := returnsSoon(t, "Open on a silent server", func() error {
		ctx, cancel := context.WithTimeout(t.Context(), opDeadline)
		defer cancel()
		var err error
		b, err = redisstore.Open(ctx, noTimeouts(addr), nil)
		return err
	})
	wantDeadline(t, "Open on a silent server", err)
	if !errors.Is(err, storage.ErrUnavailable) || b == nil {
		t.Errorf("Open on a silent server = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", b, err)
	}
	if b != nil {
		_ = b.Close()
	}

	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, ContextTimeoutEnabled: true})
	defer client.Close()
	nb, err := redisstore.New(t.Context(), client, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	testOpsDeadline(t, nb.Responses)
}

// TestDeadlineOnHungServer opens the store through a proxy to the real
// server, which then stops answering: each operation ends at its context's
// deadline, since Open made its client with ContextTimeoutEnabled (the
// options given to it say nothing of it, and have no timeouts of their own).
func TestDeadlineOnHungServer(t *testing.T) {
	p := outagetest.NewProxy(t, redisAddr(t))
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
	ropts := noTimeouts(p.Addr())
	b, err := redisstore.Open(ctxT(t), ropts, &redisstore.Options{CacheName: name})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	if ropts.ContextTimeoutEnabled {
		t.Error("Open set ContextTimeoutEnabled in the caller's options")
	}
	if err := b.Responses.Write(ctxT(t), "k", []byte("v")); err != nil {
		t.Fatalf("Write with the server answering: %v", err)
	}
	p.Blackhole()
	testOpsDeadline(t, b.Responses)
	p.Forward()
	// The store works again; connections the deadline broke are replaced.
	deadline := time.Now().Add(patience)
	for {
		v, err := b.Responses.Read(ctxT(t), "k")
		if err == nil && string(v) == "v" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Read after the server answered again = (%q, %v)", v, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testOpsDeadline runs operations of s, under a short deadline, against a
// server that does not answer: each must return an error wrapping the
// deadline.
func testOpsDeadline(t *testing.T, s storage.Storage) {
	t.Helper()
	ops := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Read", func(ctx context.Context) error { _, err := s.Read(ctx, "k"); return err }},
		{"Write", func(ctx context.Context) error { return s.Write(ctx, "k", bytes.Repeat([]byte("v"), 1<<10)) }},
		{"Contains", func(ctx context.Context) error { _, err := s.Contains(ctx, "k"); return err }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "k") }},
	}
	for _, op := range ops {
		err := returnsSoon(t, op.name+" on a server that does not answer", func() error {
			ctx, cancel := context.WithTimeout(t.Context(), opDeadline)
			defer cancel()
			return op.run(ctx)
		})
		wantDeadline(t, op.name+" on a server that does not answer", err)
	}
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	addr := redisAddr(t)
	ctx := ctxT(t)
	client := singleClient(t)
	for _, tc := range []struct {
		opt, want time.Duration
	}{{0, redisstore.DefaultTimeout}, {2 * time.Second, 2 * time.Second}, {-1, 0}} {
		opts := &redisstore.Options{Timeout: tc.opt}
		b, err := redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{addr}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("Open with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
		b, err = redisstore.New(ctx, client, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("New with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
	}
	b, err := storage.Open(ctx, "redis://"+addr+"/0")
	if err != nil {
		t.Fatal(err)
	}
	if b.Timeout != redisstore.DefaultTimeout {
		t.Errorf("storage.Open: Backend.Timeout = %v, want %v", b.Timeout, redisstore.DefaultTimeout)
	}
	b.Close()
}

// TestNewWarnsOfIgnoredDeadlines: New logs one warning for a client made
// without ContextTimeoutEnabled, none for one made with it, and works
// either way.
func TestNewWarnsOfIgnoredDeadlines(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client redis.UniversalClient
		warn   bool
	}{
		{"Client", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), true},
		{"Client with ContextTimeoutEnabled", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}), false},
		{"ClusterClient", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}), true},
		{"ClusterClient with ContextTimeoutEnabled", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}), false},
		{"Ring", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.client.Close()
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, nil))
			b, err := redisstore.New(t.Context(), tc.client, &redisstore.Options{Logger: logger})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer b.Close()
			warned := strings.Contains(buf.String(), "level=WARN") && strings.Contains(buf.String(), "ContextTimeoutEnabled")
			if warned != tc.warn {
				t.Errorf("warned = %v, want %v; the log:\n%s", warned, tc.warn, &buf)
			}
		})
	}
}
