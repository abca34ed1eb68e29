package mongostore_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// sessionOn returns a function that GETs one URL of a loopback origin
// through a Session on b and returns what the cache did. A request always
// gets the origin's body, whether the store is up or down: a cache failure
// never fails a request.
func sessionOn(t *testing.T, b *storage.Backend) func() clientcache.Status {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "from the origin")
	}))
	t.Cleanup(origin.Close)
	s, err := clientcache.NewSession(b, &clientcache.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return func() clientcache.Status {
		t.Helper()
		resp, err := s.Get(origin.URL + "/item")
		if err != nil {
			t.Fatalf("GET through the cache: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "from the origin" {
			t.Fatalf("GET through the cache: body %q, %v", body, err)
		}
		return clientcache.StatusOf(resp)
	}
}
