package clientcache_test

// Policy over the server's word: URLPattern.OverrideCacheControl. For URLs
// matching the pattern, the pattern's expiry wins over what the server says
// (no-store, no-cache, private, max-age, Expires); everything else, other
// URLs included, stays RFC 9111 correct.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// overridePattern makes the origin's /api/ URLs fresh for a minute whatever
// the server says.
func overridePattern(h *harness, o *clientcache.Options) {
	host := strings.TrimPrefix(h.origin.URL, "http://")
	o.URLPatterns = []clientcache.URLPattern{
		{Pattern: host + "/api/", ExpireAfter: time.Minute, OverrideCacheControl: true},
		{Pattern: host + "/default/", ExpireAfter: time.Minute},
	}
}

func TestOverrideCacheControl_PatternWins(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		cases := map[string][]string{
			"no-store":  {"Cache-Control: no-store"},
			"no-cache":  {"Cache-Control: no-cache"},
			"max-age=0": {"Cache-Control: max-age=0"},
			"private":   {"Cache-Control: private, max-age=600"},
			"expired":   {"Expires: 0"},
			"long":      {"Cache-Control: max-age=86400"},
			"pragma":    {"Pragma: no-cache", "Cache-Control: no-cache, no-store, must-revalidate"},
		}
		for name, header := range cases {
			for _, prefix := range []string{"/api/", "/other/"} {
				h.static(prefix+name, http.StatusOK, header...)
				h.get(prefix + name)
			}
		}
		h.advance(59 * time.Second)
		for name := range cases {
			// Under the pattern: fresh for a minute, whatever the server said.
			h.expect(h.get("/api/"+name), http.StatusOK, "v1")
			// Elsewhere: RFC 9111.
			want := "v2"
			if name == "long" || name == "private" && !h.shared {
				want = "v1"
			}
			if r := h.get("/other/" + name); r.body != want {
				t.Errorf("/other/%s (no pattern): got %q, want %q", name, r.body, want)
			}
		}
		h.advance(time.Second)
		for name := range cases {
			// The pattern's minute is over, even for max-age=86400.
			h.expect(h.get("/api/"+name), http.StatusOK, "v2")
		}
	}, rfcWith(overridePattern))
}

// Without OverrideCacheControl a pattern's expiry applies only to responses
// that carry no freshness information of their own.
func TestOverrideCacheControl_PlainPatternDefersToTheServer(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/default/silent", http.StatusOK)
		h.static("/default/no-store", http.StatusOK, "Cache-Control: no-store")
		h.static("/default/max-age=0", http.StatusOK, "Cache-Control: max-age=0")
		h.static("/default/max-age=600", http.StatusOK, "Cache-Control: max-age=600")
		for _, p := range []string{"/default/silent", "/default/no-store", "/default/max-age=0", "/default/max-age=600"} {
			h.get(p)
		}
		h.advance(59 * time.Second)
		h.expect(h.get("/default/silent"), http.StatusOK, "v1")
		h.expect(h.get("/default/no-store"), http.StatusOK, "v2")
		h.expect(h.get("/default/max-age=0"), http.StatusOK, "v2")
		h.advance(time.Minute)
		h.expect(h.get("/default/silent"), http.StatusOK, "v2")
		h.expect(h.get("/default/max-age=600"), http.StatusOK, "v1")
	}, rfcWith(overridePattern))
}

// Under an overriding pattern the rest stays RFC 9111: the client's own
// directives, validation with the stored validators, invalidation by unsafe
// methods, Vary.
func TestOverrideCacheControl_RestStaysCorrect(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etagOrigin(h, "/api/etag", "Cache-Control: no-cache")
		h.get("/api/etag")
		h.expect(h.get("/api/etag"), http.StatusOK, "v1")
		h.expectHits("/api/etag", 1)
		// A request no-cache validates.
		h.expect(h.get("/api/etag", "Cache-Control: no-cache"), http.StatusOK, "v1")
		h.expectHits("/api/etag", 2)
		if got := h.origin.last("/api/etag").Header.Get("If-None-Match"); got != `"1"` {
			t.Errorf("If-None-Match %q, want \"1\"", got)
		}
		// Stale after the pattern's minute: validated, and fresh again.
		h.advance(2 * time.Minute)
		h.expect(h.get("/api/etag"), http.StatusOK, "v1")
		h.expectHits("/api/etag", 3)
		h.expect(h.get("/api/etag"), http.StatusOK, "v1")
		h.expectHits("/api/etag", 3)
		// An unsafe method invalidates.
		h.do(http.MethodPost, "/api/etag", "x") // the origin's second full response
		h.expect(h.get("/api/etag"), http.StatusOK, "v3")
		h.expectHits("/api/etag", 5)
		// Vary still selects.
		h.route("/api/vary", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, r.Header.Get("Accept"), "Vary: Accept", "Cache-Control: no-store")
		})
		h.get("/api/vary", "Accept: a")
		h.expect(h.get("/api/vary", "Accept: b"), http.StatusOK, "b")
		h.expect(h.get("/api/vary", "Accept: a"), http.StatusOK, "a")
		h.expectHits("/api/vary", 2)
	}, rfcWith(overridePattern))
}
