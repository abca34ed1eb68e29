package clientcache_test

import (
	"fmt"
	"net/http"
	"testing"
)

// In the default mode the request's directives are parsed as in RFC 9111
// mode: max-age=00 is max-age=0, and revalidates (a string match missed it).
func TestOptionsModeParsesRequestDirectives(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	s := newSession(t, nil, nil)
	get(t, s.Client, o.URL)
	for _, cc := range []string{"max-age=00", "max-age=0", "no-cache", "MAX-AGE=0, foo"} {
		req := mustRequest(t, o.URL)
		req.Header.Set("Cache-Control", cc)
		if r := do(t, s.Client, req); r.status.FromCache && !r.status.Revalidated {
			t.Errorf("Cache-Control: %s was served from the cache without revalidation", cc)
		}
	}
	req := mustRequest(t, o.URL)
	req.Header.Set("Cache-Control", "max-age=5")
	if r := do(t, s.Client, req); !r.status.FromCache {
		t.Error("Cache-Control: max-age=5 is not served from the cache in the default mode")
	}
	req = mustRequest(t, o.URL)
	req.Header.Set("Pragma", "no-cache")
	if r := do(t, s.Client, req); r.status.FromCache && !r.status.Revalidated {
		t.Error("Pragma: no-cache was served from the cache without revalidation")
	}
}
