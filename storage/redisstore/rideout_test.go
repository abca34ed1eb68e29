package redisstore_test

import (
	"testing"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
)

// TestSessionRidesOutOutages is issue #9's acceptance through a Session on
// the real server, behind a proxy that refuses connections, then never
// answers: requests all come from the network with few warnings, and the
// cache works again once the server is back. The store's default deadline
// applies (no test Timeout), as in production.
func TestSessionRidesOutOutages(t *testing.T) {
	p := outagetest.NewProxy(t, redisAddr(t))
	name := uniqueName()
	t.Cleanup(func() { clearNamespace(t, singleClient(t), name) })
	b, err := storage.Open(ctxT(t), "redis://"+p.Addr()+"/0?cache_name="+name)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	probe := sessiontest.NewProbe(t, b)
	probe.WantCachedSoon("with the server up")
	probe.RideOut("refusing connections", p.Refuse, p.Forward)
	probe.RideOut("never answering", p.Blackhole, p.Forward)
}
