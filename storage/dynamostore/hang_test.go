package dynamostore_test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage/dynamostore"
)

// freezingProxy forwards TCP connections to a server until frozen; then it
// drops the connections it forwarded and holds new ones open in silence, like
// a server that hangs.
type freezingProxy struct {
	l      net.Listener
	target string

	mu     sync.Mutex
	frozen bool
	conns  []net.Conn
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{l: l, target: target}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *freezingProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			continue // hold it, say nothing
		}
		go p.forward(c)
	}
}

func (p *freezingProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
	_, _ = io.Copy(c, up)
	_ = c.Close()
}

// freeze closes every forwarded connection and answers nothing from now on.
func (p *freezingProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *freezingProxy) close() {
	_ = p.l.Close()
	p.freeze()
}

// A server that stops answering mid-run makes calls fail after
// RequestTimeout per attempt, not hang for as long as the caller's context.
func TestHungServerBoundedByRequestTimeout(t *testing.T) {
	u, err := url.Parse(endpointOrSkip(t, envDynalite))
	if err != nil {
		t.Fatal(err)
	}
	p := newFreezingProxy(t, u.Host)
	endpoint := "http://" + p.l.Addr().String()
	client := testClient(u.String())
	b, err := dynamostore.OpenEndpoint(ctxFor(t, time.Minute), endpoint, "us-east-1", &dynamostore.Options{
		CacheName:      uniqueTable(t, client),
		RequestTimeout: 300 * time.Millisecond,
		Logger:         testLogger(t),
	})
	if err != nil {
		t.Fatalf("OpenEndpoint through the proxy: %v", err)
	}
	defer b.Close()
	if err := b.Responses.Write(ctxFor(t, time.Minute), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	p.freeze()
	ctx := ctxFor(t, time.Minute)
	_, err = b.Responses.Read(ctx, "k")
	if err == nil {
		t.Fatal("Read from a hung server succeeded")
	}
	t.Logf("Read from a hung server failed: %v", err)
	if ctx.Err() != nil {
		t.Fatal("Read from a hung server ran into the test's deadline: the RequestTimeout did not stop it")
	}
}
