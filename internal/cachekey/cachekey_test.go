package cachekey

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestKeyNormalisesURLs(t *testing.T) {
	k := NewKeyer(nil, false, nil)
	same := [][2]string{
		{"https://Example.COM:443/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"http://example.com:80/a#frag", "http://example.com/a"},
		{"https://example.com", "https://example.com/"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com/a?x=2&x=1", "https://example.com/a?x=1&x=2"},
	}
	for _, p := range same {
		if a, b := k.Key("GET", mustURL(t, p[0]), nil, nil), k.Key("get", mustURL(t, p[1]), nil, nil); a != b {
			t.Errorf("%s and %s got different keys", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"https://example.com/a", "http://example.com/a"},
		{"https://example.com/a", "https://example.com/A"},
		{"https://example.com/a?x=1", "https://example.com/a?x=2"},
		{"https://example.com:8443/a", "https://example.com/a"},
	}
	for _, p := range differ {
		if k.Key("GET", mustURL(t, p[0]), nil, nil) == k.Key("GET", mustURL(t, p[1]), nil, nil) {
			t.Errorf("%s and %s got the same key", p[0], p[1])
		}
	}
	u := mustURL(t, "https://example.com/a")
	if k.Key("GET", u, nil, nil) == k.Key("HEAD", u, nil, nil) {
		t.Error("GET and HEAD share a key")
	}
	if k.Key("POST", u, nil, []byte("a")) == k.Key("POST", u, nil, []byte("b")) {
		t.Error("POST bodies do not change the key")
	}
}

func TestIgnoredParameters(t *testing.T) {
	k := NewKeyer(nil, false, []string{"api_key", "X-Trace", "nonce"})
	a := k.Key("GET", mustURL(t, "https://e.com/a?q=1&api_key=SECRET1"), nil, nil)
	b := k.Key("GET", mustURL(t, "https://e.com/a?q=1&api_key=SECRET2"), nil, nil)
	if a != b {
		t.Error("an ignored query parameter changed the key")
	}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if k.Key("POST", mustURL(t, "https://e.com/"), form, []byte("q=1&nonce=5")) != k.Key("POST", mustURL(t, "https://e.com/"), form, []byte("nonce=6&q=1")) {
		t.Error("an ignored form field changed the key")
	}
	js := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if k.Key("POST", mustURL(t, "https://e.com/"), js, []byte(`{"q":1,"nonce":5}`)) != k.Key("POST", mustURL(t, "https://e.com/"), js, []byte(`{"nonce":6,"q":1}`)) {
		t.Error("an ignored JSON field changed the key")
	}
	if got := k.NormalizeURL(mustURL(t, "https://e.com/a?q=1&api_key=SECRET&token=T"), true); strings.Contains(got, "SECRET") || strings.Contains(got, "=T") {
		t.Errorf("stored URL %q keeps a secret", got)
	}
	stored := k.MatchedHeader(http.Header{"X-Trace": {"abc"}})
	if stored != nil {
		t.Errorf("MatchedHeader with no matched headers = %v", stored)
	}
}

func TestMatchedHeaders(t *testing.T) {
	u := mustURL(t, "https://e.com/")
	none := NewKeyer(nil, false, nil)
	if none.Key("GET", u, http.Header{"Accept": {"a"}}, nil) != none.Key("GET", u, http.Header{"Accept": {"b"}}, nil) {
		t.Error("headers changed the key with no matched headers")
	}
	list := NewKeyer([]string{"accept"}, false, nil)
	if list.Key("GET", u, http.Header{"Accept": {"a"}}, nil) == list.Key("GET", u, http.Header{"Accept": {"b"}}, nil) {
		t.Error("a matched header did not change the key")
	}
	if list.Key("GET", u, http.Header{"Accept": {"a"}, "X-Other": {"1"}}, nil) != list.Key("GET", u, http.Header{"Accept": {"a"}}, nil) {
		t.Error("an unmatched header changed the key")
	}
	all := NewKeyer(nil, true, []string{"x-trace"})
	if all.Key("GET", u, http.Header{"X-Other": {"1"}}, nil) == all.Key("GET", u, http.Header{"X-Other": {"2"}}, nil) {
		t.Error("MatchAll ignored a header")
	}
	if all.Key("GET", u, http.Header{"X-Trace": {"1"}}, nil) != all.Key("GET", u, http.Header{"X-Trace": {"2"}}, nil) {
		t.Error("MatchAll used an ignored header")
	}
	got := all.MatchedHeader(http.Header{"Authorization": {"Bearer s3cret"}, "Accept": {"x"}})
	if got.Get("Authorization") != Redacted || got.Get("Accept") != "x" {
		t.Errorf("stored matched headers = %v, want Authorization redacted", got)
	}
}

func TestQueryFastPathAgreesWithNormalisation(t *testing.T) {
	k := NewKeyer(nil, false, nil)
	// Each pair: one takes the fast path, the other needs normalising.
	pairs := [][2]string{
		{"https://e.com/?a=1&b=2", "https://e.com/?b=2&a=1"},
		{"https://e.com/?a=x%20y", "https://e.com/?a=x+y"},
		{"https://e.com/?a=1&a=2", "https://e.com/?a=2&a=1"},
		{"https://e.com/?a=", "https://e.com/?a"},
	}
	for _, p := range pairs {
		if k.Key("GET", mustURL(t, p[0]), nil, nil) != k.Key("GET", mustURL(t, p[1]), nil, nil) {
			t.Errorf("%s and %s got different keys", p[0], p[1])
		}
	}
}
