package clientcache_test

// Strict parsing, end to end: Cache-Control syntax (RFC 9111 §5.2),
// duplicate and invalid values (§4.2.1), delta-seconds overflow (§1.2.2),
// and Expires as an HTTP-date (§5.3, RFC 9110 §5.6.7). The parsers have
// their own unit and fuzz tests (docs/rfc9111-parsers.md); these check that
// the cache acts on what they say.

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// rfcReusedAfter stores path, advances the clock by d and reports whether the
// next request was answered without the origin.
func rfcReusedAfter(h *harness, path string, d time.Duration) bool {
	h.t.Helper()
	before := h.origin.hits(path)
	h.get(path)
	h.advance(d)
	h.get(path)
	return h.origin.hits(path) == before+1
}

// §5.2: directive names are case-insensitive.
func TestRFC9111_5_2_DirectiveNamesCaseInsensitive(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/max-age", http.StatusOK, "Cache-Control: MAX-AGE=60")
		h.static("/no-store", http.StatusOK, "Cache-Control: max-age=60, No-Store")
		h.static("/private", http.StatusOK, "Cache-Control: max-age=60, PRIVATE")
		h.static("/must-revalidate", http.StatusOK, "Cache-Control: max-age=1, Must-Revalidate")
		if !rfcReusedAfter(h, "/max-age", 30*time.Second) {
			t.Error("MAX-AGE=60 ignored")
		}
		if rfcReusedAfter(h, "/no-store", time.Second) {
			t.Error("No-Store ignored")
		}
		if got := rfcReusedAfter(h, "/private", time.Second); got == h.shared {
			t.Errorf("PRIVATE: reused %v in a cache with shared %v", got, h.shared)
		}
		h.get("/must-revalidate")
		h.advance(5 * time.Second)
		h.get("/must-revalidate", "Cache-Control: max-stale=60")
		h.expectHits("/must-revalidate", 2)
	})
}

// §5.2: arguments may be tokens or quoted-strings, and recipients accept
// both forms.
func TestRFC9111_5_2_QuotedArguments(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/quoted", http.StatusOK, `Cache-Control: max-age="60"`)
		if !rfcReusedAfter(h, "/quoted", 30*time.Second) {
			t.Error(`max-age="60" ignored`)
		}
		// A request directive, quoted too.
		h.static("/stale", http.StatusOK, "Cache-Control: max-age=10")
		h.get("/stale")
		h.advance(20 * time.Second)
		h.expect(h.get("/stale", `Cache-Control: max-stale="30"`), http.StatusOK, "v1")
	})
}

// RFC 9110 §5.3: several Cache-Control field lines make one list.
func TestRFC9111_5_2_SeveralFieldLines(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/fresh", http.StatusOK, "Cache-Control: public", "Cache-Control: max-age=60")
		h.static("/no-store", http.StatusOK, "Cache-Control: max-age=60", "Cache-Control: no-store")
		if !rfcReusedAfter(h, "/fresh", 30*time.Second) {
			t.Error("max-age=60 on a second Cache-Control line ignored")
		}
		if rfcReusedAfter(h, "/no-store", time.Second) {
			t.Error("no-store on a second Cache-Control line ignored")
		}
	})
}

// §4.2.1: a directive with conflicting values makes the response stale;
// the same value twice is no conflict; unknown directives are ignored
// (§5.2.3).
func TestRFC9111_4_2_1_DuplicateDirectives(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/conflict", http.StatusOK, "Cache-Control: max-age=60, max-age=120")
		h.static("/conflict-lines", http.StatusOK, "Cache-Control: max-age=60", "Cache-Control: max-age=120")
		h.static("/same", http.StatusOK, "Cache-Control: max-age=60, max-age=60")
		h.static("/extension", http.StatusOK, `Cache-Control: community="UCI", max-age=60, x-ext`)
		for _, p := range []string{"/conflict", "/conflict-lines"} {
			if rfcReusedAfter(h, p, time.Second) {
				t.Errorf("%s: a conflicting max-age was used", p)
			}
		}
		if !rfcReusedAfter(h, "/same", 30*time.Second) {
			t.Error("max-age=60, max-age=60 not reused")
		}
		if !rfcReusedAfter(h, "/extension", 30*time.Second) {
			t.Error("an unknown directive spoiled max-age")
		}
	})
}

// §4.2.1, §1.2.2: an invalid max-age (negative, fractional, not a number,
// empty, spaces around "=") makes the response stale, even with a valid
// Expires; it is not stored for nothing.
func TestRFC9111_4_2_1_InvalidMaxAgeIsStale(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for i, cc := range []string{"max-age=-1", "max-age=1.5", "max-age=abc", "max-age=", "max-age = 60", "max-age=60s"} {
			p := "/invalid/" + strconv.Itoa(i)
			h.static(p, http.StatusOK, "Cache-Control: "+cc, "Expires: "+h.date(time.Hour))
			if rfcReusedAfter(h, p, time.Second) {
				t.Errorf("Cache-Control: %s was reused", cc)
			}
			if h.stored(p) {
				t.Errorf("Cache-Control: %s, stale at once and without validators, was stored", cc)
			}
		}
	})
}

// §1.2.2: a delta-seconds too large to represent is 2^31 seconds (68
// years): no overflow into the past. A far Expires is capped the same way.
func TestRFC9111_1_2_2_HugeMaxAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/huge", http.StatusOK, "Cache-Control: max-age=99999999999999999999999999")
		h.static("/2^63", http.StatusOK, "Cache-Control: max-age=9223372036854775808")
		h.static("/year-9999", http.StatusOK, "Expires: "+time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Format(http.TimeFormat))
		paths := []string{"/huge", "/2^63", "/year-9999"}
		const year = 365 * 24 * time.Hour
		for _, p := range paths {
			h.get(p)
		}
		h.advance(50 * year)
		for _, p := range paths {
			h.expect(h.get(p), http.StatusOK, "v1")
		}
		h.advance(19 * year) // past 2^31 seconds
		for _, p := range paths {
			h.expect(h.get(p), http.StatusOK, "v2")
		}
	})
}

// §5.3, RFC 9110 §5.6.7: Expires is an HTTP-date in one of three formats,
// exactly. An invalid one, "0" included, means already expired: the
// response is never reused for it, and without validators it is not kept.
// Go's time.Parse alone accepts several of these.
func TestRFC9111_5_3_InvalidExpiresIsExpired(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		// Each format, of an instant an hour after the request.
		valid := map[string]func(time.Time) string{
			"IMF-fixdate": func(t time.Time) string { return t.Format(http.TimeFormat) },
			"rfc850-date": func(t time.Time) string { return t.Format("Monday, 02-Jan-06 15:04:05 GMT") },
			"asctime":     func(t time.Time) string { return t.Format(time.ANSIC) },
		}
		invalid := map[string]func(time.Time) string{
			"two spaces":     func(t time.Time) string { return t.Format("Mon,  02 Jan 2006 15:04:05 GMT") },
			"zero":           func(time.Time) string { return "0" },
			"minus one":      func(time.Time) string { return "-1" },
			"UTC zone":       func(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05 UTC") },
			"numeric zone":   func(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05 +0000") },
			"lower-case gmt": func(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05") + " gmt" },
			"wrong weekday": func(t time.Time) string {
				return t.AddDate(0, 0, 1).Format("Mon") + t.Format(", 02 Jan 2006 15:04:05 GMT")
			},
			"RFC 3339":       func(t time.Time) string { return t.Format(time.RFC3339) },
			"two-digit year": func(t time.Time) string { return t.Format("Mon, 02 Jan 06 15:04:05 GMT") },
			"no weekday":     func(t time.Time) string { return t.Format("02 Jan 2006 15:04:05 GMT") },
		}
		expires := func(format func(time.Time) string, lines int) rfcHandler {
			return func(w http.ResponseWriter, r *http.Request, n int) {
				v := "Expires: " + format(h.clock.Now().Add(time.Hour).UTC())
				header := []string{v}
				if lines == 2 {
					header = append(header, v)
				}
				reply(w, http.StatusOK, "v"+strconv.Itoa(n), header...)
			}
		}
		for name, format := range valid {
			p := "/valid/" + name
			h.route(p, expires(format, 1))
			if !rfcReusedAfter(h, p, 30*time.Minute) {
				t.Errorf("Expires %q (%s) not honoured", format(h.clock.Now()), name)
			}
		}
		for name, format := range invalid {
			p := "/invalid/" + name
			h.route(p, expires(format, 1))
			if rfcReusedAfter(h, p, time.Second) {
				t.Errorf("invalid Expires %q (%s) was honoured", format(h.clock.Now()), name)
			}
		}
		// Two Expires lines are invalid too, even when both are valid dates.
		h.route("/two-lines", expires(valid["IMF-fixdate"], 2))
		if rfcReusedAfter(h, "/two-lines", time.Second) {
			t.Error("two Expires lines were honoured")
		}
		// An invalid Expires with a validator is kept, stale, and
		// revalidated.
		h.static("/validator", http.StatusOK, "Expires: "+invalid["two spaces"](h.clock.Now().Add(time.Hour).UTC()), `ETag: "e"`)
		h.get("/validator")
		h.get("/validator")
		if got := h.origin.last("/validator").Header.Get("If-None-Match"); got != `"e"` {
			t.Errorf("stale response with an invalid Expires: revalidated with If-None-Match %q, want \"e\"", got)
		}
	})
}
