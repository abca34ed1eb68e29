package mongostore_test

import (
	"bytes"
	"context"
	"errors"
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

// opDeadline is the deadline the tests give an operation on a server that
// does not answer.
const opDeadline = 50 * time.Millisecond

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
		if err == nil {
			b.Close()
			t.Errorf("%s with credentials the server rejects: opened", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		if errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: error %q wraps storage.ErrUnavailable: a mistake is not an outage", name, err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: error %q shows the password", name, err)
		}
		if b != nil {
			b.Close()
			t.Errorf("%s: a Backend came with the error", name)
		}
	}
}

// TestDeadlineOnSilentServer: against a server that accepts connections and
// never answers, Open and storage.Open give up at their context's deadline,
// with an outage and a Lazy Backend.
func TestDeadlineOnSilentServer(t *testing.T) {
	addr := silentServer(t)
	for name, open := range map[string]func(ctx context.Context) (*storage.Backend, error){
		"Open": func(ctx context.Context) (*storage.Backend, error) {
			return mongostore.Open(ctx, options.Client().ApplyURI("mongodb://"+addr+"/"), &mongostore.Options{Logger: quietLogger()})
		},
		"storage.Open": func(ctx context.Context) (*storage.Backend, error) {
			return storage.Open(ctx, "mongodb://"+addr+"/silent")
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
}

// TestTimeoutOption checks the Backend.Timeout that Open, New and URLs set:
// DefaultTimeout, Options.Timeout, or none for a negative one.
func TestTimeoutOption(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	ctx := ctxFor(t, time.Minute)
	for _, tc := range []struct {
		opt, want time.Duration
	}{{0, mongostore.DefaultTimeout}, {2 * time.Second, 2 * time.Second}, {-1, 0}} {
		opts := &mongostore.Options{CacheName: uniqueName(t, client), Logger: quietLogger(), Timeout: tc.opt}
		b, err := mongostore.Open(ctx, options.Client().ApplyURI(uri), opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("Open with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
		b, err = mongostore.New(ctx, client, opts)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timeout != tc.want {
			t.Errorf("New with Options.Timeout %v: Backend.Timeout = %v, want %v", tc.opt, b.Timeout, tc.want)
		}
		b.Close()
	}
	b, err := storage.Open(ctx, withDatabase(t, uri, uniqueName(t, client)))
	if err != nil {
		t.Fatal(err)
	}
	if b.Timeout != mongostore.DefaultTimeout {
		t.Errorf("storage.Open: Backend.Timeout = %v, want %v", b.Timeout, mongostore.DefaultTimeout)
	}
	b.Close()
}
