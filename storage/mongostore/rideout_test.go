package mongostore_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage/mongostore"
)

// TestSessionRidesOutOutages is issue #9's acceptance through a Session on
// the real server, behind a proxy that refuses connections, then never
// answers: requests all come from the network with few warnings, and the
// cache works again once the server is back. The store's default deadline
// applies, as in production.
func TestSessionRidesOutOutages(t *testing.T) {
	p := outagetest.NewProxy(t, serverAddr(t))
	name := uniqueName(t, testClient(t))
	b, err := mongostore.Open(ctxFor(t, time.Minute), options.Client().ApplyURI("mongodb://"+p.Addr()+"/"),
		&mongostore.Options{CacheName: name, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	probe := sessiontest.NewProbe(t, b)
	probe.WantCachedSoon("with the server up")
	probe.RideOut("refusing connections", p.Refuse, p.Forward)
	probe.RideOut("never answering", p.Blackhole, p.Forward)
}
