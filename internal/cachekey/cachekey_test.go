package cachekey

import (
	"errors"
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

var testMAC = NewMAC([]byte("0123456789abcdef0123456789abcdef"))

// key is Key that fails the test on an error.
func key(t *testing.T, k *Keyer, method, rawURL string, h http.Header, body []byte) string {
	t.Helper()
	got, err := k.Key(method, mustURL(t, rawURL), h, body, testMAC)
	if err != nil {
		t.Fatalf("Key(%s %s): %v", method, rawURL, err)
	}
	return got
}

func TestKeyNormalisesURLs(t *testing.T) {
	k := NewKeyer(nil, false, nil, nil, false)
	same := [][2]string{
		{"https://Example.COM:443/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"http://example.com:80/a#frag", "http://example.com/a"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com/a?x=1&y=2&x=3", "https://example.com/a?y=2&x=1&x=3"},
	}
	for _, p := range same {
		if a, b := key(t, k, "GET", p[0], nil, nil), key(t, k, "get", p[1], nil, nil); a != b {
			t.Errorf("%s and %s got different keys", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"https://example.com/a", "http://example.com/a"},
		{"https://example.com/a", "https://example.com/A"},
		{"https://example.com/a?x=1", "https://example.com/a?x=2"},
		{"https://example.com:8443/a", "https://example.com/a"},
		// An origin may read these differently: the key keeps them apart.
		{"https://example.com/a?id=1&id=2", "https://example.com/a?id=2&id=1"},
		{"https://example.com/a?q=x+y", "https://example.com/a?q=x%20y"},
		{"https://example.com/a?q", "https://example.com/a?q="},
		{"https://example.com/a?x=1&y=2&x=3", "https://example.com/a?x=3&y=2&x=1"},
		{"https://example.com/a?q=1;x=2", "https://example.com/a?q=1"},
	}
	for _, p := range differ {
		if key(t, k, "GET", p[0], nil, nil) == key(t, k, "GET", p[1], nil, nil) {
			t.Errorf("%s and %s got the same key", p[0], p[1])
		}
	}
	if key(t, k, "GET", "https://example.com/a", nil, nil) == key(t, k, "HEAD", "https://example.com/a", nil, nil) {
		t.Error("GET and HEAD share a key")
	}
	if key(t, k, "POST", "https://example.com/a", nil, []byte("a")) == key(t, k, "POST", "https://example.com/a", nil, []byte("b")) {
		t.Error("POST bodies do not change the key")
	}
}

func TestIgnoredParameters(t *testing.T) {
	k := NewKeyer(nil, false, []string{"api_key", "X-Trace", "nonce"}, nil, false)
	a := key(t, k, "GET", "https://e.com/a?q=1&api_key=SECRET1", nil, nil)
	b := key(t, k, "GET", "https://e.com/a?q=1&api_key=SECRET2", nil, nil)
	if a != b {
		t.Error("an ignored query parameter changed the key")
	}
	if key(t, k, "GET", "https://e.com/a?nonce=5", nil, nil) != key(t, k, "GET", "https://e.com/a", nil, nil) {
		t.Error("a URL whose only parameter is ignored has a key of its own")
	}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if key(t, k, "POST", "https://e.com/", form, []byte("q=1&nonce=5")) != key(t, k, "POST", "https://e.com/", form, []byte("nonce=6&q=1")) {
		t.Error("an ignored form field changed the key")
	}
	js := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if key(t, k, "POST", "https://e.com/", js, []byte(`{"q":1,"nonce":5}`)) != key(t, k, "POST", "https://e.com/", js, []byte(`{"nonce":6,"q":1}`)) {
		t.Error("an ignored JSON field changed the key")
	}
	stored, ok := k.MatchedHeader(http.Header{"X-Trace": {"abc"}}, testMAC)
	if stored != nil || !ok {
		t.Errorf("MatchedHeader with no matched headers = %v, %v", stored, ok)
	}
}

func TestStoredURLsHideCredentials(t *testing.T) {
	k := NewKeyer(nil, false, []string{"nonce"}, nil, false)
	for _, raw := range []string{
		"https://e.com/a?q=1&api_key=SECRET&token=SECRET",
		"https://e.com/a?X-Amz-Signature=SECRET&X-Amz-Credential=SECRET&X-Amz-Security-Token=SECRET&X-Amz-Date=20260101",
		"https://e.com/a?jwt=SECRET&client_secret=SECRET&password=SECRET&private_token=SECRET&session_id=SECRET",
		"https://e.com/a?nonce=SECRET;x&sig=SECRET",
		"https://user:SECRET@e.com/a",
		"https://e.com/a?access%5Ftoken=SECRET",
	} {
		got := k.NormalizeURL(mustURL(t, raw))
		if strings.Contains(got, "SECRET") {
			t.Errorf("stored URL of %s = %q: keeps a secret", raw, got)
		}
	}
	if got := k.NormalizeURL(mustURL(t, "https://e.com/a?X-Amz-Date=20260101&q=1")); got != "https://e.com/a?X-Amz-Date=20260101&q=1" {
		t.Errorf("a URL without credentials is stored as %q", got)
	}
}

func TestCredentialsSelectTheirOwnKey(t *testing.T) {
	k := NewKeyer(nil, false, nil, nil, false)
	u := "https://e.com/a"
	none := key(t, k, "GET", u, nil, nil)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	a, a2, b := key(t, k, "GET", u, bearer("A"), nil), key(t, k, "GET", u, bearer("A"), nil), key(t, k, "GET", u, bearer("B"), nil)
	if a != a2 {
		t.Error("the same credentials got different keys")
	}
	if a == b || a == none || b == none {
		t.Error("different credentials, or none, share a key")
	}
	for _, h := range []http.Header{{"Cookie": {"s=1"}}, {"Proxy-Authorization": {"Basic x"}}, {"X-Api-Key": {"k"}}} {
		if key(t, k, "GET", u, h, nil) == none {
			t.Errorf("%v does not change the key", h)
		}
	}
	if key(t, k, "GET", "https://u:p@e.com/a", nil, nil) == none {
		t.Error("user information does not change the key")
	}
	if key(t, k, "GET", u+"?token=1", nil, nil) == key(t, k, "GET", u+"?token=2", nil, nil) {
		t.Error("credential parameters do not change the key")
	}
	// A key reveals nothing: the credential never enters it in clear, so
	// another secret gives another key.
	other := NewMAC([]byte("another secret, as long as needed"))
	ka, _ := k.Key("GET", mustURL(t, u), bearer("A"), nil, other)
	if ka == a {
		t.Error("the key does not depend on the secret")
	}
	if _, err := k.Key("GET", mustURL(t, u), bearer("A"), nil, nil); !errors.Is(err, ErrNeedsSecret) {
		t.Errorf("Key with credentials and no MAC: err = %v, want ErrNeedsSecret", err)
	}
	if _, err := k.Key("GET", mustURL(t, u+"?token=1"), nil, nil, nil); !errors.Is(err, ErrNeedsSecret) {
		t.Errorf("Key with a credential parameter and no MAC: err = %v, want ErrNeedsSecret", err)
	}
	if _, err := k.Key("GET", mustURL(t, u+"?q=1"), http.Header{"Accept": {"x"}}, nil, nil); err != nil {
		t.Errorf("Key without credentials needs no MAC: %v", err)
	}
}

func TestSharedCredentials(t *testing.T) {
	k := NewKeyer(nil, false, nil, nil, true)
	u := "https://e.com/a"
	if key(t, k, "GET", u, http.Header{"Authorization": {"Bearer A"}}, nil) != key(t, k, "GET", u, nil, nil) {
		t.Error("with shared credentials, Authorization changed the key")
	}
	if key(t, k, "GET", u+"?token=1&q=1", nil, nil) != key(t, k, "GET", u+"?q=1", nil, nil) {
		t.Error("with shared credentials, a credential parameter changed the key")
	}
	if key(t, k, "GET", u+"?token=1", nil, nil) != key(t, k, "GET", u, nil, nil) {
		t.Error("with shared credentials, a URL whose only parameter is a credential has a key of its own")
	}
	if _, err := k.Key("GET", mustURL(t, u+"?token=1"), http.Header{"Cookie": {"c"}}, nil, nil); err != nil {
		t.Errorf("with shared credentials no MAC is needed: %v", err)
	}
}

func TestMatchedHeaders(t *testing.T) {
	u := "https://e.com/"
	none := NewKeyer(nil, false, nil, nil, true)
	if key(t, none, "GET", u, http.Header{"Accept": {"a"}}, nil) != key(t, none, "GET", u, http.Header{"Accept": {"b"}}, nil) {
		t.Error("headers changed the key with no matched headers")
	}
	list := NewKeyer([]string{"accept"}, false, nil, nil, false)
	if key(t, list, "GET", u, http.Header{"Accept": {"a"}}, nil) == key(t, list, "GET", u, http.Header{"Accept": {"b"}}, nil) {
		t.Error("a matched header did not change the key")
	}
	if key(t, list, "GET", u, http.Header{"Accept": {"a"}, "X-Other": {"1"}}, nil) != key(t, list, "GET", u, http.Header{"Accept": {"a"}}, nil) {
		t.Error("an unmatched header changed the key")
	}
	all := NewKeyer(nil, true, []string{"x-trace"}, nil, false)
	if key(t, all, "GET", u, http.Header{"X-Other": {"1"}}, nil) == key(t, all, "GET", u, http.Header{"X-Other": {"2"}}, nil) {
		t.Error("MatchAll ignored a header")
	}
	if key(t, all, "GET", u, http.Header{"X-Trace": {"1"}}, nil) != key(t, all, "GET", u, http.Header{"X-Trace": {"2"}}, nil) {
		t.Error("MatchAll used an ignored header")
	}
	got, ok := all.MatchedHeader(http.Header{"Authorization": {"Bearer s3cret"}, "Accept": {"x"}}, testMAC)
	if !ok || !strings.HasPrefix(got.Get("Authorization"), DigestPrefix) || strings.Contains(got.Get("Authorization"), "s3cret") || got.Get("Accept") != "x" {
		t.Errorf("stored matched headers = %v, want Authorization as a digest", got)
	}
	if _, ok := all.MatchedHeader(http.Header{"Authorization": {"Bearer s3cret"}}, nil); ok {
		t.Error("MatchedHeader stored a credential without a MAC")
	}
}

func TestSelectingValues(t *testing.T) {
	k := NewKeyer(nil, false, []string{"X-Trace"}, nil, false)
	a, _ := k.SelectingValue("Cookie", []string{"s=1"}, testMAC)
	a2, _ := k.SelectingValue("cookie", []string{"s=1"}, testMAC)
	b, _ := k.SelectingValue("Cookie", []string{"s=2"}, testMAC)
	if !Equal(a[0], a2[0]) || Equal(a[0], b[0]) {
		t.Errorf("Cookie digests: %q %q %q", a, a2, b)
	}
	// A client that sends the stored form of another user's value is not
	// that user.
	forged, _ := k.SelectingValue("Cookie", a, testMAC)
	if Equal(forged[0], a[0]) {
		t.Error("sending a stored digest selects its response")
	}
	if v, _ := k.SelectingValue("X-Trace", []string{"1"}, testMAC); v[0] != Redacted {
		t.Errorf("ignored header stored as %q", v)
	}
	if v, _ := k.SelectingValue("Accept", []string{"x"}, nil); v[0] != "x" {
		t.Errorf("plain header stored as %q", v)
	}
}

func TestQueryFastPathAgreesWithNormalisation(t *testing.T) {
	k := NewKeyer(nil, false, nil, nil, false)
	// Each pair: one takes the fast path, the other needs normalising.
	pairs := [][2]string{
		{"https://e.com/?a=1&b=2", "https://e.com/?b=2&a=1"},
		{"https://e.com/?a=1&a-b=1", "https://e.com/?a-b=1&a=1"},
		{"https://e.com/?a=2&a=1&b=1", "https://e.com/?b=1&a=2&a=1"},
		{"https://e.com/?a=x%20y&b", "https://e.com/?b&a=x%20y"},
	}
	for _, p := range pairs {
		if key(t, k, "GET", p[0], nil, nil) != key(t, k, "GET", p[1], nil, nil) {
			t.Errorf("%s and %s got different keys", p[0], p[1])
		}
	}
}
