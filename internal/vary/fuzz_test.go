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

// FuzzVary checks Fields and Normalize together: names are distinct
// canonical tokens, and a request's values compare equal to their normal
// form, so that a request whose values were rewritten to it selects the same
// stored response. Seeds: testdata/fuzz/FuzzVary.
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
		vs := h.Values(name)
		if got, want := Normalize([]string{Normalize(vs)}), Normalize(vs); got != want {
			t.Fatalf("normal form %q of %q does not compare equal to it: %q", want, vs, got)
		}
	})
}
