package vary

import (
	"net/http"
	"testing"
)

// FuzzNormalize checks that Normalize never panics and is idempotent, for one
// field line and for two. Seeds: testdata/fuzz/FuzzNormalize.
func FuzzNormalize(f *testing.F) {
	f.Add("gzip ,  br", `a="x  y"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, in := range [][]string{{a}, {a, b}} {
			n := Normalize(in)
			if again := Normalize([]string{n}); again != n {
				t.Fatalf("Normalize(%q) = %q, then %q", in, n, again)
			}
		}
	})
}

// FuzzVary checks Fields, Select and Matches together: names are distinct
// canonical tokens, a request always matches its own selection, and so does
// a request whose values were rewritten to their normal form. Seeds:
// testdata/fuzz/FuzzVary.
func FuzzVary(f *testing.F) {
	f.Add("Accept-Encoding, *", "accept-encoding", "gzip, br", "deflate")
	f.Fuzz(func(t *testing.T, vary, name, v1, v2 string) {
		names, _ := Fields(http.Header{"Vary": {vary}})
		seen := map[string]bool{}
		for _, n := range names {
			if !isToken(n) || n != http.CanonicalHeaderKey(n) || seen[n] {
				t.Fatalf("Fields(%q) = %q", vary, names)
			}
			seen[n] = true
		}
		h := http.Header{}
		h.Add(name, v1)
		h.Add(name, v2)
		if name != "*" { // "*" is the star result of Fields, never a name
			names = append(names, name)
		}
		stored := Select(names, h)
		if !Matches(stored, names, h) {
			t.Fatalf("request does not match its own selection %q", stored)
		}
		norm := http.Header{}
		for k, vs := range h {
			norm[k] = []string{Normalize(vs)}
		}
		if !Matches(stored, names, norm) {
			t.Fatalf("normalized request does not match %q", stored)
		}
	})
}
