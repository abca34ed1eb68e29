package dynamostore_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// hostOf returns the host:port of the endpoint URL in env, skipping the
// test when env is unset.
func hostOf(t *testing.T, env string) string {
	t.Helper()
	u, err := url.Parse(endpointOrSkip(t, env))
	if err != nil || u.Host == "" {
		t.Fatalf("%s=%q: not an endpoint URL", env, endpointOrSkip(t, env))
	}
	return u.Host
}

// TestOpenWhileDown opens the store through a proxy that refuses
// connections: every constructor fails with an outage and a Lazy Backend,
// which a Session can use at once (requests go to the network); once the
// proxy forwards again, the Backend opens the table by itself and the cache
// works.
func TestOpenWhileDown(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		host := hostOf(t, env)
		direct := testClient(endpointOrSkip(t, env))
		for _, how := range []string{"Open", "storage.Open", "New"} {
			t.Run(how, func(t *testing.T) {
				p := outagetest.NewProxy(t, host)
				p.Refuse()
				endpoint := "http://" + p.Addr()
				name := uniqueTable(t, direct)
				ctx := ctxFor(t, time.Minute)
				opts := &dynamostore.Options{CacheName: name, Logger: testLogger(t), Timeout: testTimeout, ConnectTimeout: time.Second}
				var b *storage.Backend
				var err error
				switch how {
				case "Open":
					b, err = dynamostore.Open(ctx, testConfig(endpoint), opts)
				case "storage.Open":
					b, err = storage.Open(ctx, "dynamodb://"+name+"?region=us-east-1&endpoint="+url.QueryEscape(endpoint))
				case "New":
					b, err = dynamostore.New(ctx, testClient(endpoint), opts)
				}
				sessiontest.OpenedWhileRefusing(t, how, p, b, err)
			})
		}
	})
}

// TestOpenMistakeIsNotAnOutage opens the real servers in ways that are
// wrong: the error does not mark an outage, and no Backend comes with it.
// (TestCreateTableFalse and TestWrongKeySchema check the table's mistakes.)
func TestOpenMistakeIsNotAnOutage(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		endpoint := endpointOrSkip(t, env)
		ctx := ctxFor(t, time.Minute)
		b, err := dynamostore.OpenEndpoint(ctx, strings.Replace(endpoint, "http://", "https://", 1), "us-east-1", &dynamostore.Options{Logger: testLogger(t)})
		outagetest.WantMistake(t, "https:// to an http:// endpoint", b, err)
	})
	// DynamoDB Local checks the form of the access key; dynalite takes any.
	endpoint := endpointOrSkip(t, envDynamoDBLocal)
	cfg := testConfig(endpoint)
	cfg.Credentials = credentials.NewStaticCredentialsProvider("not-a-key!", "secret", "")
	client := dynamodb.NewFromConfig(cfg)
	ctx := ctxFor(t, time.Minute)
	b, err := dynamostore.Open(ctx, cfg, &dynamostore.Options{Logger: testLogger(t)})
	outagetest.WantMistake(t, "Open with credentials the service rejects", b, err)
	b, err = dynamostore.New(ctx, client, &dynamostore.Options{Logger: testLogger(t)})
	outagetest.WantMistake(t, "New with credentials the service rejects", b, err)
}

// TestDeadlineOnSilentServer: against a server that accepts connections and
// never answers, construction gives up at its context's deadline, with an
// outage and a Lazy Backend.
func TestDeadlineOnSilentServer(t *testing.T) {
	endpoint := "http://" + outagetest.SilentServer(t)
	// No RequestTimeout to speak of: only the context can end the calls.
	opts := &dynamostore.Options{RequestTimeout: time.Hour, ConnectTimeout: time.Hour, Logger: testLogger(t)}
	for name, open := range map[string]func(ctx context.Context) (*storage.Backend, error){
		"Open": func(ctx context.Context) (*storage.Backend, error) {
			return dynamostore.Open(ctx, testConfig(endpoint), opts)
		},
		"New": func(ctx context.Context) (*storage.Backend, error) {
			return dynamostore.New(ctx, testClient(endpoint), opts)
		},
		"storage.Open": func(ctx context.Context) (*storage.Backend, error) {
			return storage.Open(ctx, "dynamodb://silent?region=us-east-1&endpoint="+url.QueryEscape(endpoint))
		},
	} {
		outagetest.WantOpenAtDeadline(t, name+" on a silent server", open)
	}
}

// TestDeadlineOnHungServer opens the store through a proxy to the real
// server, which then stops answering: each operation ends at its context's
// deadline (RequestTimeout being an hour); once the server answers again,
// the same store works.
func TestDeadlineOnHungServer(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		p := outagetest.NewProxy(t, hostOf(t, env))
		direct := testClient(endpointOrSkip(t, env))
		b, err := dynamostore.Open(ctxFor(t, time.Minute), testConfig("http://"+p.Addr()), &dynamostore.Options{
			CacheName: uniqueTable(t, direct), RequestTimeout: time.Hour, Logger: testLogger(t),
		})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer b.Close()
		outagetest.WantDeadlinesWhileHung(t, p, b.Responses)
	})
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	endpoint := endpointOrSkip(t, envDynalite)
	client := testClient(endpoint)
	ctx := ctxFor(t, time.Minute)
	name := uniqueTable(t, client)
	opts := func(d time.Duration) *dynamostore.Options {
		return &dynamostore.Options{CacheName: name, Logger: testLogger(t), Timeout: d}
	}
	outagetest.WantTimeoutOption(t, dynamostore.DefaultTimeout, map[string]func(time.Duration) (*storage.Backend, error){
		"Open": func(d time.Duration) (*storage.Backend, error) {
			return dynamostore.Open(ctx, testConfig(endpoint), opts(d))
		},
		"New": func(d time.Duration) (*storage.Backend, error) { return dynamostore.New(ctx, client, opts(d)) },
	})
	b, err := storage.Open(ctx, "dynamodb://"+name+"?region=us-east-1&endpoint="+url.QueryEscape(endpoint))
	outagetest.WantTimeout(t, "storage.Open", b, err, dynamostore.DefaultTimeout)
}

// TestSessionRidesOutOutages is issue #9's acceptance
// (sessiontest.RidesOutProxyOutages) on each real server, with the store's
// default deadline, as in production.
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
		sessiontest.RidesOutProxyOutages(t, b, p)
	})
}
