package outagetest_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
)

// patience bounds every wait for something that must happen; the tests
// assert what happens, never how fast.
const patience = 30 * time.Second

// echoServer starts a loopback server that sends back every line it reads,
// stopped when the test ends, and returns its address.
func echoServer(t *testing.T) string {
	return outagetest.Serve(t, func(c net.Conn) {
		_, _ = io.Copy(c, c)
		_ = c.Close()
	})
}

// echoProxy starts a proxy to an echoServer and returns it with a
// connection through it, checked to echo.
func echoProxy(t *testing.T) (*outagetest.Proxy, *client) {
	t.Helper()
	p := outagetest.NewProxy(t, echoServer(t))
	c := mustDial(t, p.Addr())
	c.wantEcho("before")
	return p, c
}

// client is one connection through the proxy.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) (*client, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c)}, nil
}

func mustDial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := dial(t, addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return c
}

// send writes line and a newline.
func (c *client) send(line string) error {
	if err := c.c.SetWriteDeadline(time.Now().Add(patience)); err != nil {
		return err
	}
	_, err := io.WriteString(c.c, line+"\n")
	return err
}

// recv reads a line, waiting at most d.
func (c *client) recv(d time.Duration) (string, error) {
	if err := c.c.SetReadDeadline(time.Now().Add(d)); err != nil {
		return "", err
	}
	s, err := c.r.ReadString('\n')
	if err != nil {
		return s, err
	}
	return s[:len(s)-1], nil
}

// wantEcho sends line and fails the test unless it comes back.
func (c *client) wantEcho(line string) {
	c.t.Helper()
	if err := c.send(line); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
	if got, err := c.recv(patience); err != nil || got != line {
		c.t.Fatalf("echo of %q = (%q, %v)", line, got, err)
	}
}

// wantSilence fails the test unless nothing arrives for a short while.
func (c *client) wantSilence(what string) {
	c.t.Helper()
	got, err := c.recv(100 * time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("%s: read = (%q, %v), want a read timeout", what, got, err)
	}
	// A timed-out read leaves the connection usable: clear the deadline.
	_ = c.c.SetReadDeadline(time.Time{})
}

func TestForward(t *testing.T) {
	p := outagetest.NewProxy(t, echoServer(t))
	a, b := mustDial(t, p.Addr()), mustDial(t, p.Addr())
	a.wantEcho("one")
	b.wantEcho("two")
	a.wantEcho("three")
}

func TestRefuse(t *testing.T) {
	p, old := echoProxy(t)

	p.Refuse()
	if c, err := dial(t, p.Addr()); err == nil {
		// Never accepted: the first read fails.
		if got, err := c.recv(patience); err == nil {
			t.Fatalf("a connection made while refusing answered %q", got)
		}
	} else {
		t.Logf("dial while refusing: %v", err)
	}
	// The open connection was reset: a read fails (written bytes may or may
	// not be refused first).
	_ = old.send("during")
	if got, err := old.recv(patience); err == nil {
		t.Fatalf("a connection open before Refuse answered %q", got)
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection open before Refuse was not closed: %v", err)
	}

	p.Forward()
	mustDial(t, p.Addr()).wantEcho("after")
}

func TestBlackhole(t *testing.T) {
	p, old := echoProxy(t)

	p.Blackhole()
	if err := old.send("frozen"); err != nil {
		t.Fatalf("send on a frozen connection: %v", err)
	}
	old.wantSilence("a connection open before Blackhole")
	fresh := mustDial(t, p.Addr()) // accepted ...
	if err := fresh.send("held"); err != nil {
		t.Fatalf("send on a blackholed connection: %v", err)
	}
	fresh.wantSilence("a connection made during Blackhole") // ... never answered

	// Forward delivers what the frozen connections held.
	p.Forward()
	for _, c := range []struct {
		c    *client
		want string
	}{{old, "frozen"}, {fresh, "held"}} {
		if got, err := c.c.recv(patience); err != nil || got != c.want {
			t.Fatalf("after Forward, read = (%q, %v), want %q", got, err, c.want)
		}
	}
	old.wantEcho("after")
	fresh.wantEcho("after")
}

func TestBlackholeThenRefuse(t *testing.T) {
	p, old := echoProxy(t)
	p.Blackhole()
	fresh := mustDial(t, p.Addr())
	p.Refuse()
	for name, c := range map[string]*client{"frozen": old, "blackholed": fresh} {
		if got, err := c.recv(patience); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s connection after Refuse: read = (%q, %v), want it closed", name, got, err)
		}
	}
	p.Blackhole() // listens again, answers nothing
	silent := mustDial(t, p.Addr())
	_ = silent.send("x")
	silent.wantSilence("a connection made during the second Blackhole")
	p.Forward()
	mustDial(t, p.Addr()).wantEcho("after")
}

// TestTargetDown: with the target itself down, a forwarded connection is
// closed rather than left hanging.
func TestTargetDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := l.Addr().String()
	_ = l.Close()
	p := outagetest.NewProxy(t, target)
	c := mustDial(t, p.Addr())
	if got, err := c.recv(patience); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read through a proxy whose target is down = (%q, %v), want the connection closed", got, err)
	}
}

// TestSilentServer: a SilentServer accepts connections and reads what they
// send, never answering.
func TestSilentServer(t *testing.T) {
	c := mustDial(t, outagetest.SilentServer(t))
	if err := c.send("hello"); err != nil {
		t.Fatalf("send: %v", err)
	}
	c.wantSilence("a connection to a SilentServer")
}

// TestReturnsSoon: ReturnsSoon hands back the call's error.
func TestReturnsSoon(t *testing.T) {
	want := errors.New("done")
	if err := outagetest.ReturnsSoon(t, "a call", func() error { return want }); err != want {
		t.Fatalf("ReturnsSoon = %v, want %v", err, want)
	}
}
