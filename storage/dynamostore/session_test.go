package dynamostore_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
)

// A 1 MB response is cached in DynamoDB and served whole from it.
func TestSessionCachesLargeResponse(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		body := randomBytes(1 << 20)
		var hits atomic.Int32
		origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(body)
		}))
		defer origin.Close()

		b, _, _ := openBackend(t, env, nil)
		s, err := clientcache.NewSession(b, &clientcache.Options{ExpireAfter: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for i := range 2 {
			resp, err := s.Get(origin.URL + "/big")
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("request %d: body = %d bytes (%v), want the 1 MB served", i+1, len(got), err)
			}
			if st := clientcache.StatusOf(resp); st.FromCache != (i == 1) {
				t.Fatalf("request %d: FromCache = %v", i+1, st.FromCache)
			}
		}
		if n := hits.Load(); n != 1 {
			t.Fatalf("origin hit %d times, want 1", n)
		}
	})
}
