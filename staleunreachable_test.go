package clientcache_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// Options.StaleIfUnreachable serves a stale response when the origin cannot
// be reached (RFC 9111 §4.2.4), within its bound, but not when the origin
// answers with an error, and not when the response forbids stale use.
func TestStaleIfUnreachable(t *testing.T) {
	for _, c := range []struct {
		name         string
		opts         clientcache.Options
		cacheControl string
		down, broken bool // the origin refuses connections; it answers 500
		advance      time.Duration
		wantStale    bool
	}{
		{name: "unreachable, within the bound", opts: clientcache.Options{ExpireAfter: time.Minute}, down: true, advance: 2 * time.Minute, wantStale: true},
		{name: "unreachable, past the bound", opts: clientcache.Options{ExpireAfter: time.Minute}, down: true, advance: 2 * time.Hour},
		{name: "a 500 is an answer", opts: clientcache.Options{ExpireAfter: time.Minute}, broken: true, advance: 2 * time.Minute},
		{name: "RFC 9111, unreachable", opts: clientcache.Options{CacheControl: true}, cacheControl: "max-age=60", down: true, advance: 2 * time.Minute, wantStale: true},
		{name: "RFC 9111, must-revalidate", opts: clientcache.Options{CacheControl: true}, cacheControl: "max-age=60, must-revalidate", down: true, advance: 2 * time.Minute},
		{name: "RFC 9111, shared, s-maxage", opts: clientcache.Options{CacheControl: true, Shared: true}, cacheControl: "s-maxage=60", down: true, advance: 2 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			var broken atomic.Bool
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
				if broken.Load() {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				if c.cacheControl != "" {
					w.Header().Set("Cache-Control", c.cacheControl)
				}
				fmt.Fprint(w, "stored")
			})
			clock := newClock()
			opts := c.opts
			opts.Now, opts.StaleIfUnreachable = clock.Now, time.Hour
			s := newSession(t, nil, &opts)
			get(t, s.Client, o.URL+"/r")
			clock.Advance(c.advance)
			if c.down {
				o.Close()
			}
			broken.Store(c.broken)

			resp, err := s.Client.Get(o.URL + "/r")
			if !c.wantStale {
				if err == nil {
					st := clientcache.StatusOf(resp)
					resp.Body.Close()
					if st.FromCache {
						t.Fatalf("served from the cache: %+v", st)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("with the origin down: %v", err)
			}
			defer resp.Body.Close()
			if cs := resp.Header.Get("Cache-Status"); !strings.Contains(cs, "hit") || !strings.Contains(cs, "detail=stale-if-unreachable") {
				t.Fatalf("Cache-Status %q, want a hit with detail=stale-if-unreachable", cs)
			}
		})
	}
}
