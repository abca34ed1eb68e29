package mongostore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
)

// TestFailedOpenHidesPassword opens connection strings with a password that
// fail in every way: they do not parse, have a bad parameter or cache_name,
// or name a closed port.
func TestFailedOpenHidesPassword(t *testing.T) {
	const pw = "s3cr3tPW"
	closed := hostPort(freePort(t))
	opts := &mongostore.Options{OpenTimeout: 2 * time.Second}
	for _, tc := range []struct {
		uri     string
		invalid bool   // a URL mistake, not an unreachable server
		want    string // in the message
		viaOpen bool   // storage.Open too (it rejects some before mongostore sees them)
	}{
		{"mongodb://user:" + pw + "@host:port:bad/", true, "port:bad", true},
		{"mongodb://user:" + pw + "@h/db%zz", true, "%zz", true},
		{"mongodb://user:" + pw + "@" + closed + "/db?serverSelectionTimeoutMS=soon", true, "serverSelectionTimeoutMS", true},
		{"mongodb://user:" + pw + "@" + closed + "/db?authMechanism=BOGUS", true, "auth mechanism", true},
		{"mongodb://user:" + pw + "@" + closed + "/a.b", true, "cache_name", true},
		{"mongodb://user:" + pw + "@/db", true, "no host", true},
		{"mongodb://user:" + pw + "%zz@" + closed + "/db", true, "password", false},
		{"mongodb://user:" + pw + ":x@" + closed + "/db", true, "colon", false},
		{"mongodb://user:s3cr3t/PW@" + closed + "/db", true, "percent-encode", true},
		{"mongodb://user:s3cr3t?PW@" + closed + "/db", true, "percent-encode", true},
		{"mongodb://user:" + pw + "@" + closed + "/db?serverSelectionTimeoutMS=1000", false, closed, true},
		{"mongodb://:" + pw + "@" + closed + "/?serverSelectionTimeoutMS=1000", true, "username", true},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			t.Parallel()
			opens := map[string]func(context.Context, string) (*storage.Backend, error){
				"OpenURI": func(ctx context.Context, uri string) (*storage.Backend, error) {
					return mongostore.OpenURI(ctx, uri, opts)
				},
			}
			if tc.viaOpen {
				opens["storage.Open"] = storage.Open
			}
			for name, open := range opens {
				b, err := open(ctxFor(t, time.Minute), tc.uri)
				if err == nil {
					b.Close()
					t.Fatalf("%s succeeded", name)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("%s error %q shows the password", name, err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s error %q does not mention %q", name, err, tc.want)
				}
				if got := errors.Is(err, storage.ErrInvalidURL); got != tc.invalid {
					t.Errorf("%s error %q: errors.Is(ErrInvalidURL) = %v, want %v", name, err, got, tc.invalid)
				}
			}
		})
	}
}
