package mongostore_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
)

// serverAddr returns the host:port of the server at MONGODB_URI.
func serverAddr(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(serverURI(t))
	if err != nil || u.Host == "" || strings.Contains(u.Host, ",") {
		t.Skipf("%s=%q is not a mongodb:// URL of one host: the test puts a proxy in front of it", uriVar, serverURI(t))
	}
	return u.Host
}

// quickURI is a connection string for the server at addr that gives up on
// selecting a server after half a second, rather than 5 s.
func quickURI(addr, name string) string {
	return fmt.Sprintf("mongodb://%s/%s?serverSelectionTimeoutMS=500", addr, name)
}

// TestOpenWhileDown opens the store through a proxy that refuses
// connections: every constructor fails with an outage and a Lazy Backend,
// which a Session can use at once (requests go to the network); once the
// proxy forwards again, the Backend connects by itself and the cache works.
func TestOpenWhileDown(t *testing.T) {
	addr := serverAddr(t)
	client := testClient(t)
	for _, how := range []string{"Open", "storage.Open", "New"} {
		t.Run(how, func(t *testing.T) {
			p := outagetest.NewProxy(t, addr)
			p.Refuse()
			name := uniqueName(t, client)
			ctx := ctxFor(t, time.Minute)
			opts := &mongostore.Options{CacheName: name, Logger: quietLogger(), Timeout: testTimeout}
			var b *storage.Backend
			var err error
			switch how {
			case "Open":
				b, err = mongostore.Open(ctx, options.Client().ApplyURI(quickURI(p.Addr(), "")), opts)
			case "storage.Open":
				b, err = storage.Open(ctx, quickURI(p.Addr(), name))
			case "New":
				pc, cerr := mongo.Connect(options.Client().ApplyURI(quickURI(p.Addr(), "")))
				if cerr != nil {
					t.Fatal(cerr)
				}
				defer pc.Disconnect(context.Background())
				opts.OpenTimeout = time.Second
				b, err = mongostore.New(ctx, pc, opts)
			}
			sessiontest.OpenedWhileRefusing(t, how, p, b, err)
		})
	}
}

// TestOpenMistakeIsNotAnOutage opens the real server with credentials it
// rejects: the error does not mark an outage, and no Backend comes with it.
// (TestBadArguments checks the mistakes found before any I/O.)
func TestOpenMistakeIsNotAnOutage(t *testing.T) {
	addr := serverAddr(t)
	ctx := ctxFor(t, time.Minute)
	uri := "mongodb://cctest-nobody:wrong@" + addr + "/mistake?serverSelectionTimeoutMS=2000"
	for name, open := range map[string]func() (*storage.Backend, error){
		"Open":         func() (*storage.Backend, error) { return mongostore.Open(ctx, options.Client().ApplyURI(uri), nil) },
		"storage.Open": func() (*storage.Backend, error) { return storage.Open(ctx, uri) },
	} {
		b, err := open()
		outagetest.WantMistake(t, name+" with credentials the server rejects", b, err)
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: error %q shows the password", name, err)
		}
	}
}

// TestDeadlineOnSilentServer: against a server that accepts connections and
// never answers, Open and storage.Open give up at their context's deadline,
// with an outage and a Lazy Backend.
func TestDeadlineOnSilentServer(t *testing.T) {
	addr := outagetest.SilentServer(t)
	for name, open := range map[string]func(ctx context.Context) (*storage.Backend, error){
		"Open": func(ctx context.Context) (*storage.Backend, error) {
			return mongostore.Open(ctx, options.Client().ApplyURI("mongodb://"+addr+"/"), &mongostore.Options{Logger: quietLogger()})
		},
		"storage.Open": func(ctx context.Context) (*storage.Backend, error) {
			return storage.Open(ctx, "mongodb://"+addr+"/silent")
		},
	} {
		outagetest.WantOpenAtDeadline(t, name+" on a silent server", open)
	}
}

// TestDeadlineOnHungServer opens the store through a proxy to the real
// server, which then stops answering: each operation ends at its context's
// deadline; once the server answers again, the same store works.
func TestDeadlineOnHungServer(t *testing.T) {
	p := outagetest.NewProxy(t, serverAddr(t))
	client := testClient(t)
	name := uniqueName(t, client)
	b, err := mongostore.Open(ctxFor(t, time.Minute), options.Client().ApplyURI("mongodb://"+p.Addr()+"/"),
		&mongostore.Options{CacheName: name, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	outagetest.WantDeadlinesWhileHung(t, p, b.Responses)
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	ctx := ctxFor(t, time.Minute)
	opts := func(d time.Duration) *mongostore.Options {
		return &mongostore.Options{CacheName: uniqueName(t, client), Logger: quietLogger(), Timeout: d}
	}
	outagetest.WantTimeoutOption(t, mongostore.DefaultTimeout, map[string]func(time.Duration) (*storage.Backend, error){
		"Open": func(d time.Duration) (*storage.Backend, error) {
			return mongostore.Open(ctx, options.Client().ApplyURI(uri), opts(d))
		},
		"New": func(d time.Duration) (*storage.Backend, error) { return mongostore.New(ctx, client, opts(d)) },
	})
	b, err := storage.Open(ctx, withDatabase(t, uri, uniqueName(t, client)))
	outagetest.WantTimeout(t, "storage.Open", b, err, mongostore.DefaultTimeout)
}

// TestSessionRidesOutOutages is issue #9's acceptance
// (sessiontest.RidesOutProxyOutages) on the real server, with the store's
// default deadline, as in production.
func TestSessionRidesOutOutages(t *testing.T) {
	p := outagetest.NewProxy(t, serverAddr(t))
	name := uniqueName(t, testClient(t))
	b, err := mongostore.Open(ctxFor(t, time.Minute), options.Client().ApplyURI("mongodb://"+p.Addr()+"/"),
		&mongostore.Options{CacheName: name, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	sessiontest.RidesOutProxyOutages(t, b, p)
}
