package dynamostore_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// A server that stops answering mid-run makes calls fail after
// RequestTimeout per attempt, not hang for as long as the caller's context.
func TestHungServerBoundedByRequestTimeout(t *testing.T) {
	u, err := url.Parse(endpointOrSkip(t, envDynalite))
	if err != nil {
		t.Fatal(err)
	}
	p := outagetest.NewProxy(t, u.Host)
	endpoint := "http://" + p.Addr()
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
	p.Blackhole()
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
