package cachekey

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/keys.golden from the current derivation")

// goldenRequests are the requests whose keys testdata/keys.golden pins: a
// change in the derivation would orphan every existing cache, so it must be
// deliberate.
var goldenRequests = []struct {
	keyer  string // "default", "match-accept", "match-all", "ignore", "share"
	method string
	url    string
	header http.Header
	body   string
}{
	{"default", "GET", "https://example.com/", nil, ""},
	{"default", "get", "HTTPS://Example.COM:443/a/b?z=1&a=2&a=1#frag", nil, ""},
	{"default", "HEAD", "http://example.com:8080/", nil, ""},
	{"default", "GET", "https://example.com/search?q=a+b&q=c%20d", nil, ""},
	{"default", "POST", "https://example.com/api", http.Header{"Content-Type": {"application/json"}}, `{"b":1,"a":2}`},
	{"default", "GET", "https://example.com/me", http.Header{"Authorization": {"Bearer A"}}, ""},
	{"default", "GET", "https://example.com/me", http.Header{"Cookie": {"s=1"}, "X-Api-Key": {"k"}}, ""},
	{"default", "GET", "https://user:pw@example.com/me", nil, ""},
	{"default", "GET", "https://example.com/obj?X-Amz-Signature=abc&X-Amz-Date=20260101", nil, ""},
	{"match-accept", "GET", "https://example.com/", http.Header{"Accept": {"text/html"}}, ""},
	{"match-all", "GET", "https://example.com/", http.Header{"Accept": {"x"}, "Authorization": {"Bearer A"}}, ""},
	{"ignore", "GET", "https://example.com/?nonce=5&q=1", nil, ""},
	{"ignore", "POST", "https://example.com/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "q=1&nonce=7"},
	{"share", "GET", "https://example.com/me?token=t&q=1", http.Header{"Authorization": {"Bearer A"}}, ""},
}

func goldenKeyers() map[string]*Keyer {
	return map[string]*Keyer{
		"default":      NewKeyer(nil, false, nil, nil, false),
		"match-accept": NewKeyer([]string{"accept"}, false, nil, nil, false),
		"match-all":    NewKeyer(nil, true, nil, nil, false),
		"ignore":       NewKeyer(nil, false, []string{"nonce"}, nil, false),
		"share":        NewKeyer(nil, false, nil, nil, true),
	}
}

func TestGoldenKeys(t *testing.T) {
	mac := NewMAC([]byte("the golden secret of the key test")) // fixed, so keys are
	keyers := goldenKeyers()
	var got strings.Builder
	for _, r := range goldenRequests {
		k, err := keyers[r.keyer].Key(r.method, mustURL(t, r.url), r.header, []byte(r.body), mac)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.url, err)
		}
		fmt.Fprintf(&got, "%s %s %s %v %q\n", k, r.keyer, r.method+" "+r.url, r.header, r.body)
	}
	path := filepath.Join("testdata", "keys.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	gs, ws := bufio.NewScanner(strings.NewReader(got.String())), bufio.NewScanner(strings.NewReader(string(want)))
	for line := 1; gs.Scan(); line++ {
		if !ws.Scan() || gs.Text() != ws.Text() {
			t.Errorf("keys.golden line %d:\n got  %s\n want %s\nthe key derivation changed: every existing cache would be orphaned. Bump the entry format's Version (or keep the old derivation), or regenerate with -update if intended", line, gs.Text(), ws.Text())
		}
	}
	if ws.Scan() {
		t.Errorf("keys.golden has more lines than requests: %s", ws.Text())
	}
}
