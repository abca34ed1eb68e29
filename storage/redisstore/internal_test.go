package redisstore

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestGlobEscape(t *testing.T) {
	for in, want := range map[string]string{
		"http_cache:responses:": "http_cache:responses:",
		`a*b?c[d]e\f`:           `a\*b\?c\[d\]e\\f`,
		"üñí^-{x}":              "üñí^-{x}",
	} {
		if got := globEscape(in); got != want {
			t.Errorf("globEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGetManySkipsVanishedKeys checks that Values tolerates a key deleted
// between the SCAN that found it and the GET of its value.
func TestGetManySkipsVanishedKeys(t *testing.T) {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Skip("REDIS_ADDR is unset: set it to a Redis server's host:port (eval \"$(scripts/services env)\")")
	}
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	b, err := New(ctx, c, &Options{CacheName: "cctest-vanish-" + t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	s := b.Responses.(*store)
	defer s.Clear(ctx)
	if err := s.Write(ctx, "here", []byte("v")); err != nil {
		t.Fatal(err)
	}
	got, err := s.getMany(ctx, []string{s.prefix + "gone", s.prefix + "here", s.prefix + "also-gone"})
	if err != nil || len(got) != 1 || string(got[0]) != "v" {
		t.Fatalf("getMany(gone, here, also-gone) = (%q, %v), want ([v], nil)", got, err)
	}
}
