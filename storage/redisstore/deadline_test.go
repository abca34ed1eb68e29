package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

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
	addr := outagetest.SilentServer(t)
	outagetest.WantOpenAtDeadline(t, "Open on a silent server", func(ctx context.Context) (*storage.Backend, error) {
		return redisstore.Open(ctx, noTimeouts(addr), nil)
	})

	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, ContextTimeoutEnabled: true})
	defer client.Close()
	nb, err := redisstore.New(t.Context(), client, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	outagetest.WantOpsAtDeadline(t, nb.Responses)
}

// TestDeadlineOnHungServer opens the store through a proxy to the real
// server, which then stops answering: each operation ends at its context's
// deadline, since Open made its client with ContextTimeoutEnabled (the
// options given to it say nothing of it, and have no timeouts of their own);
// once the server answers again, the same store works.
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
	outagetest.WantDeadlinesWhileHung(t, p, b.Responses)
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	addr := redisAddr(t)
	ctx := ctxT(t)
	client := singleClient(t)
	outagetest.WantTimeoutOption(t, redisstore.DefaultTimeout, map[string]func(time.Duration) (*storage.Backend, error){
		"Open": func(d time.Duration) (*storage.Backend, error) {
			return redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{addr}}, &redisstore.Options{Timeout: d})
		},
		"New": func(d time.Duration) (*storage.Backend, error) {
			return redisstore.New(ctx, client, &redisstore.Options{Timeout: d})
		},
	})
	b, err := storage.Open(ctx, "redis://"+addr+"/0")
	outagetest.WantTimeout(t, "storage.Open", b, err, redisstore.DefaultTimeout)
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
