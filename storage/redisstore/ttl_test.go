package redisstore_test

import (
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

func TestTTLSingleNode(t *testing.T) { testTTL(t, singleClient(t)) }
func TestTTLCluster(t *testing.T)    { testTTL(t, clusterClient(t)) }

// testTTL checks the native expiry: WriteWithExpiry sets PTTL, a plain Write
// and a zero expiry clear it, a past expiry leaves nothing.
func testTTL(t *testing.T, raw redis.UniversalClient) {
	ctx := ctxT(t)
	name := uniqueName()
	s := newBackend(t, raw, name).Responses.(storage.ExpiringWriter)
	rk := name + ":responses:k"
	pttl := func() time.Duration {
		t.Helper()
		d, err := raw.PTTL(ctx, rk).Result()
		if err != nil {
			t.Fatalf("PTTL: %v", err)
		}
		return d
	}

	if err := s.WriteWithExpiry(ctx, "k", []byte("v"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("PTTL after WriteWithExpiry(in an hour) = %v, want just under 1h", d)
	}
	if err := s.WriteWithExpiry(ctx, "k", []byte("v"), time.Now().Add(1500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d <= 0 || d > 1500*time.Millisecond { // EX would round to 2 s
		t.Errorf("PTTL after WriteWithExpiry(in 1.5 s) = %v, want millisecond precision", d)
	}
	if err := s.(storage.Storage).Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d != -1 {
		t.Errorf("PTTL after a plain Write = %v, want -1 (no TTL)", d)
	}
	if err := s.WriteWithExpiry(ctx, "k", []byte("v"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteWithExpiry(ctx, "k", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d != -1 {
		t.Errorf("PTTL after WriteWithExpiry(zero time) = %v, want -1 (no TTL)", d)
	}
	if err := s.WriteWithExpiry(ctx, "k", []byte("v"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d != -2 {
		t.Errorf("PTTL after WriteWithExpiry(a second ago) = %v, want -2 (no key)", d)
	}
}
