package clientcache_test

// RFC 9111 §4.3: validation. §4.3.1 sending a validation request, §4.3.2
// handling a received validation request (a client's own conditional
// request), §4.3.3 handling a validation response, §4.3.4 freshening stored
// responses upon validation, §4.3.5 freshening with HEAD.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawReply writes a response byte for byte on the hijacked connection, for
// header fields net/http would not send (a 304 with Content-Length).
func rawReply(t *testing.T, w http.ResponseWriter, statusLine string, header ...string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %s\r\n", statusLine)
	for _, line := range header {
		fmt.Fprintf(buf, "%s\r\n", line)
	}
	// No "Connection: close": net/http would drop the whole Connection field
	// (and so what else it names) on reading it. The client sees the
	// connection closed and does not reuse it.
	fmt.Fprint(buf, "\r\n")
	buf.Flush()
}

// §4.3.1: a stale response with an entity tag is validated with
// If-None-Match; a 304 makes the cache send the stored response, freshened.
func TestRFC9111_4_3_1_ValidateWithETag(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etagOrigin(h, "/r", "Cache-Control: max-age=10")
		h.get("/r")
		h.advance(11 * time.Second)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		if !strings.Contains(r.cacheStatus(), "fwd-status=304") {
			t.Errorf("Cache-Status %q: no fwd-status=304", r.cacheStatus())
		}
		req := h.origin.last("/r")
		if got := req.Header.Get("If-None-Match"); got != `"1"` {
			t.Errorf("validation request If-None-Match %q, want \"1\"", got)
		}
		if got := req.Header.Get("If-Modified-Since"); got != "" {
			t.Errorf("validation request If-Modified-Since %q without a Last-Modified", got)
		}
		h.advance(9 * time.Second)
		h.expect(h.get("/r"), http.StatusOK, "v1") // freshened by the 304
		h.expectHits("/r", 2)
	})
}

// §4.3.1: with Last-Modified the validation request carries
// If-Modified-Since with that date; with both validators, both are sent.
// A weak entity tag is sent as it is.
func TestRFC9111_4_3_1_ValidateWithLastModified(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm := h.date(-time.Hour)
		for _, c := range []struct{ path, etag string }{{"/lm", ""}, {"/both", `"b"`}, {"/weak", `W/"w"`}} {
			h.route(c.path, func(w http.ResponseWriter, r *http.Request, n int) {
				header := []string{"Cache-Control: max-age=10", "Last-Modified: " + lm}
				if c.etag != "" {
					header = append(header, "ETag: "+c.etag)
				}
				if r.Header.Get("If-Modified-Since") != "" || r.Header.Get("If-None-Match") != "" {
					reply(w, http.StatusNotModified, "", header...)
					return
				}
				reply(w, http.StatusOK, "v"+strconv.Itoa(n), header...)
			})
			h.get(c.path)
		}
		h.advance(11 * time.Second)
		for _, c := range []struct{ path, etag string }{{"/lm", ""}, {"/both", `"b"`}, {"/weak", `W/"w"`}} {
			h.expect(h.get(c.path), http.StatusOK, "v1")
			req := h.origin.last(c.path)
			if got := req.Header.Get("If-Modified-Since"); got != lm {
				t.Errorf("%s: If-Modified-Since %q, want %q", c.path, got, lm)
			}
			if got := req.Header.Get("If-None-Match"); got != c.etag {
				t.Errorf("%s: If-None-Match %q, want %q", c.path, got, c.etag)
			}
		}
	})
}

// §4.3.2: a cache answers a client's conditional GET from a fresh stored
// response: 304 when the condition says the client's copy is current
// (If-None-Match with the weak comparison, RFC 9110 §13.1.2; otherwise
// If-Modified-Since, §13.1.3), the stored response otherwise. If-None-Match
// takes precedence over If-Modified-Since.
func TestRFC9111_4_3_2_AnswerClientConditionalFromStore(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm := h.date(-time.Hour)
		h.static("/strong", http.StatusOK, "Cache-Control: max-age=600", `ETag: "1"`, "Last-Modified: "+lm, "Vary: Accept")
		h.static("/weak", http.StatusOK, "Cache-Control: max-age=600", `ETag: W/"1"`)
		h.get("/strong")
		h.get("/weak")
		for _, c := range []struct {
			path   string
			header []string
			want   int
		}{
			{"/strong", []string{`If-None-Match: "1"`}, http.StatusNotModified},
			{"/strong", []string{`If-None-Match: W/"1"`}, http.StatusNotModified},
			{"/strong", []string{`If-None-Match: "0", "1"`}, http.StatusNotModified},
			{"/strong", []string{`If-None-Match: "0"`, `If-None-Match: "1"`}, http.StatusNotModified},
			{"/strong", []string{`If-None-Match: *`}, http.StatusNotModified},
			{"/strong", []string{`If-None-Match: "2"`}, http.StatusOK},
			{"/strong", []string{`If-None-Match: 1`}, http.StatusOK},
			{"/strong", []string{"If-Modified-Since: " + lm}, http.StatusNotModified},
			{"/strong", []string{"If-Modified-Since: " + h.date(0)}, http.StatusNotModified},
			{"/strong", []string{"If-Modified-Since: " + h.date(-2*time.Hour)}, http.StatusOK},
			{"/strong", []string{"If-Modified-Since: yesterday"}, http.StatusOK},
			{"/strong", []string{`If-None-Match: "2"`, "If-Modified-Since: " + lm}, http.StatusOK},
			{"/weak", []string{`If-None-Match: "1"`}, http.StatusNotModified},
			{"/weak", []string{`If-None-Match: W/"1"`}, http.StatusNotModified},
			{"/weak", []string{"If-Modified-Since: " + lm}, http.StatusOK}, // no Last-Modified stored
		} {
			r := h.get(c.path, c.header...)
			if r.status != c.want {
				t.Errorf("%s %q: status %d, want %d", c.path, c.header, r.status, c.want)
				continue
			}
			if c.want == http.StatusOK && r.body != "v1" {
				t.Errorf("%s %q: body %q, want the stored v1", c.path, c.header, r.body)
			}
			if c.want == http.StatusNotModified {
				// RFC 9110 §15.4.5: the 304 carries the fields a 200 would
				// have among ETag, Cache-Control, Vary, and no body.
				if r.body != "" || r.header.Get("ETag") == "" || r.header.Get("Cache-Control") == "" {
					t.Errorf("%s %q: 304 with body %q, header %v", c.path, c.header, r.body, r.header)
				}
				if c.path == "/strong" && r.header.Get("Vary") != "Accept" {
					t.Errorf("%s %q: 304 without Vary: %v", c.path, c.header, r.header)
				}
			}
		}
		h.expectHits("/strong", 1)
		h.expectHits("/weak", 1)
	})
}

// §4.3.2: a client's conditional request for a stale response goes to the
// origin with the client's own validators, whose answer the client gets.
func TestRFC9111_4_3_2_ClientConditionalOnStaleEntryForwarded(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-None-Match") == `"client"` {
				reply(w, http.StatusNotModified, "", `ETag: "client"`)
				return
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=10", `ETag: "stored"`)
		})
		h.get("/r")
		h.advance(11 * time.Second)
		r := h.get("/r", `If-None-Match: "client"`)
		if r.status != http.StatusNotModified {
			t.Errorf("status %d, want the origin's 304", r.status)
		}
		if got := h.origin.last("/r").Header.Values("If-None-Match"); len(got) != 1 || got[0] != `"client"` {
			t.Errorf("the origin saw If-None-Match %q, want only the client's", got)
		}
	})
}

// §4.3.3: a full response to a validation request replaces the stored one;
// an error (without stale-if-error) is forwarded, not masked by the stale
// response.
func TestRFC9111_4_3_3_ValidationResponses(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			switch n {
			case 1:
				reply(w, http.StatusOK, "old", "Cache-Control: max-age=10", `ETag: "1"`)
			case 2:
				reply(w, http.StatusOK, "new", "Cache-Control: max-age=10", `ETag: "2"`)
			default:
				reply(w, http.StatusInternalServerError, "broken")
			}
		})
		h.get("/r")
		h.advance(11 * time.Second)
		h.expect(h.get("/r"), http.StatusOK, "new")
		h.expect(h.get("/r"), http.StatusOK, "new")
		h.advance(11 * time.Second)
		h.expect(h.get("/r"), http.StatusInternalServerError, "broken")
		h.expectHits("/r", 3)
	})
}

// §4.3.4, §3.2: a 304 updates the stored response's header fields — but not
// Content-Length, nor the hop-by-hop fields (Connection and those it names)
// — and its freshness.
func TestRFC9111_4_3_4_FresheningMergesHeaders(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Header.Get("If-None-Match") == `"1"` {
				rawReply(t, w, "304 Not Modified", `ETag: "1"`, "Date: "+h.date(0), "Cache-Control: max-age=120",
					"X-Changed: new", "X-Added: yes", "Content-Length: 999", "Connection: X-Hop", "X-Hop: per-connection",
					"Keep-Alive: timeout=9")
				return
			}
			reply(w, http.StatusOK, "stored body", `ETag: "1"`, "Cache-Control: max-age=10", "X-Changed: old", "X-Kept: kept")
		})
		h.get("/r")
		h.advance(11 * time.Second)
		for i, r := range []rfcResult{h.get("/r"), h.get("/r")} {
			h.expect(r, http.StatusOK, "stored body")
			for name, want := range map[string]string{"X-Changed": "new", "X-Added": "yes", "X-Kept": "kept",
				"Content-Length": "11", "X-Hop": "", "Keep-Alive": "", "Cache-Control": "max-age=120"} {
				if got := r.header.Get(name); got != want {
					t.Errorf("response %d after the 304: %s = %q, want %q", i+1, name, got, want)
				}
			}
		}
		stored := h.storedHeader("/r")
		for _, name := range []string{"X-Hop", "Keep-Alive", "Connection"} {
			if v := stored.Get(name); v != "" {
				t.Errorf("the 304's %s: %q was stored", name, v)
			}
		}
		if got := stored.Get("Content-Length"); got != "11" {
			t.Errorf("stored Content-Length %q, want 11", got)
		}
		h.advance(100 * time.Second) // fresh for 120 s after the 304
		h.expect(h.get("/r"), http.StatusOK, "stored body")
		h.expectHits("/r", 2)
	})
}

// §4.3.4: a 304 whose strong validator differs from the stored response's
// does not update it; the cache then fetches the full response.
func TestRFC9111_4_3_4_MismatchedValidatorDoesNotUpdate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			switch {
			case n == 1:
				reply(w, http.StatusOK, "old", `ETag: "1"`, "Cache-Control: max-age=10")
			case r.Header.Get("If-None-Match") != "":
				// A confused origin (or one behind a load balancer) answers
				// 304 for another representation.
				reply(w, http.StatusNotModified, "", `ETag: "2"`, "Cache-Control: max-age=600", "X-From: 304")
			default:
				reply(w, http.StatusOK, "new", `ETag: "2"`, "Cache-Control: max-age=600")
			}
		})
		h.get("/r")
		h.advance(11 * time.Second)
		r := h.get("/r")
		h.expect(r, http.StatusOK, "new")
		if r.header.Get("X-From") != "" {
			t.Error("the 304 for another representation was merged into the stored response")
		}
		h.expect(h.get("/r"), http.StatusOK, "new")
		h.expectHits("/r", 3)
	})
}

// §4.3.5: a HEAD response updates the stored GET response of the same URI
// when their validators agree; when they differ, the stored response is out
// of date and is removed.
func TestRFC9111_4_3_5_FresheningWithHEAD(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		etag := `"1"`
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			header := []string{"ETag: " + etag, "Cache-Control: max-age=60", "X-Version: " + strconv.Itoa(n)}
			if r.Method == http.MethodHead {
				reply(w, http.StatusOK, "", append(header, "Content-Length: 2")...)
				return
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), header...)
		})
		h.get("/r")
		h.advance(50 * time.Second)
		if r := h.do(http.MethodHead, "/r", ""); r.status != http.StatusOK || r.body != "" {
			t.Fatalf("HEAD: %d %q", r.status, r.body)
		}
		h.advance(30 * time.Second) // fresh again thanks to the HEAD
		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		if got := r.header.Get("X-Version"); got != "2" {
			t.Errorf("stored GET after HEAD: X-Version %q, want the HEAD's 2", got)
		}
		h.expectHits("/r", 2)

		// A HEAD with another entity tag: the stored GET is outdated.
		etag = `"2"`
		h.advance(61 * time.Second) // the stored HEAD response is stale too
		h.do(http.MethodHead, "/r", "")
		if h.stored("/r") {
			t.Error("the stored GET survived a HEAD with another ETag")
		}
		h.expect(h.get("/r"), http.StatusOK, "v4")
	})
}

// §4.3.4, §3: the header a 304 leaves is what the cache must obey: when it
// forbids storing (no-store; private, in a shared cache) the stored response
// goes, and is not reused on the strength of its old Last-Modified.
func TestRFC9111_4_3_4_FresheningToAnUnstorableResponse(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm := "Last-Modified: " + h.date(-10*time.Hour) // a heuristic lifetime of an hour
		for _, cc := range []string{"no-store", "private"} {
			p := "/" + cc
			h.route(p, func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Header.Get("If-None-Match") == `"1"` {
					reply(w, http.StatusNotModified, "", `ETag: "1"`, "Cache-Control: "+cc, lm)
					return
				}
				reply(w, http.StatusOK, "v"+strconv.Itoa(n), `ETag: "1"`, "Cache-Control: max-age=10", lm)
			})
			h.get(p)
		}
		h.advance(11 * time.Second)
		for _, cc := range []string{"no-store", "private"} {
			p := "/" + cc
			h.expect(h.get(p), http.StatusOK, "v1") // the client asking gets the stored body
			kept := cc == "private" && !h.shared
			if got := h.stored(p); got != kept {
				t.Errorf("after a 304 with %s: stored %v, want %v", cc, got, kept)
			}
			h.get(p)
			if want := map[bool]int{true: 2, false: 3}[kept]; h.origin.hits(p) != want {
				t.Errorf("after a 304 with %s: the origin saw %d requests, want %d", cc, h.origin.hits(p), want)
			}
		}
	})
}

// §4.3.4, RFC 9110 §8.8.3.2: which stored response a 304 updates is decided
// by comparing validators: a strong entity tag in the 304 by the strong
// comparison (both strong, same opaque tag), a weak one by the weak
// comparison; without one, Last-Modified must agree; a 304 with no validator
// updates the response it was asked about.
func TestRFC9111_4_3_4_ValidatorComparison(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		lm, later := h.date(-time.Hour), h.date(-time.Minute)
		cases := []struct {
			name        string
			stored, got []string // validator lines of the 200 and the 304
			updates     bool
		}{
			{"strong=strong", []string{`ETag: "a"`}, []string{`ETag: "a"`}, true},
			{"strong vs other strong", []string{`ETag: "a"`}, []string{`ETag: "b"`}, false},
			{"weak 304, strong stored", []string{`ETag: "a"`}, []string{`ETag: W/"a"`}, true},
			{"weak=weak", []string{`ETag: W/"a"`}, []string{`ETag: W/"a"`}, true},
			{"weak vs other weak", []string{`ETag: W/"a"`}, []string{`ETag: W/"b"`}, false},
			{"strong 304, weak stored", []string{`ETag: W/"a"`}, []string{`ETag: "a"`}, false},
			{"same Last-Modified", []string{"Last-Modified: " + lm}, []string{"Last-Modified: " + lm}, true},
			{"other Last-Modified", []string{"Last-Modified: " + lm}, []string{"Last-Modified: " + later}, false},
			{"no validator in the 304", []string{`ETag: "a"`}, nil, true},
		}
		for i, c := range cases {
			p := "/" + strconv.Itoa(i)
			h.route(p, func(w http.ResponseWriter, r *http.Request, n int) {
				if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
					reply(w, http.StatusNotModified, "", append([]string{"Cache-Control: max-age=60"}, c.got...)...)
					return
				}
				reply(w, http.StatusOK, "v"+strconv.Itoa(n), append([]string{"Cache-Control: max-age=10"}, c.stored...)...)
			})
			h.get(p)
		}
		h.advance(11 * time.Second)
		for i, c := range cases {
			p := "/" + strconv.Itoa(i)
			r := h.get(p)
			want, hits := "v1", 2
			if !c.updates {
				want, hits = "v3", 3 // fetched again, unconditionally
			}
			if r.body != want || h.origin.hits(p) != hits {
				t.Errorf("%s: got %q after %d requests, want %q after %d", c.name, r.body, h.origin.hits(p), want, hits)
			}
		}
	})
}
