package dynamostore_test

import (
	"bytes"
	"context"
	"errors"
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

// opDeadline is the deadline the tests give an operation on a server that
// does not answer.
const opDeadline = 50 * time.Millisecond

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

// wantDeadline fails the test unless err wraps context.DeadlineExceeded.
func wantDeadline(t *testing.T, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case errors.Is(err, context.DeadlineExceeded):
		t.Logf("%s: %v", what, err)
	default:
		t.Errorf("%s: %v, want an error wrapping context.DeadlineExceeded", what, err)
	}
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
				if !errors.Is(err, storage.ErrUnavailable) || b == nil {
					if b != nil {
						b.Close()
					}
					t.Fatalf("%s with the server refusing = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", how, b, err)
				}
				t.Logf("%s with the server refusing: %v", how, err)
				defer b.Close()
				if _, err := b.Responses.Read(ctx, "k"); !errors.Is(err, storage.ErrUnavailable) {
					t.Fatalf("Read before the server answers = %v, want an error wrapping storage.ErrUnavailable", err)
				}
				probe := sessiontest.NewProbe(t, b)
				probe.WantFromNetwork("with the server refusing")

				p.Forward()
				waitWorks(t, b.Responses)
				if v, err := b.Responses.Read(ctx, "lazy"); err != nil || string(v) != "works" {
					t.Fatalf("Read once connected = (%q, %v), want (\"works\", nil)", v, err)
				}
				wantCachedSoon(t, probe, "once the server answered")
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
		wantMistake(t, "https:// to an http:// endpoint", b, err)
	})
	// DynamoDB Local checks the form of the access key; dynalite takes any.
	endpoint := endpointOrSkip(t, envDynamoDBLocal)
	cfg := testConfig(endpoint)
	cfg.Credentials = credentials.NewStaticCredentialsProvider("not-a-key!", "secret", "")
	client := dynamodb.NewFromConfig(cfg)
	ctx := ctxFor(t, time.Minute)
	b, err := dynamostore.Open(ctx, cfg, &dynamostore.Options{Logger: testLogger(t)})
	wantMistake(t, "Open with credentials the service rejects", b, err)
	b, err = dynamostore.New(ctx, client, &dynamostore.Options{Logger: testLogger(t)})
	wantMistake(t, "New with credentials the service rejects", b, err)
}

func wantMistake(t *testing.T, what string, b *storage.Backend, err error) {
	t.Helper()
	if err == nil {
		b.Close()
		t.Errorf("%s: opened", what)
		return
	}
	t.Logf("%s: %v", what, err)
	if errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("%s: error %q wraps storage.ErrUnavailable: a mistake is not an outage", what, err)
	}
	if b != nil {
		b.Close()
		t.Errorf("%s: a Backend came with the error", what)
	}
}

// TestDeadlineOnSilentServer: against a server that accepts connections and
// never answers, construction gives up at its context's deadline, with an
// outage and a Lazy Backend.
func TestDeadlineOnSilentServer(t *testing.T) {
	endpoint := "http://" + silentServer(t)
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
		var b *storage.Backend
		err := returnsSoon(t, name+" on a silent server", func() error {
			ctx, cancel := context.WithTimeout(t.Context(), opDeadline)
			defer cancel()
			var err error
			b, err = open(ctx)
			return err
		})
		wantDeadline(t, name+" on a silent server", err)
		if !errors.Is(err, storage.ErrUnavailable) || b == nil {
			t.Errorf("%s on a silent server = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", name, b, err)
		}
		if b != nil {
			_ = b.Close()
		}
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
		s := b.Responses
		if err := s.Write(ctxFor(t, time.Minute), "k", []byte("v")); err != nil {
			t.Fatalf("Write with the server answering: %v", err)
		}
		p.Blackhole()
		for _, op := range []struct {
			name string
			run  func(ctx context.Context) error
		}{
			{"Read", func(ctx context.Context) error { _, err := s.Read(ctx, "k"); return err }},
			{"Write", func(ctx context.Context) error { return s.Write(ctx, "k", bytes.Repeat([]byte("v"), 1<<10)) }},
			{"Contains", func(ctx context.Context) error { _, err := s.Contains(ctx, "k"); return err }},
			{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "gone") }},
		} {
			what := op.name + " on a server that does not answer"
			err := returnsSoon(t, what, func() error {
				ctx, cancel := context.WithTimeout(t.Context(), opDeadline)
				defer cancel()
				return op.run(ctx)
			})
			wantDeadline(t, what, err)
		}
		p.Forward()
		deadline := time.Now().Add(patience)
		for {
			v, err := s.Read(ctxFor(t, time.Minute), "k")
			if err == nil && (string(v) == "v" || len(v) == 1<<10) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Read after the server answered again = (%d bytes, %v)", len(v), err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	endpoint := endpointOrSkip(t, envDynalite)
	client := testClient(endpoint)
	ctx := ctxFor(t, time.Minute)
	name := uniqueTable(t, client)
	for _, tc := range []struct {
		opt, want time.Duration
	}{{0, dynamostore.DefaultTimeout}, {2 * time.Second, 2 * time.Second}, {-1, 0}} {
		opts := &dynamostore.Options{CacheName: name, Logger: testLogger(t), Timeout: tc.opt}
		b, err := dynamostore.Open(ctx, testConfig(endpoint), opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("Open with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
		b, err = dynamostore.New(ctx, client, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("New with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
	}
	b, err := storage.Open(ctx, "dynamodb://"+name+"?region=us-east-1&endpoint="+url.QueryEscape(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	if b.Timeout != dynamostore.DefaultTimeout {
		t.Errorf("storage.Open: Backend.Timeout = %v, want %v", b.Timeout, dynamostore.DefaultTimeout)
	}
	b.Close()
}
