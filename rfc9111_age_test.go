package clientcache_test

// RFC 9111 §4.2.3 (calculating age) and §5.1 (the Age header field).

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// §4.2.3: age_value, the Age header the origin (or an upstream cache)
// sent, counts toward the age, and so toward staleness.
func TestRFC9111_4_2_3_AgeValue(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/r", http.StatusOK, "Cache-Control: max-age=60", "Age: 20")
		h.get("/r")
		h.advance(10 * time.Second)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		h.expectAge(r, 30)
		h.advance(29 * time.Second)
		h.expectAge(h.get("/r"), 59)
		h.advance(time.Second)
		h.expect(h.get("/r"), http.StatusOK, "v2")
	})
}

// §4.2.3: apparent_age = max(0, response_time - date_value): a Date in the
// past ages the response, a Date in the future does not make it younger.
func TestRFC9111_4_2_3_ApparentAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/old", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=60", "Date:", "Date: "+h.date(-25*time.Second))
		})
		h.route("/future", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=60", "Date:", "Date: "+h.date(time.Hour))
		})
		h.get("/old")
		h.get("/future")
		h.advance(10 * time.Second)
		old, future := h.get("/old"), h.get("/future")
		h.expectAge(old, 35)
		h.expectAge(future, 10)
		h.advance(25 * time.Second)
		h.expect(h.get("/old"), http.StatusOK, "v2")
		h.expect(h.get("/future"), http.StatusOK, "v1")
	})
}

// §4.2.3: corrected_age_value = age_value + response_delay, where the delay
// is response_time - request_time; and the initial age is the larger of it
// and apparent_age.
func TestRFC9111_4_2_3_ResponseDelayAndCorrectedInitialAge(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		// The origin takes 5 s (of the fake clock) to answer; its Date is
		// when it started.
		h.route("/slow", func(w http.ResponseWriter, r *http.Request, n int) {
			h.advance(5 * time.Second)
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=20", "Age: 10")
		})
		// An apparent age of 100 s beats an Age of 10.
		h.route("/apparent-wins", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=200", "Age: 10", "Date:", "Date: "+h.date(-100*time.Second))
		})
		h.get("/slow")
		r := h.get("/slow")
		h.expect(r, http.StatusOK, "v1")
		h.expectAge(r, 15) // 10 + 5: corrected_age_value beats apparent_age (5)
		h.advance(4 * time.Second)
		h.expectAge(h.get("/slow"), 19)
		h.advance(time.Second)
		h.expect(h.get("/slow"), http.StatusOK, "v2")

		h.get("/apparent-wins")
		h.expectAge(h.get("/apparent-wins"), 100)
	})
}

// §5.1: a cache that sends a stored response generates an Age header with
// the response's current age, on every reuse: a plain hit, a response
// freshened by a 304, a stale response a request's max-stale accepts. A
// response just received from the origin is not "reused" and keeps what the
// origin sent.
func TestRFC9111_5_1_AgeOnEveryReuse(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-None-Match") == `"1"` {
				reply(w, http.StatusNotModified, "", "Cache-Control: max-age=10", `ETag: "1"`)
				return
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=10", `ETag: "1"`)
		})
		first := h.get("/r")
		if age := first.header.Values("Age"); len(age) != 0 {
			t.Errorf("response from the origin: Age %q, want none", age)
		}
		h.expectAge(h.get("/r"), 0)
		h.advance(7 * time.Second)
		h.expectAge(h.get("/r"), 7)
		h.advance(8 * time.Second) // stale by 5
		h.expectAge(h.get("/r", "Cache-Control: max-stale=10"), 15)
		h.expectHits("/r", 1)
		revalidated := h.get("/r")
		h.expect(revalidated, http.StatusOK, "v1")
		h.expectAge(revalidated, 0)
		h.expectHits("/r", 2)
		h.advance(3 * time.Second)
		h.expectAge(h.get("/r"), 3)
	})
}

// §5.1: of a list-based Age the first member is used; an invalid Age is
// ignored; a huge one is capped at 2^31 seconds (§1.2.2), so it makes the
// response stale rather than overflowing.
func TestRFC9111_5_1_AgeFieldParsing(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/list", http.StatusOK, "Cache-Control: max-age=60", "Age: 30, 1")
		h.static("/two-lines", http.StatusOK, "Cache-Control: max-age=60", "Age: 30", "Age: 1")
		h.static("/invalid", http.StatusOK, "Cache-Control: max-age=60", "Age: soon")
		h.static("/huge", http.StatusOK, "Cache-Control: max-age=60", "Age: 99999999999999999999999")
		for _, p := range []string{"/list", "/two-lines", "/invalid", "/huge"} {
			h.get(p)
		}
		h.expectAge(h.get("/list"), 30)
		h.expectAge(h.get("/two-lines"), 30)
		h.expectAge(h.get("/invalid"), 0)
		h.expect(h.get("/huge"), http.StatusOK, "v2")
	})
}

// §4.3.4, §4.2.3: a 304 from the origin restarts the age of the response it
// freshens: the stored Age and Date described the old message, and a 304
// without them (an origin without a clock, RFC 9110 §6.6.1) leaves a
// response as old as the validation, not as old as the first receipt.
func TestRFC9111_4_2_3_AgeRestartsOnValidation(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for _, p := range []string{"/age", "/no-date"} {
			h.route(p, func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Header.Get("If-None-Match") == `"1"` {
					header := []string{`ETag: "1"`}
					if p == "/no-date" {
						header = append(header, "Date:")
					}
					reply(w, http.StatusNotModified, "", header...)
					return
				}
				reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=60", `ETag: "1"`, "Age: 20")
			})
			h.get(p)
		}
		h.advance(40 * time.Second) // age 60: stale
		for _, p := range []string{"/age", "/no-date"} {
			r := h.get(p)
			h.expect(r, http.StatusOK, "v1")
			h.expectAge(r, 0)
		}
		h.advance(59 * time.Second)
		for _, p := range []string{"/age", "/no-date"} {
			h.expectAge(h.get(p), 59)
			h.expectHits(p, 2)
		}
	})
}
