package clientcache_test

// RFC 5861: stale-while-revalidate (§3) and stale-if-error (§4), which RFC
// 9111 §4.2.4 lets extensions define.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// §3: within the stale-while-revalidate window a stale response is sent at
// once while the cache revalidates it in the background; concurrent
// requests share that one revalidation; its response is stored for the next
// requests. Past the window, the cache validates before answering.
func TestRFC5861_3_StaleWhileRevalidate(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		release := make(chan struct{})
		var once sync.Once
		unblock := func() { once.Do(func() { close(release) }) }
		t.Cleanup(unblock) // before the origin closes: it waits for its handlers
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 2 {
				<-release // the background revalidation waits for the test
			}
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Cache-Control: max-age=10, stale-while-revalidate=60", `ETag: "`+strconv.Itoa(n)+`"`)
		})
		h.get("/r")
		h.advance(30 * time.Second) // stale by 20, within the window
		writes := h.store.written()

		r := h.get("/r")
		h.expect(r, http.StatusOK, "v1")
		h.expectAge(r, 30)
		if !strings.Contains(r.cacheStatus(), "stale-while-revalidate") {
			t.Errorf("Cache-Status %q: no stale-while-revalidate", r.cacheStatus())
		}
		h.origin.waitHits(t, "/r", 2) // the revalidation reached the origin

		// While it is pending, more requests, some concurrent, all get the
		// stale response and start no other revalidation.
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for range 4 {
			wg.Go(func() {
				r, err := h.tryGet("/r")
				if err != nil {
					errs <- err.Error()
				} else if r.body != "v1" {
					errs <- "concurrent request during the revalidation: body " + r.body
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		h.expect(h.get("/r"), http.StatusOK, "v1")
		h.expectHits("/r", 2)
		if got := h.origin.last("/r").Header.Get("If-None-Match"); got != `"1"` {
			t.Errorf("background revalidation If-None-Match %q, want \"1\"", got)
		}

		unblock()
		h.store.waitWrites(t, writes+1)
		r = h.get("/r")
		h.expect(r, http.StatusOK, "v2")
		if !r.hit() {
			t.Errorf("after the revalidation: Cache-Status %q, want a hit", r.cacheStatus())
		}
		h.expectHits("/r", 2)

		// Past the window (stale by 61 > 60): validated first.
		h.advance(71 * time.Second)
		h.expect(h.get("/r"), http.StatusOK, "v3")
		h.expectHits("/r", 3)
	})
}

// §3, RFC 9111 §4.2.4: stale-while-revalidate does not apply when serving
// stale is forbidden (must-revalidate; proxy-revalidate and s-maxage in a
// shared cache), nor to a request that asks for validation.
func TestRFC5861_3_StaleWhileRevalidateLimits(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		swr := "stale-while-revalidate=600"
		h.static("/must-revalidate", http.StatusOK, "Cache-Control: max-age=10, must-revalidate, "+swr)
		h.static("/proxy-revalidate", http.StatusOK, "Cache-Control: max-age=10, proxy-revalidate, "+swr)
		h.static("/s-maxage", http.StatusOK, "Cache-Control: max-age=10, s-maxage=10, "+swr)
		h.static("/no-cache-request", http.StatusOK, "Cache-Control: max-age=10, "+swr)
		for _, p := range []string{"/must-revalidate", "/proxy-revalidate", "/s-maxage", "/no-cache-request"} {
			h.get(p)
		}
		h.advance(20 * time.Second)
		h.expect(h.get("/must-revalidate"), http.StatusOK, "v2")
		h.expect(h.get("/no-cache-request", "Cache-Control: no-cache"), http.StatusOK, "v2")
		for _, p := range []string{"/proxy-revalidate", "/s-maxage"} {
			r := h.get(p)
			if h.shared {
				h.expect(r, http.StatusOK, "v2")
			} else {
				h.expect(r, http.StatusOK, "v1") // stale, revalidated in the background
				h.origin.waitHits(t, p, 2)
			}
		}
	})
}

// §4: within the stale-if-error window a stale response is sent instead of
// a 500, 502, 503 or 504 from the origin; past the window, or for another
// status, the origin's answer is.
func TestRFC5861_4_StaleIfErrorOnServerErrors(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		codes := []int{500, 502, 503, 504, 404}
		for _, code := range codes {
			h.route("/"+strconv.Itoa(code), func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					reply(w, http.StatusOK, "v1", "Cache-Control: max-age=10, stale-if-error=60")
					return
				}
				reply(w, code, "error")
			})
			h.get("/" + strconv.Itoa(code))
		}
		h.advance(70 * time.Second) // stale by 60: within the window
		for _, code := range codes {
			r := h.get("/" + strconv.Itoa(code))
			if code == 404 {
				h.expect(r, code, "error")
				continue
			}
			h.expect(r, http.StatusOK, "v1")
			h.expectAge(r, 70)
			if !strings.Contains(r.cacheStatus(), "stale-if-error") {
				t.Errorf("%d: Cache-Status %q, no stale-if-error", code, r.cacheStatus())
			}
		}
		h.advance(time.Second) // stale by 61
		for _, code := range codes[:4] {
			h.expect(h.get("/"+strconv.Itoa(code)), code, "error")
		}
	})
}

// §4: stale-if-error covers an origin that cannot be reached at all; a
// response without it, or with must-revalidate, gets the failure.
func TestRFC5861_4_StaleIfErrorWhenUnreachable(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.static("/sie", http.StatusOK, "Cache-Control: max-age=10, stale-if-error=60")
		h.static("/plain", http.StatusOK, "Cache-Control: max-age=10")
		h.static("/must-revalidate", http.StatusOK, "Cache-Control: max-age=10, must-revalidate, stale-if-error=60")
		for _, p := range []string{"/sie", "/plain", "/must-revalidate"} {
			h.get(p)
		}
		h.advance(30 * time.Second)
		h.origin.Close() // unreachable from now on
		r := h.get("/sie")
		h.expect(r, http.StatusOK, "v1")
		h.expectAge(r, 30)
		// Without stale-if-error, or with must-revalidate (RFC 9111
		// §5.2.2.2), an error: the Transport's, wrapping
		// ErrRevalidationFailed, or the proxy's 504.
		for _, p := range []string{"/plain", "/must-revalidate"} {
			r, err := h.tryGet(p)
			switch {
			case h.proxy && err == nil && r.status != http.StatusGatewayTimeout:
				t.Errorf("proxy, %s, origin down: status %d, want 504", p, r.status)
			case !h.proxy && err == nil:
				t.Errorf("transport, %s, origin down: got %d %q, want an error", p, r.status, r.body)
			case !h.proxy && !errors.Is(err, clientcache.ErrRevalidationFailed):
				t.Errorf("transport, %s, origin down: err = %v, want one wrapping ErrRevalidationFailed", p, err)
			}
		}
	})
}

// §4: a request may carry stale-if-error too.
func TestRFC5861_4_StaleIfErrorInTheRequest(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				reply(w, http.StatusOK, "v1", "Cache-Control: max-age=10")
				return
			}
			reply(w, http.StatusServiceUnavailable, "error")
		})
		h.get("/r")
		h.advance(30 * time.Second) // stale by 20
		h.expect(h.get("/r", "Cache-Control: stale-if-error=30"), http.StatusOK, "v1")
		h.expect(h.get("/r", "Cache-Control: stale-if-error=10"), http.StatusServiceUnavailable, "error")
		h.expect(h.get("/r"), http.StatusServiceUnavailable, "error")
	})
}
