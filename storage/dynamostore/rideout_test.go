package dynamostore_test

import (
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// TestSessionRidesOutOutages is issue #9's acceptance through a Session on
// each real server, behind a proxy that refuses connections, then never
// answers: requests all come from the network with few warnings, and the
// cache works again once the server is back. The store's default deadline
// applies, as in production.
func TestSessionRidesOutOutages(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		p := outagetest.NewProxy(t, hostOf(t, env))
		direct := testClient(endpointOrSkip(t, env))
		b, err := dynamostore.Open(ctxFor(t, time.Minute), testConfig("http://"+p.Addr()), &dynamostore.Options{
			CacheName: uniqueTable(t, direct), Logger: testLogger(t),
		})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer b.Close()
		probe := sessiontest.NewProbe(t, b)
		probe.WantCachedSoon("with the server up")
		probe.RideOut("refusing connections", p.Refuse, p.Forward)
		probe.RideOut("never answering", p.Blackhole, p.Forward)
	})
}
