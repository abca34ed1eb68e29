package clientcache_test

// RFC 9111 §4.2: freshness. §4.2.1 freshness lifetime (s-maxage, max-age,
// Expires minus Date), §4.2.2 heuristic freshness, §4.2.4 serving stale
// responses. The age calculation (§4.2.3) is in rfc9111_age_test.go.

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// §4.2, §5.2.2.1: a response is fresh while its age is below max-age, and
// is then reused without contacting the origin; once stale it is not.
func TestRFC9111_4_2_1_MaxAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60")
		h.expect(h.get("/r"), http.StatusOK, "v1")
		h.advance(59 * time.Second)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		if !r.hit() {
			t.Errorf("at age 59 of 60: Cache-Status %q, want a hit", r.cacheStatus())
		}
		h.expectHits("/r", 1)
		h.advance(time.Second) // age 60: lifetime > age no longer holds
		h.expect(h.get("/r"), http.StatusOK, "v2")
		h.expectHits("/r", 2)
	})
}

// §4.2.1, §5.2.2.10: s-maxage overrides max-age and Expires in a shared
// cache, and a private cache ignores it.
func TestRFC9111_4_2_1_SMaxAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/shared-longer", http.StatusOK, "Cache-Control: max-age=0, s-maxage=60")
		h.static("/shared-shorter", http.StatusOK, "Cache-Control: max-age=60, s-maxage=0")
		h.static("/s-maxage-beats-expires", http.StatusOK, "Cache-Control: s-maxage=60", "Expires: "+h.date(-time.Hour))
		for _, p := range []string{"/shared-longer", "/shared-shorter", "/s-maxage-beats-expires"} {
			h.get(p)
		}
		h.advance(30 * time.Second)
		longer, shorter, beats := h.get("/shared-longer"), h.get("/shared-shorter"), h.get("/s-maxage-beats-expires")
		if h.shared {
			h.expect(longer, http.StatusOK, "v1")
			h.expect(shorter, http.StatusOK, "v2")
			h.expect(beats, http.StatusOK, "v1")
		} else {
			h.expect(longer, http.StatusOK, "v2")
			h.expect(shorter, http.StatusOK, "v1")
			h.expect(beats, http.StatusOK, "v2")
		}
	})
}

// §4.2.1, §5.3: without max-age, the lifetime is Expires minus Date — the
// origin's own clock on both sides, so that a skewed origin clock changes
// nothing.
func TestRFC9111_4_2_1_ExpiresMinusDate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		// The origin's clock is 1000 s ahead: Expires is in the cache's
		// future by 1100 s, but the response is fresh for 100 s only.
		h.route("/ahead", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Date:", "Date: "+h.date(1000*time.Second), "Expires: "+h.date(1100*time.Second))
		})
		// The origin's clock is 30 s behind: the response is 30 s old on
		// arrival (apparent age, §4.2.3) and fresh for 70 s more.
		h.route("/behind", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Date:", "Date: "+h.date(-30*time.Second), "Expires: "+h.date(70*time.Second))
		})
		h.get("/ahead")
		h.get("/behind")
		h.advance(69 * time.Second)
		h.expect(h.get("/ahead"), http.StatusOK, "v1")
		r := h.get("/behind")
		h.expect(r, http.StatusOK, "v1")
		h.expectAge(r, 99)
		h.advance(time.Second)
		h.expect(h.get("/behind"), http.StatusOK, "v2")
		h.advance(29 * time.Second)
		h.expect(h.get("/ahead"), http.StatusOK, "v1") // age 99
		h.advance(time.Second)
		h.expect(h.get("/ahead"), http.StatusOK, "v2") // age 100
	})
}

// RFC 9110 §6.6.1, RFC 9111 §4.2.1: without a Date, the time the response
// was received stands for it, and the cache adds that Date.
func TestRFC9111_4_2_1_ExpiresWithoutDate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Date:", "Expires: "+h.date(60*time.Second))
		})
		received := h.date(0)
		h.get("/r")
		h.advance(59 * time.Second)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		if got := r.header.Get("Date"); got != received {
			t.Errorf("stored response without Date: served with Date %q, want the time it was received, %q", got, received)
		}
		h.advance(time.Second)
		h.expect(h.get("/r"), http.StatusOK, "v2")
	})
}

// §5.3: max-age (and s-maxage in a shared cache) override Expires, in both
// directions.
func TestRFC9111_4_2_1_MaxAgeOverridesExpires(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/past-expires", http.StatusOK, "Cache-Control: max-age=60", "Expires: "+h.date(-time.Hour))
		h.static("/future-expires", http.StatusOK, "Cache-Control: max-age=10", "Expires: "+h.date(time.Hour))
		h.get("/past-expires")
		h.get("/future-expires")
		h.advance(30 * time.Second)
		h.expect(h.get("/past-expires"), http.StatusOK, "v1")
		h.expect(h.get("/future-expires"), http.StatusOK, "v2")
	})
}

// §4.2.2: without explicit freshness, a response with Last-Modified gets a
// heuristic lifetime: 10% of the time since it was last modified (the
// typical setting the RFC names). Stale, it is revalidated with
// If-Modified-Since.
func TestRFC9111_4_2_2_HeuristicFromLastModified(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lastModified := h.date(-10 * time.Hour)
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-Modified-Since") == lastModified {
				reply(w, http.StatusNotModified, "")
				return
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Last-Modified: "+lastModified)
		})
		h.get("/r")
		h.advance(59 * time.Minute)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		h.expectHits("/r", 1)
		h.advance(time.Minute) // heuristic lifetime: 1 hour
		r = h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		h.expectHits("/r", 2)
		if got := h.origin.last("/r").Header.Get("If-Modified-Since"); got != lastModified {
			t.Errorf("revalidation If-Modified-Since = %q, want %q", got, lastModified)
		}
	})
}

// §4.2.2: a heuristic lifetime is capped (here at 24 hours: RFC 7234 flagged
// longer ones), and is never used when the response has explicit freshness.
func TestRFC9111_4_2_2_HeuristicBounds(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/ancient", http.StatusOK, "Last-Modified: "+h.date(-10*365*24*time.Hour))
		h.static("/explicit", http.StatusOK, "Last-Modified: "+h.date(-10*time.Hour), "Cache-Control: max-age=0")
		h.get("/ancient")
		h.get("/explicit")
		h.advance(time.Minute)
		h.expect(h.get("/explicit"), http.StatusOK, "v2")
		h.advance(24*time.Hour - 2*time.Minute)
		h.expect(h.get("/ancient"), http.StatusOK, "v1")
		h.advance(time.Minute)
		h.expect(h.get("/ancient"), http.StatusOK, "v2")
	})
}

// §4.2.2, RFC 9110 §15.1: only heuristically cacheable status codes get a
// heuristic lifetime (without public or private); the others, without
// explicit freshness, are not reused.
func TestRFC9111_4_2_2_HeuristicallyCacheableCodes(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm := "Last-Modified: " + h.date(-10*time.Hour)
		cacheable := []int{200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}
		notCacheable := []int{201, 302, 303, 307, 400, 403, 500, 502, 503}
		path := func(code int) string { return "/code/" + strconv.Itoa(code) }
		for _, code := range append(cacheable, notCacheable...) {
			header := []string{lm}
			if code/100 == 3 {
				header = append(header, "Location: /elsewhere")
			}
			h.static(path(code), code, header...)
			h.get(path(code))
		}
		h.advance(30 * time.Minute)
		for _, code := range cacheable {
			if r := h.get(path(code)); !r.hit() || r.status != code {
				t.Errorf("%d with Last-Modified: got %d, Cache-Status %q, want a heuristic hit", code, r.status, r.cacheStatus())
			}
			h.expectHits(path(code), 1)
		}
		for _, code := range notCacheable {
			h.get(path(code))
			h.expectHits(path(code), 2)
		}
	})
}

// §4.2.4: a stale response is not sent without validation unless something
// allows it (max-stale, stale-while-revalidate, stale-if-error, tested with
// their directives), and the validation's answer is what is sent.
func TestRFC9111_4_2_4_StaleNotServedWithoutValidation(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-None-Match") == `"1"` {
				reply(w, http.StatusOK, "changed", "Cache-Control: max-age=10", `ETag: "2"`)
				return
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=10", `ETag: "1"`)
		})
		h.get("/r")
		h.advance(11 * time.Second)
		h.expect(h.get("/r"), http.StatusOK, "changed")
		h.expect(h.get("/r"), http.StatusOK, "changed") // the new response is stored
		h.expectHits("/r", 2)
	})
}
