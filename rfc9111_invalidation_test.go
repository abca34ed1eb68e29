package clientcache_test

// RFC 9111 §4.4: invalidating stored responses.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// invalidationOrigin scripts path so that GET and HEAD get a fresh response
// (body "v<n>") and any other method the status code, with the header lines.
func invalidationOrigin(h *harness, path string, status int, header ...string) {
	h.route(path, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=600")
			return
		}
		reply(w, status, r.Method, header...)
	})
}

// §4.4: an unsafe method — unknown ones included — with a non-error
// response invalidates the stored responses of its target URI (GET and
// HEAD alike); the next request goes to the origin.
func TestRFC9111_4_4_UnsafeMethodsInvalidate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for _, c := range []struct {
			method string
			status int
		}{
			{http.MethodPost, http.StatusOK},
			{http.MethodPut, http.StatusNoContent},
			{http.MethodDelete, http.StatusOK},
			{http.MethodPatch, http.StatusOK},
			{"PURGE", http.StatusOK},
			{"FROBNICATE", http.StatusAccepted},
			{http.MethodPost, http.StatusSeeOther},
		} {
			p := "/" + c.method + strconv.Itoa(c.status)
			invalidationOrigin(h, p, c.status, "Location: /elsewhere")
			h.get(p)
			h.do(http.MethodHead, p, "")
			h.expect(h.get(p), http.StatusOK, "v1")
			if r := h.do(c.method, p, "body"); r.status != c.status {
				t.Errorf("%s %s: status %d, want %d", c.method, p, r.status, c.status)
			}
			if h.stored(p) {
				t.Errorf("%s answered %d: the stored GET response survived", c.method, c.status)
			}
			h.expect(h.get(p), http.StatusOK, "v4")
			heads := h.origin.hits(p)
			h.do(http.MethodHead, p, "")
			if h.origin.hits(p) != heads+1 {
				t.Errorf("%s answered %d: the stored HEAD response survived", c.method, c.status)
			}
		}
	})
}

// §4.4: an error response does not invalidate; nor does a safe method.
func TestRFC9111_4_4_ErrorsAndSafeMethodsDoNotInvalidate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusInternalServerError, http.StatusServiceUnavailable} {
			p := "/error" + strconv.Itoa(status)
			invalidationOrigin(h, p, status)
			h.get(p)
			h.do(http.MethodPost, p, "body")
			h.expect(h.get(p), http.StatusOK, "v1")
		}
		invalidationOrigin(h, "/safe", http.StatusOK)
		h.get("/safe")
		h.do(http.MethodOptions, "/safe", "")
		h.expect(h.get("/safe"), http.StatusOK, "v1")
	})
}

// §4.4: the URIs in Location and Content-Location of the response are
// invalidated too, when they are on the same origin (relative or absolute),
// and only then.
func TestRFC9111_4_4_LocationAndContentLocation(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		// Another origin, holding a stored response of its own, reached
		// through the same Transport.
		var otherHits atomic.Int64
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := otherHits.Add(1)
			reply(w, http.StatusOK, "other"+strconv.FormatInt(n, 10), "Cache-Control: max-age=600", "Date: "+h.date(0))
		}))
		t.Cleanup(other.Close)

		for _, p := range []string{"/loc-rel", "/loc-abs", "/cloc-rel", "/cloc-abs"} {
			invalidationOrigin(h, p, http.StatusNotFound) // only read
			h.get(p)
		}
		h.send(h.direct, http.MethodGet, other.URL+"/x", "")
		invalidationOrigin(h, "/action", http.StatusCreated,
			"Location: /loc-rel",
			"Location: "+h.originURL("/ignored-second-line"),
			"Content-Location: "+h.originURL("/cloc-abs"))
		invalidationOrigin(h, "/action2", http.StatusOK, "Location: "+h.originURL("/loc-abs"), "Content-Location: cloc-rel")
		invalidationOrigin(h, "/action3", http.StatusOK, "Location: "+other.URL+"/x", "Content-Location: "+other.URL+"/x")

		h.do(http.MethodPost, "/action", "")
		h.do(http.MethodPost, "/action2", "")
		h.do(http.MethodPost, "/action3", "")
		for _, p := range []string{"/loc-rel", "/loc-abs", "/cloc-rel", "/cloc-abs"} {
			if h.stored(p) {
				t.Errorf("%s survived an unsafe request naming it in Location or Content-Location", p)
			}
			h.expect(h.get(p), http.StatusOK, "v2")
		}
		if r := h.send(h.direct, http.MethodGet, other.URL+"/x", ""); r.body != "other1" {
			t.Errorf("another origin's response was invalidated: got %q", r.body)
		}
	})
}
