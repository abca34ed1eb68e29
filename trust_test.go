package clientcache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/internal/trusttest"
	"github.com/clientcache/clientcache/storage"
)

// The trust checks on the map store of the tests, which implements only the
// nine methods of storage.Storage (the fallbacks of every optional path).
func TestTrustOnPlainStorage(t *testing.T) {
	trusttest.Run(t, func(t *testing.T) *storage.Backend { return newMapBackend() }, nil)
}

// Repeated parameters of one name are kept in order: an origin may read
// ?id=2&id=1 differently from ?id=1&id=2.
func TestKeyKeepsTheOrderOfRepeatedParameters(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.RawQuery) })
	s := newSession(t, nil, nil)
	get(t, s.Client, o.URL+"/?id=1&id=2")
	if r := get(t, s.Client, o.URL+"/?id=2&id=1"); r.status.FromCache || r.body != "id=2&id=1" {
		t.Fatalf("?id=2&id=1 was served %q (from cache %v)", r.body, r.status.FromCache)
	}
	if r := get(t, s.Client, o.URL+"/?id=1&id=2"); !r.status.FromCache {
		t.Fatal("the same query in the same order is not a hit")
	}
}

// fullStore is a map store whose writes fail.
type fullStore struct{ storage.Storage }

func (fullStore) Write(context.Context, string, []byte) error {
	return errors.New("disk full")
}

// StatusOf tells what became of storing a response once its body is read,
// and the Cache-Status header, sent before, never claims it.
func TestStatusSaysWhatWasStored(t *testing.T) {
	body := strings.Repeat("b", 10_000)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cut":
			w.Header().Set("Content-Length", "20000")
			io.WriteString(w, body) // half of what was announced
		case "/chunked-big":
			w.(http.Flusher).Flush()
			io.WriteString(w, body)
		case "/abandoned":
			// Half now; the rest never comes while the client listens.
			io.WriteString(w, body)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			io.WriteString(w, body)
		}
	})
	read := func(s *clientcache.Session, path string, n int) clientcache.Status {
		t.Helper()
		resp, err := s.Get(o.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(resp.Header.Get("Cache-Status"), "stored") {
			t.Errorf("%s: Cache-Status %q claims a body not yet read was stored", path, resp.Header.Get("Cache-Status"))
		}
		if before := clientcache.StatusOf(resp); before.Stored {
			t.Errorf("%s: before the body is read, status = %+v", path, before)
		}
		if n < 0 {
			io.Copy(io.Discard, resp.Body)
		} else {
			io.CopyN(io.Discard, resp.Body, int64(n))
		}
		resp.Body.Close()
		return clientcache.StatusOf(resp)
	}
	plain := newSession(t, nil, nil)
	if st := read(plain, "/whole", -1); !st.Stored || st.NotStored != "" {
		t.Errorf("whole body: %+v, want stored", st)
	}
	if st := read(plain, "/abandoned", 100); st.Stored || st.NotStored != clientcache.NotStoredAbandoned {
		t.Errorf("body closed early: %+v, want not stored, abandoned", st)
	}
	if st := read(plain, "/cut", -1); st.Stored || st.NotStored != clientcache.NotStoredIncomplete {
		t.Errorf("body cut by the origin: %+v, want not stored, incomplete", st)
	}
	small := newSession(t, nil, &clientcache.Options{MaxBodySize: 1000})
	if st := read(small, "/big", -1); st.Stored || st.NotStored != clientcache.NotStoredTooLarge {
		t.Errorf("announced body over the limit: %+v, want not stored, too-large", st)
	}
	if st := read(small, "/chunked-big", -1); st.Stored || st.NotStored != clientcache.NotStoredTooLarge {
		t.Errorf("streamed body over the limit: %+v, want not stored, too-large", st)
	}
	m := newMapBackend()
	broken := newSession(t, &storage.Backend{Responses: fullStore{m.Responses}, Redirects: m.Redirects}, &clientcache.Options{Logger: slogTo(io.Discard)})
	if st := read(broken, "/whole", -1); st.Stored || st.NotStored != clientcache.NotStoredStoreError {
		t.Errorf("store failing: %+v, want not stored, store-error", st)
	}
	readOnly := newSession(t, nil, &clientcache.Options{ReadOnly: true})
	if st := read(readOnly, "/whole", -1); st.Stored || st.NotStored != clientcache.NotStoredReadOnly {
		t.Errorf("read-only: %+v, want not stored, read-only", st)
	}
}

// A shared cache neither stores a response that sets a cookie nor, when
// allowed to store it, hands the cookie to anyone but its recipient.
func TestSharedCacheAndSetCookie(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=600")
		w.Header().Set("Set-Cookie", "session=for-the-first-client")
		fmt.Fprint(w, "page")
	})
	shared := newSession(t, nil, &clientcache.Options{CacheControl: true, Shared: true})
	if first := get(t, shared.Client, o.URL+"/a"); first.Header.Get("Set-Cookie") == "" {
		t.Fatal("the first client lost its cookie")
	}
	if second := get(t, shared.Client, o.URL+"/a"); second.status.FromCache || o.count() != 2 {
		t.Fatalf("a shared cache stored a response that sets a cookie: %+v", second.status)
	}

	// Clients without a cookie jar: a jar would send the cookie back, and
	// the request, carrying credentials, would have a key of its own.
	allowed := &http.Client{Transport: newSession(t, nil, &clientcache.Options{CacheControl: true, Shared: true, AllowSetCookie: true}).Transport()}
	first := get(t, allowed, o.URL+"/b")
	if first.Header.Get("Set-Cookie") == "" {
		t.Fatal("the first client lost its cookie")
	}
	second := get(t, allowed, o.URL+"/b")
	if !second.status.FromCache {
		t.Fatal("with AllowSetCookie the response is not stored")
	}
	if c := second.Header.Get("Set-Cookie"); c != "" {
		t.Fatalf("a shared cache replayed Set-Cookie %q to another client", c)
	}
	private := &http.Client{Transport: newSession(t, nil, &clientcache.Options{CacheControl: true}).Transport()}
	get(t, private, o.URL+"/c")
	if r := get(t, private, o.URL+"/c"); !r.status.FromCache || r.Header.Get("Set-Cookie") == "" {
		t.Fatal("a private cache did not store a response that sets a cookie")
	}
}

func mustRequest(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// The key secret is kept in the store, where every process sharing it finds
// it; Options.KeySecret keeps it out.
func TestKeySecret(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "mine") })
	auth := func(s *clientcache.Session) result {
		req := mustRequest(t, o.URL+"/me")
		req.Header.Set("Authorization", "Bearer A")
		return do(t, s.Client, req)
	}
	b := newMemBackend(t)
	one := newSession(t, b, nil)
	auth(one)
	if n, _ := b.Redirects.Size(context.Background()); n != 1 {
		t.Fatalf("the store holds %d aliases, want the key secret only", n)
	}
	if n, err := one.Cache.Aliases(context.Background()); n != 0 || err != nil {
		t.Fatalf("Aliases = %d, %v; the key secret is not an alias", n, err)
	}
	// Another process on the same store derives the same key.
	two := newSession(t, b, nil)
	if r := auth(two); !r.status.FromCache {
		t.Fatal("a second session on the same store does not find the response")
	}
	// Clear keeps the secret for those that hold it.
	if err := one.Cache.Clear(context.Background()); err != nil {
		t.Fatal(err)
	}
	auth(one)
	three := newSession(t, b, nil)
	if r := auth(three); !r.status.FromCache {
		t.Fatal("after Clear, a new session does not find the response stored after it")
	}

	fixed := []byte("a secret of the operator's own!!")
	ext := newMemBackend(t)
	four := newSession(t, ext, &clientcache.Options{KeySecret: fixed})
	auth(four)
	if n, _ := ext.Redirects.Size(context.Background()); n != 0 {
		t.Fatal("with KeySecret the store holds a secret")
	}
	if r := auth(newSession(t, ext, &clientcache.Options{KeySecret: fixed})); !r.status.FromCache {
		t.Fatal("the same KeySecret does not find the response")
	}
	if r := auth(newSession(t, ext, &clientcache.Options{KeySecret: bytes.Repeat([]byte("x"), 32)})); r.status.FromCache {
		t.Fatal("another KeySecret found the response")
	}
	if _, err := clientcache.NewSession(ext, &clientcache.Options{KeySecret: []byte("short")}); !errors.Is(err, clientcache.ErrInvalidOptions) {
		t.Fatalf("a 5-byte KeySecret: err = %v, want ErrInvalidOptions", err)
	}
}

// readOnlyStorage refuses writes as a store opened read-only does.
type readOnlyStorage struct{ storage.Storage }

func (readOnlyStorage) Write(context.Context, string, []byte) error { return storage.ErrReadOnly }

// brokenWrites fails its writes as a sick server does.
type brokenWrites struct{ storage.Storage }

func (brokenWrites) Write(context.Context, string, []byte) error { return errors.New("i/o timeout") }

// When the secret cannot be had, requests with credentials bypass the cache;
// the others do not notice. A sick store is logged once per retry; a
// read-only one, which holds nothing stored under a secret, is no failure.
func TestNoKeySecretBypassesCredentials(t *testing.T) {
	for _, c := range []struct {
		name  string
		wrap  func(storage.Storage) storage.Storage
		warns int
	}{
		{"sick store", func(s storage.Storage) storage.Storage { return brokenWrites{s} }, 1},
		{"read-only store", func(s storage.Storage) storage.Storage { return readOnlyStorage{s} }, 0},
	} {
		t.Run(c.name, func(t *testing.T) { testNoKeySecret(t, c.wrap, c.warns) })
	}
}

func testNoKeySecret(t *testing.T, wrap func(storage.Storage) storage.Storage, warns int) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	m := newMapBackend()
	b := &storage.Backend{Responses: m.Responses, Redirects: wrap(m.Redirects)}
	var log bytes.Buffer
	s := newSession(t, b, &clientcache.Options{Logger: slogTo(&log)})
	for range 2 {
		req := mustRequest(t, o.URL+"/me")
		req.Header.Set("Cookie", "s=1")
		if r := do(t, s.Client, req); r.status.FromCache || r.Header.Get("Cache-Status") != "clientcache; fwd=bypass; detail=no-key-secret" {
			t.Fatalf("with credentials and no key secret: %q", r.Header.Get("Cache-Status"))
		}
	}
	if n := strings.Count(log.String(), "key secret"); n != warns {
		t.Errorf("the failure was logged %d times, want %d:\n%s", n, warns, log.String())
	}
	get(t, s.Client, o.URL+"/public")
	if r := get(t, s.Client, o.URL+"/public"); !r.status.FromCache {
		t.Fatal("a request without credentials is not cached")
	}
}

// The zero Transport works: default options, a memory store of its own.
func TestZeroTransport(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	var tr clientcache.Transport
	c := &http.Client{Transport: &tr}
	get(t, c, o.URL)
	if r := get(t, c, o.URL); !r.status.FromCache {
		t.Fatal("the zero Transport does not cache")
	}
	if n, err := tr.Cache().Size(context.Background()); n != 1 || err != nil {
		t.Fatalf("Size = %d, %v", n, err)
	}
	if err := tr.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := clientcache.NewReverseProxy(mustRequest(t, o.URL).URL, &clientcache.Transport{}, nil); err != nil {
		t.Fatalf("NewReverseProxy with a zero Transport: %v", err)
	}
}

// The proxy's access log is written when the response is done: it says
// whether the response was stored, and never holds a credential.
func TestProxyAccessLogTellsTheTruth(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		io.WriteString(w, strings.Repeat("x", 5000))
	})
	var log syncBuffer
	p := startProxy(t, o.URL, &clientcache.Options{CacheControl: true, MaxBodySize: 4000},
		&clientcache.ProxyOptions{AccessLog: slogTo(&log)})
	get(t, p.Client(), p.URL+"/big?X-Amz-Signature=S3cr3tSig&jwt=S3cr3tJwt&page=1")
	line := log.String()
	if !strings.Contains(line, "not_stored=too-large") || strings.Contains(line, "; stored") {
		t.Errorf("access log of a body over the limit: %s", line)
	}
	for _, secret := range []string{"S3cr3tSig", "S3cr3tJwt"} {
		if strings.Contains(line, secret) {
			t.Errorf("the access log holds %s: %s", secret, line)
		}
	}

	var log2 syncBuffer
	p2 := startProxy(t, o.URL, &clientcache.Options{CacheControl: true}, &clientcache.ProxyOptions{AccessLog: slogTo(&log2)})
	first := get(t, p2.Client(), p2.URL+"/small")
	if strings.Contains(first.Header.Get("Cache-Status"), "stored") {
		t.Errorf("the header sent before the body says %q", first.Header.Get("Cache-Status"))
	}
	if !strings.Contains(log2.String(), `cache="clientcache; fwd=uri-miss; stored"`) {
		t.Errorf("access log of a stored miss: %s", log2.String())
	}
}

// Session.Close stops a background revalidation stuck at the origin, and a
// closed Transport starts none.
func TestCloseStopsBackgroundRevalidations(t *testing.T) {
	stuck := make(chan struct{})
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" {
			<-r.Context().Done() // the revalidation hangs until cancelled
			close(stuck)
			return
		}
		w.Header().Set("Cache-Control", "max-age=1, stale-while-revalidate=600")
		w.Header().Set("ETag", `"1"`)
		fmt.Fprint(w, "v1")
	})
	clock := newClock()
	s, err := clientcache.NewSession(newMemBackend(t), &clientcache.Options{CacheControl: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	get(t, s.Client, o.URL)
	clock.Advance(time.Minute)
	if r := get(t, s.Client, o.URL); r.body != "v1" || !r.status.Expired {
		t.Fatalf("stale-while-revalidate: %q %+v", r.body, r.status)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	<-stuck // the origin saw the revalidation cancelled
	hits := o.count()
	if r := get(t, s.Client, o.URL); r.body != "v1" || o.count() != hits {
		t.Fatalf("after Close: %q, origin requests %d -> %d; want the stale response and no revalidation", r.body, hits, o.count())
	}
}

// A management call's error says the operation and key once, and unwraps to
// the store's own error.
func TestErrorsAreWrappedOnce(t *testing.T) {
	b := &storage.Backend{Responses: failingStore{newMapStore()}, Redirects: failingStore{newMapStore()}}
	s := newSession(t, b, &clientcache.Options{Logger: slogTo(io.Discard)})
	_, err := s.Cache.Response(context.Background(), "K")
	if err == nil || !errors.Is(err, errDown) {
		t.Fatalf("Response: err = %v, want one wrapping the store's", err)
	}
	if n := strings.Count(err.Error(), "clientcache:"); n != 1 || strings.Count(err.Error(), `"K"`) != 1 {
		t.Errorf("Response: %q says clientcache %d times", err, n)
	}
	m := newMapBackend()
	s2 := newSession(t, m, nil)
	if _, err := s2.Cache.Response(context.Background(), "absent"); !errors.Is(err, storage.ErrNotFound) || strings.Count(err.Error(), "clientcache:") != 1 {
		t.Errorf("Response of an absent key: %v", err)
	}
	m.Responses.Write(context.Background(), "bad", []byte("not an entry"))
	if _, err := s2.Cache.Response(context.Background(), "bad"); !errors.Is(err, storage.ErrNotFound) || strings.Count(err.Error(), "clientcache:") != 1 {
		t.Errorf("Response of a damaged value: %v", err)
	}
}

// hangingReads is a store whose reads never answer until their context ends.
type hangingReads struct{ storage.Storage }

func (hangingReads) Read(ctx context.Context, _ string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A store that hangs while the key secret is read holds no request with
// credentials: each stops waiting for it soon (within a second, or its own
// context), bypasses the cache and gets its answer from the origin, while
// the one read of the secret goes on alone.
func TestHangingStoreHoldsNoRequestForTheSecret(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	m := newMapBackend()
	s := newSession(t, &storage.Backend{Responses: m.Responses, Redirects: hangingReads{m.Redirects}}, &clientcache.Options{Logger: slogTo(io.Discard)})
	done := make(chan error, 3)
	for range 3 {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, o.URL+"/me", nil)
			req.Header.Set("Authorization", "Bearer A")
			resp, err := s.Do(req)
			if err == nil {
				resp.Body.Close()
				if got := resp.Header.Get("Cache-Status"); got != "clientcache; fwd=bypass; detail=no-key-secret" {
					err = fmt.Errorf("Cache-Status %q", got)
				}
			}
			done <- err
		}()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
