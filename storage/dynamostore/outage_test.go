package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// freePort returns a loopback port that nothing listens on.
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

// Construction against a port where nothing listens fails, naming the
// endpoint, within the connect timeout.
func TestOpenClosedPort(t *testing.T) {
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	b, err := dynamostore.OpenEndpoint(ctxFor(t, time.Minute), endpoint, "us-east-1", &dynamostore.Options{ConnectTimeout: 2 * time.Second})
	if err == nil {
		_ = b.Close()
		t.Fatal("OpenEndpoint on a closed port succeeded")
	}
	if !strings.Contains(err.Error(), endpoint) {
		t.Fatalf("error %q does not name the endpoint %s", err, endpoint)
	}
	if !errors.Is(err, storage.ErrUnavailable) || b == nil {
		t.Fatalf("OpenEndpoint on a closed port = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", b, err)
	}
	defer b.Close()
	if b.Timeout != dynamostore.DefaultTimeout {
		t.Errorf("the Lazy Backend's Timeout is %v, want %v", b.Timeout, dynamostore.DefaultTimeout)
	}
	if _, err := b.Responses.Read(ctxFor(t, time.Minute), "k"); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("Read on the Lazy Backend = %v, want an error wrapping storage.ErrUnavailable", err)
	}
}

// Construction against a server that accepts connections but never answers
// fails within the connect timeout, naming the endpoint, with an outage and
// a Lazy Backend.
func TestOpenHungServer(t *testing.T) {
	endpoint := "http://" + outagetest.SilentServer(t)
	ctx := ctxFor(t, time.Minute)
	b, err := dynamostore.OpenEndpoint(ctx, endpoint, "", &dynamostore.Options{ConnectTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), endpoint) {
		t.Fatalf("OpenEndpoint on a hung server: err = %v, want one naming %s", err, endpoint)
	}
	if ctx.Err() != nil {
		t.Fatal("OpenEndpoint on a hung server ran into the test's deadline: the ConnectTimeout did not stop it")
	}
	if !errors.Is(err, storage.ErrUnavailable) || b == nil {
		t.Fatalf("OpenEndpoint on a hung server = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", b, err)
	}
	_ = b.Close()
}

// dynalite is a dynalite server this test started, on its own port.
type dynalite struct {
	t    *testing.T
	cli  string
	port int
	cmd  *exec.Cmd
}

func (d *dynalite) start() {
	d.t.Helper()
	d.cmd = exec.Command("node", d.cli, "--host", "127.0.0.1", "--port", fmt.Sprint(d.port), "--createTableMs", "0", "--deleteTableMs", "0")
	d.cmd.Stdout, d.cmd.Stderr = os.Stderr, os.Stderr
	if err := d.cmd.Start(); err != nil {
		d.t.Fatalf("starting dynalite: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.port), time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			d.stop()
			d.t.Fatalf("dynalite did not listen on port %d within 20s", d.port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *dynalite) stop() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	_ = d.cmd.Wait()
	d.cmd = nil
}

// A server that goes away makes every call fail within bounded time; when it
// comes back (dynalite keeps nothing: the table is gone too), the store
// re-creates its table and works again.
func TestOutageAndRecovery(t *testing.T) {
	cli := os.Getenv(envDynaliteCLI)
	if cli == "" {
		t.Skipf("%s is not set: no dynalite to start and stop", envDynaliteCLI)
	}
	srv := &dynalite{t: t, cli: cli, port: freePort(t)}
	srv.start()
	t.Cleanup(srv.stop)
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", srv.port)
	b, err := dynamostore.OpenEndpoint(ctxFor(t, time.Minute), endpoint, "us-east-1", &dynamostore.Options{CacheName: "outage", Logger: testLogger(t), Timeout: testTimeout})
	if err != nil {
		t.Fatalf("OpenEndpoint: %v", err)
	}
	defer b.Close()
	s := b.Responses
	if err := s.Write(ctxFor(t, time.Minute), "k", []byte("before")); err != nil {
		t.Fatal(err)
	}
	probe := sessiontest.NewProbe(t, b)
	probe.WantCached("with the server up")

	srv.stop()
	probe.WantFromNetwork("with the server down")
	for _, op := range []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		{"Write", func(ctx context.Context) error { return s.Write(ctx, "k", []byte("during")) }},
		{"Read", func(ctx context.Context) error { _, err := s.Read(ctx, "k"); return err }},
		{"Size", func(ctx context.Context) error { _, err := s.Size(ctx); return err }},
	} {
		// The test's own deadline is generous: the store must fail by itself.
		opCtx := ctxFor(t, time.Minute)
		err := op.fn(opCtx)
		if err == nil {
			t.Fatalf("%s with the server down succeeded", op.name)
		}
		if opCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s with the server down: %v; want the store's own error, not the test's deadline", op.name, err)
		}
		t.Logf("%s while down: %v", op.name, err)
	}

	srv.start()
	if err := s.Write(ctxFor(t, time.Minute), "k", []byte("after")); err != nil {
		t.Fatalf("Write after the server came back: %v", err)
	}
	if v, err := s.Read(ctxFor(t, time.Minute), "k"); err != nil || string(v) != "after" {
		t.Fatalf("Read after the server came back = (%q, %v), want after", v, err)
	}
	if err := s.Write(ctxFor(t, time.Minute), "big", randomBytes(1<<20)); err != nil {
		t.Fatalf("Write(1 MB) after the server came back: %v", err)
	}
	probe.WantCachedSoon("after the server came back") // stored again (the restarted server may have lost it)
}
