package freshness

import (
	"net/http"
	"testing"
	"time"
)

// FuzzDecide feeds arbitrary header values and times to NewResponse,
// Storable and Decide and checks that nothing panics, that ages and lifetimes
// stay within [0, MaxDuration], and that the results are consistent. Seeds:
// testdata/fuzz/FuzzDecide.
func FuzzDecide(f *testing.F) {
	f.Add(200, "max-age=60, stale-while-revalidate=30", "max-stale=10", "Sun, 06 Nov 1994 08:49:37 GMT", "", "5", int64(90), true)
	f.Fuzz(func(t *testing.T, status int, respCC, reqCC, dateValue, expires, age string, elapsed int64, shared bool) {
		h := http.Header{
			"Cache-Control": {respCC},
			"Date":          {dateValue},
			"Expires":       {expires},
			"Last-Modified": {dateValue},
			"Age":           {age},
		}
		r := NewResponse(status, h, t0.Add(-time.Second), t0)
		req := NewRequest("GET", http.Header{"Cache-Control": {reqCC}})
		ok, reason := Storable(&req, &r, shared)
		if ok != (reason == "") {
			t.Fatalf("Storable = %v, %q", ok, reason)
		}
		u := Decide(&req, &r, t0.Add(time.Duration(elapsed)), shared)
		for _, d := range []time.Duration{u.Age, u.Lifetime, u.Staleness} {
			if d < 0 || d > MaxDuration {
				t.Fatalf("duration out of range: %+v", u)
			}
		}
		if u.Fresh != (u.Lifetime > u.Age) || !u.Fresh && u.Staleness != u.Age-u.Lifetime || u.Fresh && u.Staleness != 0 {
			t.Fatalf("inconsistent freshness: %+v", u)
		}
		if u.Serve != (u.Reason == "") || u.Serve && u.StaleWhileRevalidate || u.Fresh && u.StaleWhileRevalidate {
			t.Fatalf("inconsistent decision: %+v", u)
		}
		if age := AgeHeader(u.Age); age == "" || age[0] == '-' {
			t.Fatalf("AgeHeader(%v) = %q", u.Age, age)
		}
	})
}
