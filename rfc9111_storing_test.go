package clientcache_test

// RFC 9111 §3: storing responses. §3 the conditions, §3.1 the header fields
// stored, §3.3 and §3.4 partial content, §3.5 Authorization.

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// §3: a response is stored when the method is cacheable, the status final
// and something makes it reusable (explicit freshness, public/private, a
// heuristically cacheable code); otherwise it is not. A response that is
// stale on arrival is kept only when it can be revalidated.
func TestRFC9111_3_StoringConditions(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/max-age", http.StatusOK, "Cache-Control: max-age=60")
		h.static("/nothing", http.StatusOK)
		h.static("/etag-only", http.StatusOK, `ETag: "e"`)
		h.static("/302-max-age", http.StatusFound, "Cache-Control: max-age=60", "Location: /elsewhere")
		h.static("/500-max-age", http.StatusInternalServerError, "Cache-Control: max-age=60")
		for _, p := range []string{"/max-age", "/nothing", "/etag-only", "/302-max-age", "/500-max-age"} {
			h.get(p)
		}
		for p, want := range map[string]bool{"/max-age": true, "/nothing": false, "/etag-only": true, "/302-max-age": true, "/500-max-age": true} {
			if got := h.stored(p); got != want {
				t.Errorf("%s: stored %v, want %v", p, got, want)
			}
		}
		h.advance(time.Second)
		h.expect(h.get("/max-age"), http.StatusOK, "v1")
		h.expect(h.get("/nothing"), http.StatusOK, "v2")
		h.expect(h.get("/302-max-age"), http.StatusFound, "v1")
		h.expect(h.get("/500-max-age"), http.StatusInternalServerError, "v1")
		h.get("/etag-only") // stored stale: revalidated
		if got := h.origin.last("/etag-only").Header.Get("If-None-Match"); got != `"e"` {
			t.Errorf("/etag-only: If-None-Match %q, want \"e\"", got)
		}
	})
}

// §3, RFC 9110 §9.3.3: this cache stores responses to GET and HEAD only. A
// POST response is never stored, even with explicit freshness and a
// Content-Location (a deliberate choice: RFC 9111 allows it in narrow cases
// that clients rarely meet), and it does not answer a later GET.
func TestRFC9111_3_OnlyGETAndHEADStored(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, r.Method+strconv.Itoa(n), "Cache-Control: max-age=60", "Content-Location: /r")
		})
		h.expect(h.do(http.MethodPost, "/r", "x"), http.StatusOK, "POST1")
		h.expect(h.do(http.MethodPost, "/r", "x"), http.StatusOK, "POST2")
		h.expect(h.get("/r"), http.StatusOK, "GET3")
		h.expect(h.get("/r"), http.StatusOK, "GET3")
		h.do(http.MethodHead, "/r", "")
		h.do(http.MethodHead, "/r", "")
		h.expectHits("/r", 4)
	})
}

// §3.1: the Connection header field, the fields it names, and the other
// hop-by-hop fields are not stored.
func TestRFC9111_3_1_HopByHopFieldsNotStored(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60", "Connection: X-Conn-Only", "X-Conn-Only: 1",
			"Keep-Alive: timeout=5", "Proxy-Authenticate: Basic", "X-Kept: 1")
		h.get("/r")
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		stored := h.storedHeader("/r")
		for _, name := range []string{"Connection", "X-Conn-Only", "Keep-Alive", "Proxy-Authenticate"} {
			if v := r.header.Get(name); v != "" {
				t.Errorf("a response from the store has %s: %q", name, v)
			}
			if v := stored.Get(name); v != "" {
				t.Errorf("the store holds %s: %q", name, v)
			}
		}
		if r.header.Get("X-Kept") != "1" {
			t.Errorf("X-Kept lost: %v", r.header)
		}
	})
}

// §3.3, §3.4: a partial response (206, or any response with Content-Range)
// is never stored as, nor served for, a full one. A range request goes to
// the origin; a full request after it is not answered with the part.
func TestRFC9111_3_3_PartialContentNeverServedAsFull(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		full := []byte("0123456789")
		h.route("/ranged", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("ETag", `"r"`)
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(full))
		})
		h.static("/206-unasked", http.StatusPartialContent, "Cache-Control: max-age=60", "Content-Range: bytes 0-1/10")
		h.static("/200-content-range", http.StatusOK, "Cache-Control: max-age=60", "Content-Range: bytes 0-1/10")

		part := h.get("/ranged", "Range: bytes=2-4")
		h.expect(part, http.StatusPartialContent, "234")
		if h.stored("/ranged") {
			t.Error("a 206 was stored")
		}
		h.expect(h.get("/ranged"), http.StatusOK, string(full))
		h.expectHits("/ranged", 2)
		// A full response is stored; a range request is not answered with it.
		h.expect(h.get("/ranged"), http.StatusOK, string(full))
		h.expectHits("/ranged", 2)
		h.expect(h.get("/ranged", "Range: bytes=0-0"), http.StatusPartialContent, "0")
		h.expect(h.get("/ranged"), http.StatusOK, string(full))
		h.expectHits("/ranged", 3)

		for _, p := range []string{"/206-unasked", "/200-content-range"} {
			h.get(p)
			h.get(p)
			h.expectHits(p, 2)
		}
	})
}

// §3.5: a shared cache stores a response to a request with Authorization
// only when the response allows it (public, s-maxage, must-revalidate); a
// private cache stores it as any other.
func TestRFC9111_3_5_AuthorizationInASharedCache(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for _, cc := range []string{"max-age=60", "public, max-age=60", "s-maxage=60", "must-revalidate, max-age=60"} {
			p := "/" + strings.NewReplacer(", ", "+", "=", "").Replace(cc)
			h.static(p, http.StatusOK, "Cache-Control: "+cc)
			h.get(p, "Authorization: Bearer alice")
			h.advance(time.Second)
			r := h.get(p, "Authorization: Bearer alice")
			allowed := h.shared && cc != "max-age=60" ||
				!h.shared && cc != "s-maxage=60" // a private cache ignores s-maxage: no freshness

			if want := map[bool]string{true: "v1", false: "v2"}[allowed]; r.body != want {
				t.Errorf("%s: got %q (Cache-Status %q), want %q", cc, r.body, r.cacheStatus(), want)
			}
		}
		// Without Authorization the same response is stored in both.
		h.static("/anonymous", http.StatusOK, "Cache-Control: max-age=60")
		h.get("/anonymous")
		h.expect(h.get("/anonymous"), http.StatusOK, "v1")
		// Credentials in the URL count as Authorization.
		if !h.proxy {
			u := strings.Replace(h.originURL("/userinfo"), "://", "://alice:pw@", 1)
			h.static("/userinfo", http.StatusOK, "Cache-Control: max-age=60")
			h.send(h.client, http.MethodGet, u, "")
			r := h.send(h.client, http.MethodGet, u, "")
			if want := map[bool]string{true: "v2", false: "v1"}[h.shared]; r.body != want {
				t.Errorf("credentials in the URL: got %q, want %q", r.body, want)
			}
		}
	})
}
