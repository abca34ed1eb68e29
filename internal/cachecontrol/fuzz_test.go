package cachecontrol

import (
	"net/http"
	"testing"
)

// FuzzParseResponse parses two Cache-Control field lines and checks that
// parsing never panics, that every delta-seconds value is within
// [0, MaxDelta] and zero when absent, that field lists hold distinct
// canonical field names, and that String round-trips. Seeds:
// testdata/fuzz/FuzzParseResponse.
func FuzzParseResponse(f *testing.F) {
	f.Add("max-age=60, public", `no-cache="Set-Cookie"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		r := ParseResponse(http.Header{"Cache-Control": {a, b}})
		for _, x := range []Delta{r.MaxAge, r.SMaxAge, r.StaleWhileRevalidate, r.StaleIfError} {
			checkDelta(t, x)
		}
		checkFields(t, r.NoCacheFields)
		checkFields(t, r.PrivateFields)
		checkResponseRoundTrip(t, r)
	})
}

// FuzzParseRequest does for requests what FuzzParseResponse does for
// responses, with a Pragma line too. Seeds: testdata/fuzz/FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	f.Add("max-age=0, max-stale", "no-cache")
	f.Fuzz(func(t *testing.T, cc, pragma string) {
		h := http.Header{"Pragma": {pragma}}
		if cc != "" {
			h.Set("Cache-Control", cc)
		}
		r := ParseRequest(h)
		for _, x := range []Delta{r.MaxAge, r.MaxStale, r.MinFresh, r.StaleIfError} {
			checkDelta(t, x)
		}
		if r.MaxStaleAny && r.MaxStale.Seconds != MaxDelta {
			t.Fatalf("max-stale any with %d seconds", r.MaxStale.Seconds)
		}
		checkRequestRoundTrip(t, r)
	})
}

func checkDelta(t *testing.T, x Delta) {
	t.Helper()
	if x.Seconds < 0 || x.Seconds > MaxDelta || x.Duration() < 0 {
		t.Fatalf("delta out of range: %+v", x)
	}
	if !x.Present && (x.Seconds != 0 || x.Invalid) {
		t.Fatalf("absent delta with a value: %+v", x)
	}
}

func checkFields(t *testing.T, names []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range names {
		if !isToken(n) || http.CanonicalHeaderKey(n) != n || seen[n] {
			t.Fatalf("bad field list %q", names)
		}
		seen[n] = true
	}
}
