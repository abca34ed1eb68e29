package clientcache_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

func TestMissThenHit(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "payload")
	})
	clock := newClock()
	s := newSession(t, nil, &clientcache.Options{ExpireAfter: time.Minute, Now: clock.Now})

	first := get(t, s.Client, o.URL+"/a")
	if first.status.FromCache || !first.status.Stored || first.status.Key == "" {
		t.Fatalf("first response status = %+v, want a stored miss with a key", first.status)
	}
	if got := first.Header.Get("Cache-Status"); got != "clientcache; fwd=uri-miss" {
		t.Errorf("first Cache-Status = %q", got)
	}
	clock.Advance(10 * time.Second)
	second := get(t, s.Client, o.URL+"/a")
	if second.body != "payload" || !second.status.FromCache {
		t.Fatalf("second response = %q %+v, want the payload from the cache", second.body, second.status)
	}
	if got := second.Header.Get("Cache-Status"); got != "clientcache; hit; ttl=50" {
		t.Errorf("hit Cache-Status = %q, want ttl=50", got)
	}
	if got := second.Header.Get("Age"); got != "10" {
		t.Errorf("hit Age = %q, want 10", got)
	}
	if second.status.Key != first.status.Key || !second.status.Expires.Equal(clock.Now().Add(50*time.Second)) {
		t.Errorf("hit status = %+v", second.status)
	}
	if second.Header.Get("Content-Type") != "text/plain" || second.StatusCode != 200 || second.ContentLength != 7 {
		t.Errorf("hit response lost its metadata: %d %v len %d", second.StatusCode, second.Header, second.ContentLength)
	}
	if n := o.count(); n != 1 {
		t.Fatalf("origin saw %d requests, want 1", n)
	}
}

func TestBodyStoredOnlyWhenReadToEOF(t *testing.T) {
	body := strings.Repeat("x", 100000)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	s := newSession(t, nil, nil)

	resp, err := s.Get(o.URL)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ok, _ := s.Cache.ContainsURL(t.Context(), o.URL); ok {
		t.Fatal("a body closed half-read was stored")
	}
	if r := get(t, s.Client, o.URL); r.body != body || r.status.FromCache {
		t.Fatalf("second request: from cache %v, body of %d bytes", r.status.FromCache, len(r.body))
	}
	if r := get(t, s.Client, o.URL); r.body != body || !r.status.FromCache {
		t.Fatalf("third request: from cache %v, body of %d bytes", r.status.FromCache, len(r.body))
	}
}

func TestChunkedBodyWithoutLengthIsCachedWhole(t *testing.T) {
	const size = 5 << 20
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		for written := 0; written < size; written += len(chunk) {
			w.Write(chunk)
			w.(http.Flusher).Flush()
		}
	})
	s := newSession(t, nil, nil)
	first := get(t, s.Client, o.URL)
	if first.ContentLength != -1 || len(first.body) != size {
		t.Fatalf("origin response: length %d, %d bytes; want chunked, %d bytes", first.ContentLength, len(first.body), size)
	}
	second := get(t, s.Client, o.URL)
	if !second.status.FromCache || second.body != first.body {
		t.Fatalf("second: from cache %v, %d bytes", second.status.FromCache, len(second.body))
	}
}

func TestMaxBodySizePassesLargerResponsesThrough(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprint("chunked=", chunked), func(t *testing.T) {
			body := strings.Repeat("y", 50000)
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				}
				io.WriteString(w, body)
			})
			s := newSession(t, nil, &clientcache.Options{MaxBodySize: 20000})
			for range 2 {
				if r := get(t, s.Client, o.URL); r.body != body || r.status.FromCache {
					t.Fatalf("from cache %v, %d bytes, want the whole body from the origin", r.status.FromCache, len(r.body))
				}
			}
			if n, _ := s.Cache.Size(t.Context()); n != 0 {
				t.Fatalf("%d responses stored, want none", n)
			}
		})
	}
}

func TestExpiration(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.URL.Path) })
	clock := newClock()
	s := newSession(t, nil, &clientcache.Options{
		ExpireAfter: time.Hour,
		Now:         clock.Now,
		URLPatterns: []clientcache.URLPattern{
			{Pattern: strings.TrimPrefix(o.URL, "http://") + "/never", ExpireAfter: clientcache.NeverExpire},
			{Pattern: "*/nocache", ExpireAfter: clientcache.DoNotCache},
			{Pattern: "*/short*", ExpireAfter: time.Minute},
			{Pattern: "*/short/long", ExpireAfter: 24 * time.Hour}, // never reached: first match wins
			{Pattern: "*/at", ExpireAt: clock.Now().Add(5 * time.Minute)},
		},
	})
	cases := []struct {
		path    string
		expires time.Time
		stored  bool
	}{
		{"/default", clock.Now().Add(time.Hour), true},
		{"/never", time.Time{}, true},
		{"/nocache", time.Time{}, false},
		{"/short/long", clock.Now().Add(time.Minute), true},
		{"/at", clock.Now().Add(5 * time.Minute), true},
	}
	for _, c := range cases {
		r := get(t, s.Client, o.URL+c.path)
		if r.status.Stored != c.stored {
			t.Errorf("%s: stored = %v, want %v", c.path, r.status.Stored, c.stored)
		}
		if !c.stored {
			continue
		}
		hit := get(t, s.Client, o.URL+c.path)
		if !hit.status.FromCache || !hit.status.Expires.Equal(c.expires) {
			t.Errorf("%s: from cache %v, expires %v; want a hit expiring %v", c.path, hit.status.FromCache, hit.status.Expires, c.expires)
		}
	}
	clock.Advance(2 * time.Minute)
	if r := get(t, s.Client, o.URL+"/short/long"); r.status.FromCache {
		t.Error("/short/long served from the cache after it expired")
	}
	if r := get(t, s.Client, o.URL+"/default"); !r.status.FromCache {
		t.Error("/default not served from the cache before it expired")
	}
}

func TestPerRequestSettings(t *testing.T) {
	version := 1
	var mu sync.Mutex
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "v%d", version)
	})
	clock := newClock()
	s := newSession(t, nil, &clientcache.Options{Now: clock.Now})
	withOpts := func(o clientcache.RequestOptions) *http.Request {
		req, _ := http.NewRequestWithContext(clientcache.WithRequest(context.Background(), o), http.MethodGet, oURL(t, s, o), nil)
		return req
	}
	_ = withOpts
	req := func(ro clientcache.RequestOptions, hdr ...string) *http.Request {
		r, _ := http.NewRequestWithContext(clientcache.WithRequest(context.Background(), ro), http.MethodGet, o.URL, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{OnlyIfCached: true})); r.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("only-if-cached with nothing stored: %d, want 504", r.StatusCode)
	}
	if o.count() != 0 {
		t.Fatal("only-if-cached reached the origin")
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{ExpireAfter: time.Minute})); r.body != "v1" {
		t.Fatal(r.body)
	}
	mu.Lock()
	version = 2
	mu.Unlock()
	if r := do(t, s.Client, req(clientcache.RequestOptions{})); r.body != "v1" || !r.status.FromCache {
		t.Fatalf("plain request: %q from cache %v, want the stored v1", r.body, r.status.FromCache)
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{Disabled: true})); r.body != "v2" || r.status.FromCache {
		t.Fatalf("disabled: %q from cache %v, want v2 from the origin", r.body, r.status.FromCache)
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{}, "Cache-Control", "no-store")); r.body != "v2" {
		t.Fatalf("no-store: %q, want v2 from the origin", r.body)
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{})); r.body != "v1" {
		t.Fatalf("disabled and no-store requests changed the cache: %q", r.body)
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{ForceRefresh: true})); r.body != "v2" || r.status.FromCache {
		t.Fatalf("force refresh: %q from cache %v", r.body, r.status.FromCache)
	}
	if r := do(t, s.Client, req(clientcache.RequestOptions{OnlyIfCached: true})); r.body != "v2" || !r.status.FromCache {
		t.Fatalf("after force refresh: %q from cache %v, want the new v2 stored", r.body, r.status.FromCache)
	}
	mu.Lock()
	version = 3
	mu.Unlock()
	if r := do(t, s.Client, req(clientcache.RequestOptions{}, "Cache-Control", "no-cache")); r.body != "v3" {
		t.Fatalf("Cache-Control: no-cache: %q, want v3", r.body)
	}
	mu.Lock()
	version = 4
	mu.Unlock()
	if r := do(t, s.Client, req(clientcache.RequestOptions{Refresh: true})); r.body != "v4" {
		t.Fatalf("refresh: %q, want v4", r.body)
	}
	clock.Advance(2 * time.Minute)
	if r := do(t, s.Client, req(clientcache.RequestOptions{OnlyIfCached: true})); r.StatusCode != http.StatusOK || r.body != "v4" {
		t.Fatalf("per-request ExpireAfter did not stick to the refreshed entry? got %d %q", r.StatusCode, r.body)
	}
}

func oURL(t *testing.T, s *clientcache.Session, _ clientcache.RequestOptions) string { return "" }

func TestRevalidationWith304(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("X-Version", fmt.Sprint(r.Header.Get("If-None-Match") != ""))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "the body")
	})
	clock := newClock()
	s := newSession(t, nil, &clientcache.Options{ExpireAfter: clientcache.ExpireImmediately, Now: clock.Now})
	if r := get(t, s.Client, o.URL); r.body != "the body" || r.status.FromCache {
		t.Fatal("first request")
	}
	clock.Advance(time.Second)
	r := get(t, s.Client, o.URL)
	if r.body != "the body" || !r.status.FromCache || !r.status.Revalidated {
		t.Fatalf("revalidated response: %q %+v", r.body, r.status)
	}
	if got := r.Header.Get("Cache-Status"); got != "clientcache; fwd=stale; fwd-status=304; stored" {
		t.Errorf("Cache-Status = %q", got)
	}
	if r.Header.Get("X-Version") != "true" {
		t.Error("the 304's headers were not merged into the stored response")
	}
	if o.count() != 2 || o.lastRequest().Header.Get("If-None-Match") != `"v1"` {
		t.Fatalf("origin saw %d requests, last If-None-Match %q", o.count(), o.lastRequest().Header.Get("If-None-Match"))
	}
	stored, err := s.Cache.ResponseForURL(t.Context(), o.URL)
	if err != nil || stored.Header.Get("X-Version") != "true" || !stored.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("stored response after the 304: %v %+v", err, stored)
	}
}

func TestAllowedCodesAndMethods(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, b)
	})
	s := newSession(t, nil, nil)
	for range 2 {
		if r := get(t, s.Client, o.URL+"/missing"); r.status.FromCache || r.StatusCode != 404 {
			t.Fatal("a 404 was cached by default")
		}
	}
	post := func(c *http.Client, body string) result {
		req, _ := http.NewRequest(http.MethodPost, o.URL+"/p", strings.NewReader(body))
		return do(t, c, req)
	}
	if r := post(s.Client, "a"); r.status.Stored {
		t.Fatal("a POST was stored by default")
	}
	s2 := newSession(t, nil, &clientcache.Options{AllowedCodes: []int{200, 404}, AllowedMethods: []string{"GET", "post"}})
	get(t, s2.Client, o.URL+"/missing")
	if r := get(t, s2.Client, o.URL+"/missing"); !r.status.FromCache || r.StatusCode != 404 {
		t.Fatal("an allowed 404 was not cached")
	}
	post(s2.Client, "a")
	post(s2.Client, "b")
	if r := post(s2.Client, "a"); !r.status.FromCache || r.body != "POST a" {
		t.Fatalf("POST a: %q from cache %v", r.body, r.status.FromCache)
	}
	if r := post(s2.Client, "b"); !r.status.FromCache || r.body != "POST b" {
		t.Fatalf("POST b: %q from cache %v", r.body, r.status.FromCache)
	}
	if r := post(s2.Client, "c"); r.status.FromCache {
		t.Fatal("POST c served another body's response")
	}
	if o.lastRequest().ContentLength != 1 {
		t.Errorf("the buffered POST body reached the origin with length %d", o.lastRequest().ContentLength)
	}
}

func TestMatchedAndIgnoredParameters(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s", r.Header.Get("Accept-Language"), r.URL.RawQuery)
	})
	s := newSession(t, nil, &clientcache.Options{
		MatchHeaders:  []string{"Accept-Language"},
		IgnoredParams: []string{"api_key", "X-Request-Id"},
	})
	req := func(lang, query, id string) result {
		r, _ := http.NewRequest(http.MethodGet, o.URL+"/?"+query, nil)
		r.Header.Set("Accept-Language", lang)
		r.Header.Set("X-Request-Id", id)
		r.Header.Set("Authorization", "Bearer top-secret")
		return do(t, s.Client, r)
	}
	req("en", "q=1&api_key=k1", "1")
	if r := req("en", "api_key=k2&q=1", "2"); !r.status.FromCache {
		t.Fatal("an ignored parameter or header changed the key")
	}
	if r := req("fr", "q=1&api_key=k1", "3"); r.status.FromCache {
		t.Fatal("a matched header did not change the key")
	}
	for cr, err := range s.Cache.Responses(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		stored := fmt.Sprint(cr.URL, cr.RequestHeader, cr.Header)
		for _, secret := range []string{"k1", "k2", "top-secret"} {
			if strings.Contains(stored, secret) {
				t.Fatalf("stored response keeps %q: %s", secret, stored)
			}
		}
		if !strings.Contains(cr.URL, "api_key=REDACTED") || cr.RequestHeader.Get("Accept-Language") == "" {
			t.Fatalf("stored URL %q, request header %v", cr.URL, cr.RequestHeader)
		}
	}
}

func TestFilterOnWriteAndRead(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Cacheable", r.URL.Query().Get("c"))
		fmt.Fprint(w, "x")
	})
	var rejectAll bool
	var mu sync.Mutex
	s := newSession(t, nil, &clientcache.Options{Filter: func(r *http.Response) bool {
		mu.Lock()
		defer mu.Unlock()
		return !rejectAll && r.Header.Get("X-Cacheable") == "yes"
	}})
	get(t, s.Client, o.URL+"/?c=no")
	if r := get(t, s.Client, o.URL+"/?c=no"); r.status.FromCache {
		t.Fatal("a filtered-out response was stored")
	}
	get(t, s.Client, o.URL+"/?c=yes")
	if r := get(t, s.Client, o.URL+"/?c=yes"); !r.status.FromCache {
		t.Fatal("an accepted response was not stored")
	}
	mu.Lock()
	rejectAll = true
	mu.Unlock()
	if r := get(t, s.Client, o.URL+"/?c=yes"); r.status.FromCache {
		t.Fatal("the filter was not applied on read")
	}
}

func TestReadOnlyAndDisabled(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	b := newMapBackend()
	rw := newSession(t, b, nil)
	get(t, rw.Client, o.URL+"/stored")
	ro := newSession(t, b, &clientcache.Options{ReadOnly: true})
	if r := get(t, ro.Client, o.URL+"/stored"); !r.status.FromCache {
		t.Fatal("a read-only session did not serve a stored response")
	}
	get(t, ro.Client, o.URL+"/new")
	if ok, _ := ro.Cache.ContainsURL(t.Context(), o.URL+"/new"); ok {
		t.Fatal("a read-only session stored a response")
	}
	off := newSession(t, b, &clientcache.Options{Disabled: true})
	if r := get(t, off.Client, o.URL+"/stored"); r.status.FromCache || r.Header.Get("Cache-Status") != "clientcache; fwd=bypass" {
		t.Fatalf("a disabled session: from cache %v, Cache-Status %q", r.status.FromCache, r.Header.Get("Cache-Status"))
	}
}

func TestCookiesRestoredFromCache(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/"})
		fmt.Fprint(w, "x")
	})
	b := newMapBackend()
	get(t, newSession(t, b, nil).Client, o.URL+"/login")
	fresh := newSession(t, b, nil)
	if r := get(t, fresh.Client, o.URL+"/login"); !r.status.FromCache {
		t.Fatal("not a hit")
	}
	u, _ := url.Parse(o.URL)
	if cs := fresh.Jar.Cookies(u); len(cs) != 1 || cs[0].Value != "abc" {
		t.Fatalf("jar after a hit holds %v, want the stored session cookie", cs)
	}
	if o.count() != 1 {
		t.Fatalf("origin saw %d requests", o.count())
	}
}

func TestRedirectAliases(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/middle", http.StatusMovedPermanently)
		case "/middle":
			http.Redirect(w, r, "/new", http.StatusFound)
		default:
			fmt.Fprint(w, "new place")
		}
	})
	s := newSession(t, nil, nil)
	get(t, s.Client, o.URL+"/old")
	before := o.count()
	r := get(t, s.Client, o.URL+"/old")
	if !r.status.FromCache || r.body != "new place" || o.count() != before {
		t.Fatalf("second /old: from cache %v, %q, origin requests %d -> %d", r.status.FromCache, r.body, before, o.count())
	}
	if ok, _ := s.Cache.ContainsURL(t.Context(), o.URL+"/old"); !ok {
		t.Error("ContainsURL(/old) = false for an alias")
	}
	if r, err := s.Cache.ResponseForURL(t.Context(), o.URL+"/middle"); err != nil || string(r.Body) != "new place" {
		t.Errorf("the intermediate hop is no alias of the final response: %v", err)
	}
	if err := s.Cache.DeleteURLs(t.Context(), o.URL+"/new"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Cache.ContainsURL(t.Context(), o.URL+"/old"); ok {
		t.Error("deleting the target left its alias")
	}
}

func TestCorruptEntryIsAMissAndDeleted(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "fresh") })
	b := newMapBackend()
	s := newSession(t, b, nil)
	key, _ := s.Cache.KeyFor(context.Background(), o.URL)
	b.Responses.Write(t.Context(), key, []byte("not an entry at all"))
	r := get(t, s.Client, o.URL)
	if r.status.FromCache || r.body != "fresh" {
		t.Fatalf("corrupt entry: from cache %v, %q", r.status.FromCache, r.body)
	}
	if r := get(t, s.Client, o.URL); !r.status.FromCache {
		t.Fatal("the corrupt entry was not replaced")
	}
}

// failingStore is a store whose server is gone: every call fails.
type failingStore struct{ storage.Storage }

var errDown = fmt.Errorf("connection refused")

func (failingStore) Read(context.Context, string) ([]byte, error)   { return nil, errDown }
func (failingStore) Write(context.Context, string, []byte) error    { return errDown }
func (failingStore) Contains(context.Context, string) (bool, error) { return false, errDown }
func (failingStore) Delete(context.Context, string) error           { return errDown }

func TestStoreOutageFallsBackToTheNetwork(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "from origin") })
	b := &storage.Backend{Responses: failingStore{newMapStore()}, Redirects: failingStore{newMapStore()}}
	var logs bytes.Buffer
	s := newSession(t, b, &clientcache.Options{Logger: slogTo(&logs)})
	for range 2 {
		if r := get(t, s.Client, o.URL+"/old"); r.body != "from origin" {
			t.Fatalf("body %q", r.body)
		}
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Fatalf("the outage was not logged: %q", logs.String())
	}
}

func TestSessionsShareAStore(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	b := newMapBackend()
	a, err := clientcache.NewSession(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := newSession(t, b, nil)
	get(t, a.Client, o.URL)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if r := get(t, other.Client, o.URL); !r.status.FromCache {
		t.Fatal("closing one session broke the store for another")
	}
	closer, _ := clientcache.NewSession(b, &clientcache.Options{AutoClose: true})
	closer.Close()
	if _, err := b.Responses.Size(t.Context()); err == nil {
		t.Fatal("AutoClose did not close the store")
	}
}

func TestInvalidOptions(t *testing.T) {
	bad := []clientcache.Options{
		{ExpireAfter: -time.Hour},
		{AllowedCodes: []int{20}},
		{AllowedMethods: []string{"GE T"}},
		{MatchHeaders: []string{"Accept", "*"}},
		{URLPatterns: []clientcache.URLPattern{{Pattern: " "}}},
		{MaxBodySize: -1},
		{StaleIfError: -time.Second},
	}
	for _, o := range bad {
		if _, err := clientcache.NewSession(newMapBackend(), &o); err == nil || !strings.Contains(err.Error(), "invalid options") {
			t.Errorf("NewSession(%+v) err = %v, want an invalid-options error", o, err)
		}
	}
	if _, err := clientcache.NewTransport(&storage.Backend{}, nil); err == nil {
		t.Error("NewTransport accepted a backend without storages")
	}
}
