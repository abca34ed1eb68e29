package redisstore_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// freeAddr returns a loopback address on which nothing listens (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// startRedis starts a throwaway redis-server ($REDIS_SERVER_BIN) on addr,
// without persistence, and waits until it answers. The test's end kills it.
func startRedis(t *testing.T, addr string) *exec.Cmd {
	t.Helper()
	bin := os.Getenv("REDIS_SERVER_BIN")
	if bin == "" {
		t.Skip("REDIS_SERVER_BIN is unset: set it to the path of redis-server (eval \"$(scripts/services env)\")")
	}
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--bind", host, "--port", port, "--save", "", "--appendonly", "no",
		"--dir", t.TempDir(), "--daemonize", "no", "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { stopRedis(cmd) })
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer within 10 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd
}

func stopRedis(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// quickOptions are client options that give up fast on a dead server.
func quickOptions(addr string) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:         []string{addr},
		DialTimeout:   300 * time.Millisecond,
		ReadTimeout:   300 * time.Millisecond,
		WriteTimeout:  300 * time.Millisecond,
		PoolTimeout:   500 * time.Millisecond,
		MaxRetries:    1,
		DialerRetries: 1,
	}
}

// TestOutageAndRecovery kills the server under an open store, checks that
// every operation fails in bounded time, restarts the server on the same
// port and checks that the same store works again.
func TestOutageAndRecovery(t *testing.T) {
	addr := freeAddr(t)
	srv := startRedis(t, addr)
	ctx := ctxT(t)
	b, err := redisstore.Open(ctx, quickOptions(addr), &redisstore.Options{Timeout: testTimeout})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	s := b.Responses
	if err := s.Write(ctx, "k", []byte("before")); err != nil {
		t.Fatalf("Write with the server up: %v", err)
	}
	probe := sessiontest.NewProbe(t, b)
	probe.WantCached("with the server up")

	stopRedis(srv)
	probe.WantFromNetwork("with the server down")
	ops := map[string]func(ctx context.Context) error{
		"Write":    func(ctx context.Context) error { return s.Write(ctx, "k", []byte("during")) },
		"Read":     func(ctx context.Context) error { _, err := s.Read(ctx, "k"); return err },
		"Contains": func(ctx context.Context) error { _, err := s.Contains(ctx, "k"); return err },
		"Delete":   func(ctx context.Context) error { return s.Delete(ctx, "k") },
		"Size":     func(ctx context.Context) error { _, err := s.Size(ctx); return err },
		"Clear":    func(ctx context.Context) error { return s.Clear(ctx) },
		"Keys": func(ctx context.Context) error {
			for _, err := range s.Keys(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	for name, op := range ops {
		octx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := op(octx)
		hung := octx.Err() != nil
		cancel()
		t.Logf("%s with the server down: %v", name, err)
		if err == nil {
			t.Errorf("%s with the server down: nil error", name)
		} else if errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s with the server down: %v, want a connection error, not ErrNotFound", name, err)
		}
		if hung {
			t.Errorf("%s with the server down ran into the test's deadline: the client's own timeouts did not stop it", name)
		}
	}

	startRedis(t, addr) // the same port, empty: no persistence
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Write(ctx, "k", []byte("after"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Write 10 s after the server came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, err := s.Read(ctx, "k"); err != nil || string(v) != "after" {
		t.Fatalf("Read after recovery = (%q, %v), want (\"after\", nil)", v, err)
	}
	if n, err := s.Size(ctx); err != nil || n != 1 {
		t.Fatalf("Size after recovery = (%d, %v), want (1, nil)", n, err)
	}
	probe.WantCachedSoon("after the server came back") // stored again (the restarted server may have lost it)
}

// TestOpenServerDown checks that every constructor fails, naming the address,
// when nothing listens there, with an error that marks an outage and a Lazy
// Backend. It needs no server.
func TestOpenServerDown(t *testing.T) {
	addr := freeAddr(t)
	ctx := ctxT(t)
	opens := map[string]func() (*storage.Backend, error){
		"Open": func() (*storage.Backend, error) { return redisstore.Open(ctx, quickOptions(addr), nil) },
		"Open cluster": func() (*storage.Backend, error) {
			return redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{addr}, IsClusterMode: true, DialTimeout: 300 * time.Millisecond, MaxRetries: 1, DialerRetries: 1}, nil)
		},
		"storage.Open cluster": func() (*storage.Backend, error) {
			return storage.Open(ctx, "redis://"+addr+"?cluster=true&dial_timeout=300ms&max_retries=1&dialer_retries=1")
		},
		"storage.Open": func() (*storage.Backend, error) {
			return storage.Open(ctx, "redis://"+addr+"/0?cache_name=x&dial_timeout=300ms&max_retries=1")
		},
	}
	for name, open := range opens {
		b, err := open()
		if err == nil {
			_ = b.Close()
			t.Errorf("%s against %s, where nothing listens: nil error", name, addr)
			continue
		}
		t.Logf("%s: %v", name, err)
		if want := "no answer from Redis at " + addr; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not say %q", name, err, want)
		}
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: error %q does not wrap storage.ErrUnavailable", name, err)
		}
		if errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("%s: error %q wraps storage.ErrInvalidURL", name, err)
		}
		if b == nil {
			t.Errorf("%s: no Backend with the error", name)
			continue
		}
		if b.Timeout != redisstore.DefaultTimeout {
			t.Errorf("%s: the Lazy Backend's Timeout is %v, want %v", name, b.Timeout, redisstore.DefaultTimeout)
		}
		// Used, it fails at once, marked as an outage.
		if _, err := b.Responses.Read(ctx, "k"); !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: Read on the Lazy Backend = %v, want an error wrapping storage.ErrUnavailable", name, err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	}
}

// TestOpenWhileDown opens the store through a proxy that refuses
// connections: Open fails with an outage and a Lazy Backend, which a Session
// can use at once (requests go to the network); once the proxy forwards
// again, the Backend connects by itself and the cache works.
func TestOpenWhileDown(t *testing.T) {
	real := redisAddr(t)
	for _, how := range []string{"Open", "storage.Open"} {
		t.Run(how, func(t *testing.T) {
			p := outagetest.NewProxy(t, real)
			p.Refuse()
			name := uniqueName()
			t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
			ctx := ctxT(t)
			var b *storage.Backend
			var err error
			if how == "Open" {
				b, err = redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{p.Addr()}, MaxRetries: -1},
					&redisstore.Options{CacheName: name, Timeout: testTimeout})
			} else {
				b, err = storage.Open(ctx, "redis://"+p.Addr()+"/0?max_retries=-1&cache_name="+name)
			}
			sessiontest.OpenedWhileRefusing(t, how, p, b, err)
		})
	}
}

// TestOpenMistakeIsNotAnOutage opens the real server with options that are
// wrong: the error does not mark an outage, and no Backend comes with it.
// (A wrong password alone is no mistake to a server without one: Redis's
// default user then takes any password.)
func TestOpenMistakeIsNotAnOutage(t *testing.T) {
	addr := redisAddr(t)
	ctx := ctxT(t)
	for name, open := range map[string]func() (*storage.Backend, error){
		"unknown user": func() (*storage.Backend, error) {
			return redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{addr}, Username: "cctest-nobody", Password: "wrong"}, nil)
		},
		"unknown user URL": func() (*storage.Backend, error) {
			return storage.Open(ctx, "redis://cctest-nobody:wrong@"+addr+"/0")
		},
		"database out of range": func() (*storage.Backend, error) {
			return storage.Open(ctx, "redis://"+addr+"/100000")
		},
		"unknown option": func() (*storage.Backend, error) {
			return storage.Open(ctx, "redis://"+addr+"/0?no_such_option=1")
		},
	} {
		b, err := open()
		outagetest.WantMistake(t, name, b, err)
	}
}

// TestSessionRidesOutOutages is issue #9's acceptance
// (sessiontest.RidesOutProxyOutages) on the real server, with the store's
// default deadline (no test Timeout), as in production.
func TestSessionRidesOutOutages(t *testing.T) {
	p := outagetest.NewProxy(t, redisAddr(t))
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
	b, err := storage.Open(ctxT(t), "redis://"+p.Addr()+"/0?cache_name="+name)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sessiontest.RidesOutProxyOutages(t, b, p)
}
