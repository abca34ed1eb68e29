package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/outagetest"
)

// A cache whose server cannot be reached is an outage, not a mistake: get
// answers from the network with one warning, and the management commands,
// which need the store, fail with status 1.
func TestGetStartsWithoutTheStore(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	for _, cache := range []string{
		"redis://" + strings.TrimPrefix(closedPort(t), "http://") + "0?cache_name=outage",
		"mongodb://" + strings.TrimPrefix(closedPort(t), "http://") + "outage",
		"dynamodb://outage?region=us-east-1&endpoint=" + strings.TrimSuffix(closedPort(t), "/"),
	} {
		t.Run(strings.SplitN(cache, ":", 2)[0], func(t *testing.T) {
			t.Parallel()
			r := cli(t, "get", "--cache", cache, o.URL+"/a")
			r.want(t, 0, "body of /a\n")
			// One warning, and the line saying the response was not stored.
			if n := strings.Count(r.stderr, "level=WARN"); n != 1 || !strings.Contains(r.stderr, "the cache cannot be reached; requests go to the network until it answers") {
				t.Errorf("stderr, want one warning that the cache cannot be reached:\n%s", r.stderr)
			}
			if !strings.Contains(r.stderr, "the response was not stored: store-error") {
				t.Errorf("stderr does not say the response was not stored:\n%s", r.stderr)
			}
			if r := cli(t, "stats", "--cache", cache); r.code != 1 {
				t.Errorf("stats on a cache that cannot be reached: exit %d, want 1; stderr %q", r.code, r.stderr)
			}
		})
	}
}

// The acceptance of issue #9, from outside: a proxy on a Redis cache keeps
// answering, quickly and with few warnings, while Redis refuses connections
// or never answers, starts while it never answers, and uses Redis again once
// it is back. The requests' durations are logged, not asserted.
func TestProxyRidesOutARedisOutage(t *testing.T) {
	t.Parallel()
	addr := redisAddrOrSkip(t)
	o := newProxyOrigin(t)
	name := fmt.Sprintf("clientcache_outage_%d", time.Now().UnixNano())
	redis := outagetest.NewProxy(t, addr)
	base, stderr := startProxy(t, o.URL, "--cache", "redis://"+redis.Addr()+"/0?cache_name="+name)

	get := func(path string) string {
		t.Helper()
		resp, body := proxyGet(t, base+path)
		if resp.StatusCode != http.StatusOK || body != "GET "+path {
			t.Fatalf("GET %s: %d %q", path, resp.StatusCode, body)
		}
		return resp.Header.Get("Cache-Status")
	}
	get("/fresh")
	if cs := get("/fresh"); !strings.Contains(cs, "hit") {
		t.Fatalf("with Redis up, the second GET: Cache-Status %q", cs)
	}

	for _, outage := range []struct {
		name  string
		start func()
	}{{"refused", redis.Refuse}, {"never answering", redis.Blackhole}} {
		warnsBefore := strings.Count(stderr.String(), "level=WARN")
		outage.start()
		began := time.Now()
		for i := range 20 {
			get(fmt.Sprintf("/fresh?%s=%d", strings.ReplaceAll(outage.name, " ", "-"), i))
		}
		t.Logf("Redis %s: 20 requests in %v", outage.name, time.Since(began))
		if n := strings.Count(stderr.String(), "level=WARN") - warnsBefore; n > 5 {
			t.Errorf("Redis %s: %d warnings for 20 requests, want at most 5:\n%s", outage.name, n, stderr.String())
		}
		redis.Forward()
		waitForHit(t, get, "/fresh?back-after="+strings.ReplaceAll(outage.name, " ", "-"))
	}
}

// The proxy starts while its Redis never answers, and answers from the
// network.
func TestProxyStartsWhileRedisNeverAnswers(t *testing.T) {
	t.Parallel()
	addr := redisAddrOrSkip(t)
	o := newProxyOrigin(t)
	redis := outagetest.NewProxy(t, addr)
	redis.Blackhole()
	began := time.Now()
	base, stderr := startProxy(t, o.URL, "--cache", "redis://"+redis.Addr()+"/0?cache_name=clientcache_outage_start")
	for i := range 20 {
		resp, body := proxyGet(t, fmt.Sprintf("%s/%d", base, i))
		if want := fmt.Sprintf("GET /%d", i); resp.StatusCode != http.StatusOK || body != want {
			t.Fatalf("GET /%d: %d %q", i, resp.StatusCode, body)
		}
	}
	t.Logf("start and 20 requests with a Redis that never answers: %v", time.Since(began))
	if n := strings.Count(stderr.String(), "level=WARN"); n > 5 {
		t.Errorf("%d warnings, want at most 5:\n%s", n, stderr.String())
	}
}

// waitForHit GETs path until the second of two GETs is a hit (the store is
// used again), for up to 30 s.
func waitForHit(t *testing.T, get func(string) string, path string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		get(path)
		if strings.Contains(get(path), "hit") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no hit within 30 s of the store coming back", path)
		}
	}
}

// redisAddrOrSkip returns the address of the Redis scripts/services runs,
// or skips the test.
func redisAddrOrSkip(t *testing.T) string {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Skip("REDIS_ADDR is not set (scripts/services env sets it)")
	}
	return addr
}
