// Package trusttest checks, on a real store, the promises of
// docs/SECURITY.md that a store takes part in: a damaged, cut short or
// foreign value is a miss and is removed; a response that varies on Cookie or
// Authorization is served to its own user only; requests with different
// credentials, or none, never share a response; and no credential is kept in
// clear anywhere in the store.
//
// Every store's tests call Run with a function that opens a new, empty
// backend of that store.
package trusttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// Options tune Run for one store.
type Options struct {
	// RawBytes, when set, returns every byte the store keeps outside the
	// Storage interface's view (a database file and its journal, the files
	// of a directory), which must not hold a credential either.
	RawBytes func(t *testing.T) []byte
}

// Run runs the checks, each on a new backend from open. The backend is
// closed at the end of each check.
func Run(t *testing.T, open func(t *testing.T) *storage.Backend, opts *Options) {
	if opts == nil {
		opts = &Options{}
	}
	t.Run("DamagedValuesAreMissesAndRemoved", func(t *testing.T) { testDamage(t, open) })
	t.Run("VaryOnCredentialsSelectsPerUser", func(t *testing.T) { testVary(t, open) })
	t.Run("CredentialsNeverShareAResponse", func(t *testing.T) { testCredentials(t, open) })
	t.Run("NoCredentialInTheStore", func(t *testing.T) { testNothingInClear(t, open, opts) })
}

// origin is a loopback server that counts requests and answers with a body
// naming the request, through reply.
type origin struct {
	*httptest.Server
	hits atomic.Int64
}

func newOrigin(t *testing.T, reply func(w http.ResponseWriter, r *http.Request, n int64)) *origin {
	o := &origin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply(w, r, o.hits.Add(1))
	}))
	t.Cleanup(o.Close)
	return o
}

func newSession(t *testing.T, b *storage.Backend, opts *clientcache.Options) *clientcache.Session {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := clientcache.NewSession(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		b.Close()
	})
	return s
}

// testLogger sends the cache's log to the test's output, shown when it
// fails: the damage checks make it warn on purpose.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

type result struct {
	code   int
	body   string
	status clientcache.Status
}

func do(t *testing.T, s *clientcache.Session, method, rawURL string, h http.Header, ro *clientcache.RequestOptions) result {
	t.Helper()
	ctx := context.Background()
	if ro != nil {
		ctx = clientcache.WithRequest(ctx, *ro)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, vs := range h {
		req.Header[name] = vs
	}
	resp, err := s.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", rawURL, err)
	}
	return result{resp.StatusCode, string(body), clientcache.StatusOf(resp)}
}

func testDamage(t *testing.T, open func(t *testing.T) *storage.Backend) {
	body := strings.Repeat("the origin's own bytes, ", 200) // 4.8 KB
	damages := []struct {
		name string
		do   func(v []byte) []byte
	}{
		{"cut by one byte", func(v []byte) []byte { return v[:len(v)-1] }},
		{"cut in half", func(v []byte) []byte { return v[:len(v)/2] }},
		{"cut before the body ends", func(v []byte) []byte { return v[:len(v)-200] }},
		{"64 bytes flipped in the body", func(v []byte) []byte {
			v = bytes.Clone(v)
			for i := len(v) - 1000; i < len(v)-1000+64; i++ {
				v[i] ^= 0x5a
			}
			return v
		}},
		{"one bit flipped in the header", func(v []byte) []byte {
			v = bytes.Clone(v)
			v[20] ^= 1
			return v
		}},
		{"foreign bytes", func([]byte) []byte { return []byte("not a cache entry at all") }},
		{"empty", func([]byte) []byte { return []byte{} }},
		{"variants claiming none", func([]byte) []byte { return []byte("\xCCcV\x02\x00") }},
		{"an entry of the first format", func([]byte) []byte {
			return []byte("\xCCcE\x01\x05\x00\x00\x00\xc8\x01\x00\x00\x00body")
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				io.WriteString(w, body)
			})
			b := open(t)
			s := newSession(t, b, &clientcache.Options{ExpireAfter: time.Hour})
			u := o.URL + "/damaged"
			first := do(t, s, http.MethodGet, u, nil, nil)
			if !first.status.Stored {
				t.Fatalf("first response not stored: %+v", first.status)
			}
			ctx := context.Background()
			raw, err := b.Responses.Read(ctx, first.status.Key)
			if err != nil {
				t.Fatalf("reading the stored value: %v", err)
			}
			if err := b.Responses.Write(ctx, first.status.Key, d.do(raw)); err != nil {
				t.Fatalf("writing the damaged value: %v", err)
			}
			// Without the network, a damaged value must not answer.
			only := do(t, s, http.MethodGet, u, nil, &clientcache.RequestOptions{OnlyIfCached: true})
			if only.code != http.StatusGatewayTimeout || only.status.FromCache {
				t.Fatalf("only-if-cached after damage: %d from cache %v, body %.40q; want a 504 miss", only.code, only.status.FromCache, only.body)
			}
			if ok, err := b.Responses.Contains(ctx, first.status.Key); err != nil || ok {
				t.Fatalf("the damaged value is still stored (contains %v, err %v)", ok, err)
			}
			again := do(t, s, http.MethodGet, u, nil, nil)
			if again.status.FromCache || again.body != body || o.hits.Load() != 2 {
				t.Fatalf("after damage: from cache %v, %d origin requests, body intact %v; want the origin's bytes", again.status.FromCache, o.hits.Load(), again.body == body)
			}
			if third := do(t, s, http.MethodGet, u, nil, nil); !third.status.FromCache || third.body != body {
				t.Fatalf("the response stored again is not served: %+v", third.status)
			}
		})
	}
}

func testVary(t *testing.T, open func(t *testing.T) *storage.Backend) {
	for _, field := range []string{"Cookie", "Authorization"} {
		for _, mode := range []struct {
			name string
			opts clientcache.Options
		}{
			// Credentials are in the key by default; shared across
			// credentials, only Vary tells users apart.
			{"default", clientcache.Options{ExpireAfter: time.Hour}},
			{"shared credentials", clientcache.Options{ExpireAfter: time.Hour, ShareAcrossCredentials: true}},
			{"RFC 9111", clientcache.Options{CacheControl: true, ShareAcrossCredentials: true}},
		} {
			t.Run(field+"/"+mode.name, func(t *testing.T) {
				o := newOrigin(t, func(w http.ResponseWriter, r *http.Request, n int64) {
					w.Header().Set("Vary", field)
					w.Header().Set("Cache-Control", "max-age=600")
					fmt.Fprintf(w, "for %q (#%d)", r.Header.Get(field), n)
				})
				b := open(t)
				opts := mode.opts
				s := newSession(t, b, &opts)
				u := o.URL + "/vary"
				as := func(v string) http.Header {
					if v == "" {
						return nil
					}
					return http.Header{field: {v}}
				}
				a1 := do(t, s, http.MethodGet, u, as("user=alice"), nil)
				a2 := do(t, s, http.MethodGet, u, as("user=alice"), nil)
				if a1.status.FromCache || !a2.status.FromCache || a2.body != a1.body {
					t.Fatalf("the same user: first from cache %v, repeat from cache %v (%q, %q); want a miss then a hit", a1.status.FromCache, a2.status.FromCache, a1.body, a2.body)
				}
				b1 := do(t, s, http.MethodGet, u, as("user=bob"), nil)
				b2 := do(t, s, http.MethodGet, u, as("user=bob"), nil)
				if b1.status.FromCache || b1.body == a1.body || !b2.status.FromCache || b2.body != b1.body {
					t.Fatalf("another user: %q (from cache %v), repeat %q (from cache %v)", b1.body, b1.status.FromCache, b2.body, b2.status.FromCache)
				}
				// What the store keeps for the selecting value, and the
				// placeholder older versions kept, select nobody's response.
				forged := []string{"REDACTED", ""}
				for r, err := range s.Cache.Responses(context.Background()) {
					if err != nil {
						t.Fatal(err)
					}
					forged = append(forged, r.RequestHeader.Values(field)...)
				}
				for _, v := range forged {
					r := do(t, s, http.MethodGet, u, as(v), &clientcache.RequestOptions{OnlyIfCached: true})
					if r.status.FromCache || r.code != http.StatusGatewayTimeout {
						t.Errorf("%s: %q (the stored form of a value) was served %q", field, v, r.body)
					}
				}
				if a3 := do(t, s, http.MethodGet, u, as("user=alice"), nil); !a3.status.FromCache || a3.body != a1.body {
					t.Errorf("the first user no longer hits: %q from cache %v", a3.body, a3.status.FromCache)
				}
			})
		}
	}
}

// credentialed lists requests that each carry credentials of their own, or
// none, for one path.
func credentialed(base string) []struct {
	name   string
	url    string
	header http.Header
} {
	u, _ := url.Parse(base)
	withUser := *u
	withUser.User = url.UserPassword("u", "pw-1")
	return []struct {
		name   string
		url    string
		header http.Header
	}{
		{"none", base, nil},
		{"bearer A", base, http.Header{"Authorization": {"Bearer A"}}},
		{"bearer B", base, http.Header{"Authorization": {"Bearer B"}}},
		{"cookie", base, http.Header{"Cookie": {"session=1"}}},
		{"other cookie", base, http.Header{"Cookie": {"session=2"}}},
		{"proxy credentials", base, http.Header{"Proxy-Authorization": {"Basic eDp5"}}},
		{"API key header", base, http.Header{"X-Api-Key": {"k1"}}},
		{"API key parameter", base + "?api_key=k1", nil},
		{"other API key parameter", base + "?api_key=k2", nil},
		{"signed URL", base + "?X-Amz-Signature=abc&X-Amz-Credential=c", nil},
		{"user information", withUser.String(), nil},
	}
}

func testCredentials(t *testing.T, open func(t *testing.T) *storage.Backend) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		fmt.Fprintf(w, "response #%d", n)
	})
	b := open(t)
	s := newSession(t, b, &clientcache.Options{ExpireAfter: time.Hour})
	cases := credentialed(o.URL + "/private")
	first := map[string]string{}
	for _, c := range cases {
		r := do(t, s, http.MethodGet, c.url, c.header, nil)
		if r.status.FromCache {
			t.Errorf("%s: served %q from the cache, fetched with other credentials", c.name, r.body)
		}
		first[c.name] = r.body
	}
	for _, c := range cases {
		r := do(t, s, http.MethodGet, c.url, c.header, nil)
		if !r.status.FromCache || r.body != first[c.name] {
			t.Errorf("%s: repeat is %q (from cache %v), want its own %q from the cache", c.name, r.body, r.status.FromCache, first[c.name])
		}
	}
}

// secrets are credentials sent in testNothingInClear: none may be found in
// the store's bytes.
var secrets = []string{
	"S3cr3tBearerToken", "S3cr3tProxyPass", "S3cr3tCookieValue", "S3cr3tApiKeyHeader",
	"S3cr3tAmzSignature", "S3cr3tAmzCredential", "S3cr3tAmzToken", "S3cr3tJwt",
	"S3cr3tClientSecret", "S3cr3tPassword", "S3cr3tPrivateToken", "S3cr3tSessionId",
	"S3cr3tAccessToken", "S3cr3tUserInfo",
}

func testNothingInClear(t *testing.T, open func(t *testing.T) *storage.Backend, opts *Options) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/landing", http.StatusFound)
			return
		}
		w.Header().Set("Vary", "Authorization, Cookie, X-Api-Key, Proxy-Authorization")
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprintf(w, "response #%d", n) // the body never echoes the request
	})
	b := open(t)
	for _, opt := range []clientcache.Options{
		{ExpireAfter: time.Hour},
		{ExpireAfter: time.Hour, MatchHeaders: []string{"*"}},
		{CacheControl: true, ShareAcrossCredentials: true},
	} {
		opt.Logger = testLogger(t)
		s, err := clientcache.NewSession(b, &opt)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(o.URL)
		u.User = url.UserPassword("user", "S3cr3tUserInfo")
		query := "?X-Amz-Signature=S3cr3tAmzSignature&X-Amz-Credential=S3cr3tAmzCredential&X-Amz-Security-Token=S3cr3tAmzToken" +
			"&jwt=S3cr3tJwt&client_secret=S3cr3tClientSecret&password=S3cr3tPassword&private_token=S3cr3tPrivateToken" +
			"&session_id=S3cr3tSessionId&access_token=S3cr3tAccessToken&page=2"
		h := http.Header{
			"Authorization":       {"Bearer S3cr3tBearerToken"},
			"Proxy-Authorization": {"Basic S3cr3tProxyPass"},
			"Cookie":              {"id=S3cr3tCookieValue"},
			"X-Api-Key":           {"S3cr3tApiKeyHeader"},
		}
		for _, target := range []string{u.String() + "/data" + query, o.URL + "/moved" + query} {
			for range 2 {
				if r := do(t, s, http.MethodGet, target, h, nil); r.code != http.StatusOK {
					t.Fatalf("GET %s: %d", target, r.code)
				}
			}
		}
		s.Close()
	}
	if n, err := b.Responses.Size(context.Background()); err != nil || n == 0 {
		t.Fatalf("nothing was stored (size %d, err %v): the check would prove nothing", n, err)
	}
	var all bytes.Buffer
	for _, ns := range []storage.Storage{b.Responses, b.Redirects} {
		for k, err := range ns.Keys(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			all.WriteString(k)
		}
		for v, err := range ns.Values(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			all.Write(v)
		}
	}
	if opts.RawBytes != nil {
		all.Write(opts.RawBytes(t))
	}
	for _, secret := range secrets {
		if i := bytes.Index(all.Bytes(), []byte(secret)); i >= 0 {
			t.Errorf("the store holds %s in clear: ...%q...", secret, all.Bytes()[max(0, i-100):min(all.Len(), i+40)])
		}
	}
	b.Close()
}
