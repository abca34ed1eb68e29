package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// logChildEnv makes TestGoRedisLogsToSlog run as the child process.
const logChildEnv = "REDISSTORE_LOG_CHILD"

// TestGoRedisLogsToSlog opens and uses stores on a closed port in a child
// process, with go-redis's logger as the package leaves it (TestMain's quiet
// logger off): nothing reaches standard error, and go-redis's report of the
// failed dials reaches slog.Default() when that logs at level Debug.
func TestGoRedisLogsToSlog(t *testing.T) {
	if mode := os.Getenv(logChildEnv); mode != "" {
		useClosedPort(t, mode == "debug")
		return
	}
	for _, mode := range []string{"debug", "default"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestGoRedisLogsToSlog$", "-test.count=1")
			cmd.Env = append(os.Environ(), logChildEnv+"="+mode, "REDISSTORE_TEST_LOG=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
			}
			if stderr.Len() > 0 {
				t.Errorf("standard error got:\n%s", &stderr)
			}
			logged := strings.Contains(stdout.String(), `level=DEBUG msg="redis: connection pool: failed to dial`)
			if mode == "debug" && !logged {
				t.Errorf("go-redis's failed dial did not reach slog; the child wrote:\n%s", &stdout)
			}
			if mode == "default" && strings.Contains(stdout.String(), "redis:") {
				t.Errorf("go-redis wrote to standard output:\n%s", &stdout)
			}
		})
	}
}

// useClosedPort is the child: stores are opened and used on a port nobody
// listens on, in every way the package offers. With debug, slog.Default()
// writes Debug records to standard output; without, it is Go's default,
// which writes Info records and above to standard error.
func useClosedPort(t *testing.T, debug bool) {
	if debug {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ropts := func() *redis.UniversalOptions {
		return &redis.UniversalOptions{Addrs: []string{addr}, DialTimeout: time.Second, DialerRetries: 2, DialerRetryTimeout: time.Millisecond, MaxRetries: -1,
			ContextTimeoutEnabled: true} // else New warns: this test wants standard error silent
	}

	if b, err := redisstore.Open(ctx, ropts(), nil); err == nil {
		b.Close()
		t.Fatalf("Open on closed port %s succeeded", addr)
	}
	if b, err := storage.Open(ctx, "redis://"+addr+"/0?dial_timeout=1s&max_retries=-1"); err == nil {
		b.Close()
		t.Fatalf("storage.Open on closed port %s succeeded", addr)
	}
	client := redis.NewUniversalClient(ropts())
	defer client.Close()
	b, err := redisstore.New(ctx, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Responses.Read(ctx, "k"); err == nil {
		t.Fatalf("Read on closed port %s succeeded", addr)
	}
	if err := b.Responses.Write(ctx, "k", []byte("v")); err == nil {
		t.Fatalf("Write on closed port %s succeeded", addr)
	}
}
