package clientcache_test

// RFC 9111 §5.2: Cache-Control directives. §5.2.1 request directives and
// §5.4 Pragma; §5.2.2 response directives and RFC 8246 immutable. s-maxage
// (§5.2.2.10) is with the freshness lifetime in rfc9111_freshness_test.go,
// stale-while-revalidate and stale-if-error in rfc5861_test.go.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// etagOrigin scripts path to answer with header and ETag "1", and a 304 to a
// request that has it; the body counts the full responses.
func etagOrigin(h *harness, path string, header ...string) {
	full := 0
	h.route(path, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("If-None-Match") == `"1"` {
			reply(w, http.StatusNotModified, "", append([]string{`ETag: "1"`}, header...)...)
			return
		}
		full++
		reply(w, http.StatusOK, "v"+strconv.Itoa(full), append([]string{`ETag: "1"`}, header...)...)
	})
}

// §5.2.1.1: a request max-age limits the age of the response the cache may
// send.
func TestRFC9111_5_2_1_1_RequestMaxAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=600")
		h.get("/r")
		h.advance(30 * time.Second)
		h.expect(h.get("/r", "Cache-Control: max-age=30"), http.StatusOK, "v1")
		h.expect(h.get("/r", "Cache-Control: max-age=29"), http.StatusOK, "v2")
		h.advance(time.Second)
		h.expect(h.get("/r", "Cache-Control: max-age=0"), http.StatusOK, "v3")
		h.expect(h.get("/r", "Cache-Control: max-age=0"), http.StatusOK, "v3") // age 0 <= 0
		h.expectHits("/r", 3)
	})
}

// §5.2.1.2: max-stale accepts a stale response, stale by at most its value,
// or by any amount without one.
func TestRFC9111_5_2_1_2_MaxStale(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60")
		h.get("/r")
		h.advance(80 * time.Second) // stale by 20
		for _, cc := range []string{"max-stale", "max-stale=20", "MAX-STALE=1000"} {
			r := h.get("/r", "Cache-Control: "+cc)
			h.expect(r, http.StatusOK, "v1")
			h.expectAge(r, 80)
		}
		h.expectHits("/r", 1)
		h.expect(h.get("/r", "Cache-Control: max-stale=19"), http.StatusOK, "v2")
	})
}

// §5.2.1.3: min-fresh asks for a response that stays fresh at least that
// long.
func TestRFC9111_5_2_1_3_MinFresh(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60")
		h.get("/r")
		h.advance(30 * time.Second) // fresh for 30 more
		h.expect(h.get("/r", "Cache-Control: min-fresh=30"), http.StatusOK, "v1")
		h.expect(h.get("/r", "Cache-Control: min-fresh=31"), http.StatusOK, "v2")
	})
}

// §5.2.1.4: a request no-cache makes the cache validate a fresh stored
// response before using it (conditionally when it has a validator).
func TestRFC9111_5_2_1_4_RequestNoCache(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etagOrigin(h, "/validator", "Cache-Control: max-age=600")
		h.static("/plain", http.StatusOK, "Cache-Control: max-age=600")
		h.get("/validator")
		h.get("/plain")
		for i, cc := range []string{"no-cache", "NO-CACHE", "max-age=60, no-cache"} {
			r := h.get("/validator", "Cache-Control: "+cc)
			h.expect(r, http.StatusOK, "v1")
			h.expectHits("/validator", 2+i)
			if got := h.origin.last("/validator").Header.Get("If-None-Match"); got != `"1"` {
				t.Errorf("%s: the origin saw If-None-Match %q, want \"1\"", cc, got)
			}
		}
		h.expect(h.get("/plain", "Cache-Control: no-cache"), http.StatusOK, "v2")
		h.expect(h.get("/plain"), http.StatusOK, "v2")
	})
}

// §5.4: Pragma: no-cache counts as Cache-Control: no-cache when the request
// has no Cache-Control; with one, Pragma is ignored.
func TestRFC9111_5_4_Pragma(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=600")
		h.get("/r")
		h.expect(h.get("/r", "Pragma: no-cache"), http.StatusOK, "v2")
		h.expect(h.get("/r", "Pragma: no-cache", "Cache-Control: max-stale=10"), http.StatusOK, "v2")
		h.expectHits("/r", 2)
	})
}

// §5.2.1.5: a response to a request with no-store is not stored. This cache
// goes further, deliberately: such a request bypasses the cache entirely, so
// a stored response is not used for it either (and is kept).
func TestRFC9111_5_2_1_5_RequestNoStore(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/new", http.StatusOK, "Cache-Control: max-age=600")
		h.expect(h.get("/new", "Cache-Control: no-store"), http.StatusOK, "v1")
		if h.stored("/new") {
			t.Error("a response to a no-store request was stored")
		}
		h.expect(h.get("/new"), http.StatusOK, "v2")
		h.expect(h.get("/new", "Cache-Control: No-Store"), http.StatusOK, "v3")
		h.expect(h.get("/new"), http.StatusOK, "v2")
	})
}

// §5.2.1.7: only-if-cached answers from the store or with 504, never
// contacting the origin.
func TestRFC9111_5_2_1_7_OnlyIfCached(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60")
		if r := h.get("/r", "Cache-Control: only-if-cached"); r.status != http.StatusGatewayTimeout {
			t.Errorf("nothing stored: status %d, want 504", r.status)
		}
		h.expectHits("/r", 0)
		h.get("/r")
		h.expect(h.get("/r", "Cache-Control: only-if-cached"), http.StatusOK, "v1")
		h.advance(61 * time.Second)
		if r := h.get("/r", "Cache-Control: only-if-cached"); r.status != http.StatusGatewayTimeout {
			t.Errorf("stale: status %d, want 504", r.status)
		}
		h.expect(h.get("/r", "Cache-Control: only-if-cached, max-stale=10"), http.StatusOK, "v1")
		h.expectHits("/r", 1)
	})
}

// §5.2.2.2: must-revalidate: once stale, the response is never used
// without validation, whatever the request accepts or the origin's failures.
func TestRFC9111_5_2_2_2_MustRevalidate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/plain", http.StatusOK, "Cache-Control: max-age=10")
		etagOrigin(h, "/must", "Cache-Control: max-age=10, must-revalidate, stale-if-error=600")
		h.get("/plain")
		h.get("/must")
		h.advance(20 * time.Second)
		h.expect(h.get("/plain", "Cache-Control: max-stale=100"), http.StatusOK, "v1")
		h.expect(h.get("/must", "Cache-Control: max-stale=100"), http.StatusOK, "v1")
		h.expectHits("/must", 2) // validated: 304
		if got := h.origin.last("/must").Header.Get("If-None-Match"); got != `"1"` {
			t.Errorf("must-revalidate: validation If-None-Match %q", got)
		}
		// Stale again, and the origin fails: the error, never the stale
		// response (stale-if-error notwithstanding).
		h.advance(20 * time.Second)
		h.route("/must", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusServiceUnavailable, "down")
		})
		h.expect(h.get("/must"), http.StatusServiceUnavailable, "down")
	})
}

// §5.2.2.8: proxy-revalidate is must-revalidate for shared caches only.
func TestRFC9111_5_2_2_8_ProxyRevalidate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=10, proxy-revalidate")
		h.get("/r")
		h.advance(20 * time.Second)
		r := h.get("/r", "Cache-Control: max-stale=100")
		if h.shared {
			h.expect(r, http.StatusOK, "v2")
		} else {
			h.expect(r, http.StatusOK, "v1")
		}
	})
}

// §5.2.2.10: s-maxage also forbids a shared cache to serve the response
// stale (it implies proxy-revalidate).
func TestRFC9111_5_2_2_10_SMaxAgeForbidsStale(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=10, s-maxage=10")
		h.get("/r")
		h.advance(20 * time.Second)
		r := h.get("/r", "Cache-Control: max-stale=100")
		if h.shared {
			h.expect(r, http.StatusOK, "v2")
		} else {
			h.expect(r, http.StatusOK, "v1")
		}
	})
}

// §5.2.2.3: must-understand: a response with a status code the cache
// understands is stored, and its no-store is then ignored; with a status
// code the cache does not understand, it is not stored.
func TestRFC9111_5_2_2_3_MustUnderstand(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/understood", http.StatusOK, "Cache-Control: max-age=60, must-understand, no-store")
		h.static("/unknown-code", 299, "Cache-Control: max-age=60, must-understand, no-store")
		h.static("/unknown-code-max-age", 299, "Cache-Control: max-age=60, must-understand")
		h.static("/unknown-code-plain", 299, "Cache-Control: max-age=60")
		for _, p := range []string{"/understood", "/unknown-code", "/unknown-code-max-age", "/unknown-code-plain"} {
			h.get(p)
			h.get(p)
		}
		h.expectHits("/understood", 1)
		h.expectHits("/unknown-code", 2)
		h.expectHits("/unknown-code-max-age", 2)
		h.expectHits("/unknown-code-plain", 1) // §3: must-understand absent, a final status is enough
	})
}

// §5.2.2.4: a response no-cache is stored but validated before every reuse.
// The qualified form (with field names) is treated as the unqualified one, as
// the RFC allows: validate, rather than send the response without the
// fields.
func TestRFC9111_5_2_2_4_ResponseNoCache(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etagOrigin(h, "/validator", "Cache-Control: no-cache, max-age=600")
		etagOrigin(h, "/qualified", `Cache-Control: no-cache="Set-Cookie", max-age=600`, "Set-Cookie: a=1")
		h.static("/plain", http.StatusOK, "Cache-Control: no-cache, max-age=600")
		for _, p := range []string{"/validator", "/qualified"} {
			for i := 1; i <= 3; i++ {
				r := h.get(p)
				h.expect(r, http.StatusOK, "v1")
				h.expectHits(p, i)
				if i > 1 && h.origin.last(p).Header.Get("If-None-Match") != `"1"` {
					t.Errorf("%s: reuse %d not validated with the stored ETag", p, i)
				}
			}
		}
		h.get("/plain")
		h.expect(h.get("/plain"), http.StatusOK, "v2")
	})
}

// §5.2.2.5: a response no-store is not stored.
func TestRFC9111_5_2_2_5_ResponseNoStore(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: no-store, max-age=600, public", `ETag: "1"`)
		h.get("/r")
		if h.stored("/r") {
			t.Error("a no-store response was stored")
		}
		h.expect(h.get("/r"), http.StatusOK, "v2")
		if got := h.origin.last("/r").Header.Get("If-None-Match"); got != "" {
			t.Errorf("If-None-Match %q: a no-store response was kept for validation", got)
		}
	})
}

// §5.2.2.7: private: a shared cache never stores the response, a private
// cache does. The qualified form lets a shared cache store the response
// without the named fields.
func TestRFC9111_5_2_2_7_Private(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/private", http.StatusOK, "Cache-Control: private, max-age=600")
		h.static("/qualified", http.StatusOK, `Cache-Control: private="X-Secret, Set-Cookie", max-age=600`, "X-Secret: s3cr3t", "Set-Cookie: id=1", "X-Public: p")
		h.get("/private")
		r := h.get("/private")
		if h.shared {
			h.expect(r, http.StatusOK, "v2")
			if h.stored("/private") {
				t.Error("a shared cache stored a private response")
			}
		} else {
			h.expect(r, http.StatusOK, "v1")
		}
		h.get("/qualified")
		r = h.get("/qualified")
		h.expect(r, http.StatusOK, "v1")
		if h.shared {
			if r.header.Get("X-Secret") != "" || r.header.Get("Set-Cookie") != "" {
				t.Errorf("a shared cache kept the fields private names: %v", r.header)
			}
		} else if r.header.Get("X-Secret") != "s3cr3t" || r.header.Get("Set-Cookie") != "id=1" {
			t.Errorf("a private cache dropped fields: %v", r.header)
		}
		if r.header.Get("X-Public") != "p" {
			t.Errorf("X-Public dropped: %v", r.header)
		}
	})
}

// §5.2.2.9: public makes a response storable that otherwise is not: with a
// status code that is not heuristically cacheable it gets a heuristic
// lifetime, and a shared cache may store a response to a request with
// Authorization (§3.5, tested further in rfc9111_storing_test.go).
func TestRFC9111_5_2_2_9_Public(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm := "Last-Modified: " + h.date(-10*time.Hour)
		h.static("/public-403", http.StatusForbidden, "Cache-Control: public", lm)
		h.static("/plain-403", http.StatusForbidden, lm)
		for _, p := range []string{"/public-403", "/plain-403"} {
			h.get(p)
			h.advance(time.Minute)
			h.get(p)
		}
		h.expectHits("/public-403", 1)
		h.expectHits("/plain-403", 2)
	})
}

// RFC 8246 §2: immutable: a fresh response is not revalidated on a reload
// (request max-age=0); a forced reload (request no-cache) still validates.
func TestRFC8246_Immutable(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etagOrigin(h, "/immutable", "Cache-Control: max-age=600, immutable")
		etagOrigin(h, "/mutable", "Cache-Control: max-age=600")
		h.get("/immutable")
		h.get("/mutable")
		h.advance(10 * time.Second)
		for _, p := range []string{"/immutable", "/mutable"} {
			h.expect(h.get(p, "Cache-Control: max-age=0"), http.StatusOK, "v1")
		}
		h.expectHits("/immutable", 1)
		h.expectHits("/mutable", 2)
		h.advance(10 * time.Second)
		h.get("/immutable", "Cache-Control: no-cache")
		h.expectHits("/immutable", 2)
		// Once stale, immutable changes nothing.
		h.advance(time.Hour)
		h.get("/immutable")
		h.expectHits("/immutable", 3)
	})
}

// §5.2.3: extension directives the cache does not understand are ignored,
// in requests and responses.
func TestRFC9111_5_2_3_ExtensionsIgnored(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60, x-unknown, x-arg=\"a, b\"")
		h.get("/r")
		r := h.get("/r", "Cache-Control: x-client-ext=1")
		h.expect(r, http.StatusOK, "v1")
		if !strings.Contains(r.header.Get("Cache-Control"), "x-unknown") {
			t.Errorf("Cache-Control %q: extensions not passed on", r.header.Get("Cache-Control"))
		}
	})
}
