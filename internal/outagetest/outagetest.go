// Package outagetest is for the outage tests of the stores and of the core:
// a loopback TCP proxy in front of a real server, which a test switches
// between passing bytes (Forward), refusing connections (Refuse) and
// swallowing them (Blackhole), to see a store fail fast while its server is
// away and recover by itself when it is back.
//
//	p := outagetest.NewProxy(t, "127.0.0.1:6379") // forwarding
//	b, err := redisstore.Open(ctx, &redis.UniversalOptions{Addrs: []string{p.Addr()}}, nil)
//	p.Blackhole() // the server hangs: operations must end at their deadline
//	p.Refuse()    // the server is down: connections are refused
//	p.Forward()   // the server is back
//
// The proxy stops, closing every connection, when the test ends.
package outagetest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// mode is what the proxy does with connections.
type mode int

const (
	forward mode = iota
	refuse
	blackhole
)

// relistenFor bounds how long Forward and Blackhole try to listen again on
// the proxy's address after Refuse gave it up.
const relistenFor = 5 * time.Second

// Proxy is a TCP proxy on a loopback address in front of one server. Its
// methods are safe for concurrent use; Forward and Blackhole call t.Fatal,
// so call them from the test's goroutine.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu      sync.Mutex
	mode    mode
	l       net.Listener          // nil while refusing
	conns   map[net.Conn]struct{} // open connections, both sides
	changed chan struct{}         // closed, and replaced, at every change of mode
	closed  bool
	wg      sync.WaitGroup // the proxy's goroutines
}

// NewProxy starts a proxy to target (host:port) on a loopback port, in
// Forward mode, and stops it when t ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("outagetest: listen: %v", err)
	}
	p := &Proxy{
		t:       t,
		target:  target,
		addr:    l.Addr().String(),
		conns:   map[net.Conn]struct{}{},
		changed: make(chan struct{}),
	}
	p.mu.Lock()
	p.serveLocked(l)
	p.mu.Unlock()
	t.Cleanup(p.close)
	return p
}

// Addr returns the proxy's address, host:port, the same in every mode.
func (p *Proxy) Addr() string { return p.addr }

// Forward passes bytes both ways: each new connection gets one of its own to
// the target, and connections frozen by Blackhole resume, delivering what
// they held, as a network does when a partition heals.
func (p *Proxy) Forward() {
	p.t.Helper()
	p.set(forward)
}

// Refuse makes the server look down: the proxy stops listening, so that new
// connections are refused, and resets every open one.
func (p *Proxy) Refuse() {
	p.t.Helper()
	p.set(refuse)
}

// Blackhole makes the server look hung: new connections are accepted and
// never answered, and open ones are frozen, neither delivering nor
// dropping anything, until Forward or Refuse. Bytes already on their way
// when Blackhole is called may still arrive.
func (p *Proxy) Blackhole() {
	p.t.Helper()
	p.set(blackhole)
}

func (p *Proxy) set(m mode) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.t.Fatal("outagetest: the proxy is stopped (its test has ended)")
	}
	if m == refuse {
		if p.l != nil {
			_ = p.l.Close()
			p.l = nil
		}
		p.resetAllLocked()
	} else if p.l == nil {
		l, err := relisten(p.addr)
		if err != nil {
			p.t.Fatalf("outagetest: listen again on %s after Refuse: %v", p.addr, err)
		}
		p.serveLocked(l)
	}
	p.mode = m
	close(p.changed)
	p.changed = make(chan struct{})
}

// relisten listens on addr, which Refuse gave up, retrying for a while in
// case the port is briefly taken.
func relisten(addr string) (net.Listener, error) {
	deadline := time.Now().Add(relistenFor)
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serveLocked accepts on l until l is closed.
func (p *Proxy) serveLocked(l net.Listener) {
	p.l = l
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue
				}
				return
			}
			p.mu.Lock()
			if p.closed || p.l != l {
				p.mu.Unlock()
				reset(c)
				return
			}
			p.conns[c] = struct{}{}
			p.wg.Add(1)
			p.mu.Unlock()
			go p.handle(c)
		}
	}()
}

// handle waits until the proxy forwards, then connects c to the target and
// copies both ways.
func (p *Proxy) handle(c net.Conn) {
	defer p.wg.Done()
	defer p.drop(c)
	if !p.await() {
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		return // c is dropped, as if the server were down
	}
	if !p.track(up) {
		_ = up.Close()
		return
	}
	defer p.drop(up)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.pipe(up, c)
	}()
	p.pipe(c, up)
	<-done
}

// pipe copies src to dst while the proxy forwards, waiting while it
// blackholes; when either side fails or the proxy refuses, it closes both
// (which ends the other direction's pipe too).
func (p *Proxy) pipe(dst, src net.Conn) {
	defer func() {
		_ = dst.Close()
		_ = src.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.await() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// await blocks while the proxy blackholes, and reports whether it forwards
// (false: it refuses, or it is stopped).
func (p *Proxy) await() bool {
	for {
		p.mu.Lock()
		m, changed, closed := p.mode, p.changed, p.closed
		p.mu.Unlock()
		switch {
		case closed || m == refuse:
			return false
		case m == forward:
			return true
		}
		<-changed
	}
}

// track records c as open, unless the proxy refuses or is stopped.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == refuse {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// drop closes c and forgets it.
func (p *Proxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

// resetAllLocked resets every open connection.
func (p *Proxy) resetAllLocked() {
	for c := range p.conns {
		reset(c)
	}
	clear(p.conns)
}

// reset closes c with a TCP reset rather than an orderly close, as a
// crashed server's host does.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// close stops the proxy: no more listening, every connection reset, every
// goroutine ended.
func (p *Proxy) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.l != nil {
		_ = p.l.Close()
		p.l = nil
	}
	p.resetAllLocked()
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	p.wg.Wait()
}
