package freshness

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/internal/httpdate"
)

// t0 is when the cache received the responses of these tests.
var t0 = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// hdr builds a header from "Name: value" lines.
func hdr(lines ...string) http.Header {
	h := http.Header{}
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		h.Add(name, strings.TrimPrefix(value, " "))
	}
	return h
}

func date(d time.Duration) string { return httpdate.Format(t0.Add(d)) }

func resp(status int, lines ...string) Response {
	return NewResponse(status, hdr(lines...), t0, t0)
}

func TestNewResponse(t *testing.T) {
	h := hdr(
		"Date: "+date(-time.Minute),
		"Expires: "+date(time.Hour),
		"Last-Modified: "+date(-10*time.Hour),
		"Age: 30",
		"Cache-Control: max-age=5",
		"Content-Range: bytes 0-1/2",
	)
	r := NewResponse(200, h, t0.Add(-time.Second), t0)
	if !r.HasDate || !r.Date.Equal(t0.Add(-time.Minute)) || !r.HasExpires || !r.ExpiresValid ||
		!r.Expires.Equal(t0.Add(time.Hour)) || !r.HasLastModified || !r.LastModified.Equal(t0.Add(-10*time.Hour)) ||
		r.Age != 30*time.Second || !r.CacheControl.MaxAge.Present || !r.ContentRange ||
		!r.RequestTime.Equal(t0.Add(-time.Second)) || !r.ResponseTime.Equal(t0) || r.StatusCode != 200 {
		t.Fatalf("NewResponse = %+v", r)
	}

	// Missing or invalid Date: date_value is the receipt time (RFC 9110 §6.6.1).
	for _, lines := range [][]string{nil, {"Date: yesterday"}, {"Date: " + date(0), "Date: " + date(0)}} {
		r := resp(200, lines...)
		if r.HasDate || !r.Date.Equal(t0) {
			t.Errorf("Date %q: HasDate=%v Date=%v", lines, r.HasDate, r.Date)
		}
	}

	// Expires: invalid, "0", two lines (RFC 9111 §5.3, §4.2.1).
	for _, lines := range [][]string{
		{"Expires: 0"},
		{"Expires: "},
		{"Expires: Sun, 06 Nov 1994  08:49:37 GMT"},
		{"Expires: " + date(time.Hour), "Expires: " + date(time.Hour)},
	} {
		r := resp(200, lines...)
		if !r.HasExpires || r.ExpiresValid {
			t.Errorf("Expires %q: HasExpires=%v ExpiresValid=%v", lines, r.HasExpires, r.ExpiresValid)
		}
	}
	if r := resp(200); r.HasExpires || r.HasLastModified || r.ContentRange {
		t.Errorf("empty header: %+v", r)
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		lines []string
		want  time.Duration
	}{
		{nil, 0},
		{[]string{"60"}, time.Minute},
		{[]string{" 60 "}, time.Minute},
		{[]string{"60, 120"}, time.Minute}, // first member (RFC 9111 §5.1)
		{[]string{"60", "120"}, time.Minute},
		{[]string{""}, 0},
		{[]string{", 60"}, 0},
		{[]string{"-1"}, 0},
		{[]string{"1.5"}, 0},
		{[]string{"abc"}, 0},
		{[]string{"99999999999999999999999"}, MaxDuration}, // §1.2.2
	}
	for _, tt := range tests {
		if got := parseAge(tt.lines); got != tt.want {
			t.Errorf("parseAge(%q) = %v, want %v", tt.lines, got, tt.want)
		}
	}
}

func TestLifetime(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		lines     []string
		shared    bool
		want      time.Duration
		heuristic bool
	}{
		{"nothing, not heuristically cacheable", 302, nil, false, 0, false},
		{"nothing, heuristically cacheable, no Last-Modified", 200, nil, false, 0, true},
		{"max-age", 200, []string{"Cache-Control: max-age=60"}, false, time.Minute, false},
		{"invalid max-age is stale", 200, []string{"Cache-Control: max-age=x", "Expires: " + date(time.Hour)}, false, 0, false},
		{"conflicting max-age is stale", 200, []string{"Cache-Control: max-age=60, max-age=70"}, false, 0, false},
		{"huge max-age capped", 200, []string{"Cache-Control: max-age=999999999999999"}, false, MaxDuration, false},
		{"s-maxage wins in a shared cache", 200, []string{"Cache-Control: max-age=60, s-maxage=10"}, true, 10 * time.Second, false},
		{"s-maxage ignored in a private cache", 200, []string{"Cache-Control: max-age=60, s-maxage=10"}, false, time.Minute, false},
		{"s-maxage alone, private cache", 200, []string{"Cache-Control: s-maxage=10"}, false, 0, true},
		{"max-age beats Expires", 200, []string{"Cache-Control: max-age=60", "Expires: " + date(time.Hour), "Date: " + date(0)}, false, time.Minute, false},
		{"s-maxage beats Expires (shared)", 200, []string{"Cache-Control: s-maxage=5", "Expires: " + date(time.Hour)}, true, 5 * time.Second, false},
		{"Expires minus Date", 200, []string{"Date: " + date(-time.Hour), "Expires: " + date(time.Hour)}, false, 2 * time.Hour, false},
		{"Expires minus receipt time without Date", 200, []string{"Expires: " + date(time.Hour)}, false, time.Hour, false},
		{"Expires in the past", 200, []string{"Date: " + date(0), "Expires: " + date(-time.Hour)}, false, 0, false},
		{"Expires invalid is expired", 200, []string{"Expires: 0", "Last-Modified: " + date(-100*time.Hour)}, false, 0, false},
		{"Expires with two spaces is expired", 200, []string{"Expires: Sun, 06 Nov 2094  08:49:37 GMT"}, false, 0, false},
		{"Expires far future capped", 200, []string{"Date: Sat, 01 Jan 0000 00:00:00 GMT", "Expires: Fri, 31 Dec 9999 23:59:59 GMT"}, false, MaxDuration, false},
		{"heuristic 10%", 200, []string{"Date: " + date(0), "Last-Modified: " + date(-10*time.Hour)}, false, time.Hour, true},
		{"heuristic capped", 404, []string{"Last-Modified: " + date(-1000*time.Hour)}, false, MaxHeuristic, true},
		{"heuristic with Last-Modified after Date", 200, []string{"Date: " + date(0), "Last-Modified: " + date(time.Hour)}, false, 0, true},
		{"heuristic not for 302", 302, []string{"Last-Modified: " + date(-10*time.Hour)}, false, 0, false},
		{"heuristic for 302 with public", 302, []string{"Cache-Control: public", "Last-Modified: " + date(-10*time.Hour)}, true, time.Hour, true},
		{"heuristic for 302 with private, private cache", 302, []string{"Cache-Control: private", "Last-Modified: " + date(-10*time.Hour)}, false, time.Hour, true},
		{"heuristic for 302 with qualified private, private cache", 302, []string{`Cache-Control: private="X"`, "Last-Modified: " + date(-10*time.Hour)}, false, time.Hour, true},
		{"no heuristic for 302 with private, shared cache", 302, []string{"Cache-Control: private", "Last-Modified: " + date(-10*time.Hour)}, true, 0, false},
		{"heuristic for 451", 451, []string{"Last-Modified: " + date(-10*time.Hour)}, false, time.Hour, true},
		{"Last-Modified invalid", 200, []string{"Last-Modified: yesterday"}, false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resp(tt.status, tt.lines...)
			got, heur := r.Lifetime(tt.shared)
			if got != tt.want || heur != tt.heuristic {
				t.Fatalf("Lifetime = %v, %v; want %v, %v", got, heur, tt.want, tt.heuristic)
			}
		})
	}
}

func TestHeuristicallyCacheable(t *testing.T) {
	yes := []int{200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501}
	for _, s := range yes {
		if !HeuristicallyCacheable(s) {
			t.Errorf("%d not heuristically cacheable", s)
		}
	}
	for _, s := range []int{100, 201, 302, 303, 304, 307, 400, 403, 500, 502, 503} {
		if HeuristicallyCacheable(s) {
			t.Errorf("%d heuristically cacheable", s)
		}
	}
}

func TestCurrentAge(t *testing.T) {
	s := time.Second
	tests := []struct {
		name                 string
		age                  time.Duration
		date, req, resp, now time.Time
		want                 time.Duration
	}{
		// RFC 9111 §4.2.3, term by term.
		{"all zero", 0, t0, t0, t0, t0, 0},
		{"resident time", 0, t0, t0, t0, t0.Add(10 * s), 10 * s},
		{"apparent age", 0, t0.Add(-30 * s), t0, t0, t0.Add(10 * s), 40 * s},
		{"apparent age never negative", 0, t0.Add(30 * s), t0, t0, t0, 0},
		{"age value plus delay", 20 * s, t0, t0.Add(-5 * s), t0, t0, 25 * s},
		{"max of apparent and corrected", 20 * s, t0.Add(-100 * s), t0.Add(-5 * s), t0, t0.Add(s), 101 * s},
		{"corrected wins", 200 * s, t0.Add(-100 * s), t0.Add(-5 * s), t0, t0.Add(s), 206 * s},
		{"clock went backwards", 0, t0, t0.Add(5 * s), t0, t0.Add(-5 * s), 0},
		{"negative age value", -5 * s, t0, t0, t0, t0, 0},
		{"ancient Date capped", 0, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), t0, t0, t0.Add(time.Hour), MaxDuration},
		{"huge age value capped", math.MaxInt64, t0, t0.Add(-s), t0, t0.Add(s), MaxDuration},
		{"far future now capped", MaxDuration, t0, t0, t0, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), MaxDuration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CurrentAge(tt.age, tt.date, tt.req, tt.resp, tt.now); got != tt.want {
				t.Fatalf("CurrentAge = %v, want %v", got, tt.want)
			}
		})
	}

	r := NewResponse(200, hdr("Age: 10", "Date: "+date(-20*s)), t0.Add(-2*s), t0)
	if got := r.CurrentAge(t0.Add(5 * s)); got != 25*s {
		t.Fatalf("Response.CurrentAge = %v, want 25s", got)
	}
}

func TestStaleAt(t *testing.T) {
	r := NewResponse(200, hdr("Age: 10", "Cache-Control: max-age=60"), t0, t0)
	if got, want := r.StaleAt(false), t0.Add(50*time.Second); !got.Equal(want) {
		t.Fatalf("StaleAt = %v, want %v", got, want)
	}
	r = NewResponse(200, hdr("Age: 100", "Cache-Control: max-age=60"), t0, t0)
	if got, want := r.StaleAt(false), t0.Add(-40*time.Second); !got.Equal(want) {
		t.Fatalf("StaleAt = %v, want %v", got, want)
	}
	r = NewResponse(200, hdr("Cache-Control: max-age=99999999999"), t0, t0)
	if got, want := r.StaleAt(false), t0.Add(MaxDuration); !got.Equal(want) {
		t.Fatalf("StaleAt = %v, want %v", got, want)
	}
}

func TestAgeHeader(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0",
		1500 * time.Millisecond: "1",
		time.Hour:               "3600",
		-time.Second:            "0",
		math.MaxInt64:           "2147483648",
	} {
		if got := AgeHeader(d); got != want {
			t.Errorf("AgeHeader(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestNewRequest(t *testing.T) {
	r := NewRequest("GET", hdr("Authorization: Bearer x", "Cache-Control: max-age=0"))
	if r.Method != "GET" || !r.Authorization || !r.CacheControl.MaxAge.Present {
		t.Fatalf("NewRequest = %+v", r)
	}
	if r := NewRequest("GET", hdr("Pragma: no-cache")); r.Authorization || !r.CacheControl.NoCache {
		t.Fatalf("NewRequest = %+v", r)
	}
}

func TestStorable(t *testing.T) {
	tests := []struct {
		name   string
		method string
		req    []string
		status int
		resp   []string
		shared bool
		want   bool
	}{
		{"200 heuristically cacheable", "GET", nil, 200, nil, false, true},
		{"HEAD", "HEAD", nil, 200, nil, false, true},
		{"POST", "POST", nil, 200, []string{"Cache-Control: max-age=60"}, false, false},
		{"lower-case get", "get", nil, 200, nil, false, false},
		{"unknown method", "PURGE", nil, 200, nil, false, false},
		{"request no-store", "GET", []string{"Cache-Control: no-store"}, 200, []string{"Cache-Control: max-age=60"}, false, false},
		{"request no-cache stores", "GET", []string{"Cache-Control: no-cache"}, 200, nil, false, true},
		{"1xx", "GET", nil, 103, []string{"Cache-Control: max-age=60"}, false, false},
		{"status 600", "GET", nil, 600, []string{"Cache-Control: max-age=60"}, false, false},
		{"206", "GET", nil, 206, []string{"Cache-Control: max-age=60"}, false, false},
		{"Content-Range on 200", "GET", nil, 200, []string{"Content-Range: bytes 0-1/10"}, false, false},
		{"416 with Content-Range", "GET", nil, 416, []string{"Content-Range: bytes */10", "Cache-Control: max-age=60"}, false, false},
		{"304", "GET", nil, 304, []string{"Cache-Control: max-age=60"}, false, false},
		{"response no-store", "GET", nil, 200, []string{"Cache-Control: no-store, max-age=60"}, false, false},
		{"must-understand understood ignores no-store", "GET", nil, 200, []string{"Cache-Control: no-store, must-understand"}, false, true},
		{"must-understand understood, needs freshness", "GET", nil, 302, []string{"Cache-Control: no-store, must-understand"}, false, false},
		{"must-understand understood 302 with max-age", "GET", nil, 302, []string{"Cache-Control: no-store, must-understand, max-age=5"}, false, true},
		{"must-understand not understood", "GET", nil, 299, []string{"Cache-Control: must-understand, max-age=60"}, false, false},
		{"private in private cache", "GET", nil, 302, []string{"Cache-Control: private"}, false, true},
		{"qualified private in private cache", "GET", nil, 302, []string{`Cache-Control: private="X"`}, false, true},
		{"private in shared cache", "GET", nil, 200, []string{"Cache-Control: private, max-age=60"}, true, false},
		{"qualified private in shared cache", "GET", nil, 200, []string{`Cache-Control: private="Set-Cookie", max-age=60`}, true, true},
		{"qualified private alone in shared cache, 302", "GET", nil, 302, []string{`Cache-Control: private="X"`}, true, false},
		{"Authorization, private cache", "GET", []string{"Authorization: x"}, 200, nil, false, true},
		{"Authorization, shared cache", "GET", []string{"Authorization: x"}, 200, []string{"Cache-Control: max-age=60"}, true, false},
		{"Authorization, shared, must-revalidate", "GET", []string{"Authorization: x"}, 200, []string{"Cache-Control: must-revalidate"}, true, true},
		{"Authorization, shared, public", "GET", []string{"Authorization: x"}, 200, []string{"Cache-Control: public"}, true, true},
		{"Authorization, shared, s-maxage", "GET", []string{"Authorization: x"}, 200, []string{"Cache-Control: s-maxage=5"}, true, true},
		{"Authorization, shared, proxy-revalidate is not enough", "GET", []string{"Authorization: x"}, 200, []string{"Cache-Control: proxy-revalidate, max-age=5"}, true, false},
		{"302 without freshness", "GET", nil, 302, nil, false, false},
		{"302 with Last-Modified only", "GET", nil, 302, []string{"Last-Modified: " + date(-time.Hour)}, false, false},
		{"302 with ETag only", "GET", nil, 302, []string{"ETag: \"x\""}, false, false},
		{"302 with public", "GET", nil, 302, []string{"Cache-Control: public"}, false, true},
		{"302 with Expires", "GET", nil, 302, []string{"Expires: " + date(time.Hour)}, false, true},
		{"302 with invalid Expires", "GET", nil, 302, []string{"Expires: 0"}, false, true},
		{"302 with max-age", "GET", nil, 302, []string{"Cache-Control: max-age=0"}, false, true},
		{"302 with s-maxage, shared", "GET", nil, 302, []string{"Cache-Control: s-maxage=5"}, true, true},
		{"302 with s-maxage, private", "GET", nil, 302, []string{"Cache-Control: s-maxage=5"}, false, false},
		{"500 with max-age", "GET", nil, 500, []string{"Cache-Control: max-age=5"}, false, true},
		{"500 alone", "GET", nil, 500, nil, false, false},
		{"404", "GET", nil, 404, nil, true, true},
		{"no-cache stores", "GET", nil, 200, []string{"Cache-Control: no-cache"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := NewRequest(tt.method, hdr(tt.req...))
			r := resp(tt.status, tt.resp...)
			ok, reason := Storable(&req, &r, tt.shared)
			if ok != tt.want || ok != (reason == "") {
				t.Fatalf("Storable = %v, %q; want %v", ok, reason, tt.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	s := time.Second
	type want struct {
		serve, fresh, swr, sie bool
	}
	tests := []struct {
		name   string
		req    []string
		resp   []string
		age    time.Duration // time since receipt
		shared bool
		want   want
	}{
		{"fresh", nil, []string{"Cache-Control: max-age=60"}, 10 * s, false, want{serve: true, fresh: true}},
		{"stale", nil, []string{"Cache-Control: max-age=60"}, 60 * s, false, want{}},
		{"Age header counts", nil, []string{"Cache-Control: max-age=60", "Age: 55"}, 10 * s, false, want{}},
		{"shared uses s-maxage", nil, []string{"Cache-Control: max-age=60, s-maxage=5"}, 10 * s, true, want{}},
		{"invalid Expires is stale", nil, []string{"Expires: 0"}, 0, false, want{}},

		// §5.2.2.4 response no-cache.
		{"response no-cache", nil, []string{"Cache-Control: no-cache, max-age=60, stale-if-error=60"}, 0, false, want{fresh: true}},
		{"response qualified no-cache serves", nil, []string{`Cache-Control: no-cache="Set-Cookie", max-age=60`}, 0, false, want{serve: true, fresh: true}},

		// §5.2.1 request directives.
		{"request no-cache", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60"}, 0, false, want{fresh: true}},
		{"Pragma no-cache", []string{"Pragma: no-cache"}, []string{"Cache-Control: max-age=60"}, 0, false, want{fresh: true}},
		{"request no-cache, immutable", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60, immutable"}, 0, false, want{fresh: true}},
		{"request max-age satisfied", []string{"Cache-Control: max-age=20"}, []string{"Cache-Control: max-age=60"}, 20 * s, false, want{serve: true, fresh: true}},
		{"request max-age exceeded", []string{"Cache-Control: max-age=20"}, []string{"Cache-Control: max-age=60"}, 21 * s, false, want{fresh: true}},
		{"request max-age=0", []string{"Cache-Control: max-age=0"}, []string{"Cache-Control: max-age=60"}, s, false, want{fresh: true}},
		{"request max-age=0, immutable", []string{"Cache-Control: max-age=0"}, []string{"Cache-Control: max-age=60, immutable"}, s, false, want{serve: true, fresh: true}},
		{"request max-age, stale immutable", []string{"Cache-Control: max-age=0, max-stale"}, []string{"Cache-Control: max-age=60, immutable"}, 70 * s, false, want{}},
		{"min-fresh satisfied", []string{"Cache-Control: min-fresh=30"}, []string{"Cache-Control: max-age=60"}, 30 * s, false, want{serve: true, fresh: true}},
		{"min-fresh not satisfied", []string{"Cache-Control: min-fresh=30"}, []string{"Cache-Control: max-age=60"}, 31 * s, false, want{fresh: true}},
		{"min-fresh huge", []string{"Cache-Control: min-fresh=99999999999"}, []string{"Cache-Control: max-age=99999999999"}, s, false, want{fresh: true}},
		{"max-stale any", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: max-age=60"}, 1000 * s, false, want{serve: true}},
		{"max-stale any, ancient Expires", []string{"Cache-Control: max-stale"}, []string{"Date: Sat, 01 Jan 0000 00:00:00 GMT", "Expires: Sat, 01 Jan 0000 00:00:01 GMT"}, 0, false, want{serve: true}},
		{"max-stale within", []string{"Cache-Control: max-stale=10"}, []string{"Cache-Control: max-age=60"}, 70 * s, false, want{serve: true}},
		{"max-stale beyond", []string{"Cache-Control: max-stale=10"}, []string{"Cache-Control: max-age=60"}, 71 * s, false, want{}},
		{"max-stale with max-age exceeded", []string{"Cache-Control: max-stale, max-age=30"}, []string{"Cache-Control: max-age=60"}, 65 * s, false, want{}},
		{"max-stale with max-age satisfied", []string{"Cache-Control: max-stale, max-age=100"}, []string{"Cache-Control: max-age=60"}, 65 * s, false, want{serve: true}},
		{"max-stale vs must-revalidate", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: max-age=60, must-revalidate"}, 70 * s, false, want{}},
		{"max-stale vs proxy-revalidate, private cache", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: max-age=60, proxy-revalidate"}, 70 * s, false, want{serve: true}},
		{"max-stale vs proxy-revalidate, shared cache", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: max-age=60, proxy-revalidate"}, 70 * s, true, want{}},
		{"max-stale vs s-maxage, shared cache", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: s-maxage=60"}, 70 * s, true, want{}},
		{"max-stale, s-maxage ignored in private cache", []string{"Cache-Control: max-stale"}, []string{"Cache-Control: s-maxage=60"}, 70 * s, false, want{serve: true}},

		// RFC 5861 §3 stale-while-revalidate.
		{"swr within", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 90 * s, false, want{swr: true}},
		{"swr beyond", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 91 * s, false, want{}},
		{"swr not when fresh", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 10 * s, false, want{serve: true, fresh: true}},
		{"swr vs must-revalidate", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=30, must-revalidate"}, 70 * s, false, want{}},
		{"swr vs request no-cache", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 70 * s, false, want{}},
		{"swr vs request max-age", []string{"Cache-Control: max-age=600"}, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 70 * s, false, want{}},
		{"swr vs request min-fresh", []string{"Cache-Control: min-fresh=1"}, []string{"Cache-Control: max-age=60, stale-while-revalidate=30"}, 70 * s, false, want{}},
		{"swr vs response no-cache", nil, []string{"Cache-Control: no-cache, max-age=60, stale-while-revalidate=30"}, 70 * s, false, want{}},
		{"swr invalid", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=x"}, 61 * s, false, want{}},
		{"swr at the stale boundary", nil, []string{"Cache-Control: max-age=60, stale-while-revalidate=0"}, 60 * s, false, want{swr: true}},

		// RFC 5861 §4 stale-if-error.
		{"sie response", nil, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 90 * s, false, want{sie: true}},
		{"sie response beyond", nil, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 91 * s, false, want{}},
		{"sie request", []string{"Cache-Control: stale-if-error=30"}, []string{"Cache-Control: max-age=60"}, 90 * s, false, want{sie: true}},
		{"sie request beyond", []string{"Cache-Control: stale-if-error=30"}, []string{"Cache-Control: max-age=60"}, 91 * s, false, want{}},
		{"sie both: smaller", []string{"Cache-Control: stale-if-error=10"}, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 75 * s, false, want{}},
		{"sie both: within smaller", []string{"Cache-Control: stale-if-error=100"}, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 90 * s, false, want{sie: true}},
		{"sie when fresh", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 10 * s, false, want{fresh: true, sie: true}},
		{"sie fresh despite must-revalidate", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60, stale-if-error=30, must-revalidate"}, 10 * s, false, want{fresh: true, sie: true}},
		{"sie vs must-revalidate", nil, []string{"Cache-Control: max-age=60, stale-if-error=30, must-revalidate"}, 70 * s, false, want{}},
		{"sie vs shared s-maxage", nil, []string{"Cache-Control: s-maxage=60, stale-if-error=30"}, 70 * s, true, want{}},
		{"sie vs response no-cache", nil, []string{"Cache-Control: no-cache, max-age=60, stale-if-error=30"}, 70 * s, false, want{}},
		{"sie despite request no-cache", []string{"Cache-Control: no-cache"}, []string{"Cache-Control: max-age=60, stale-if-error=30"}, 70 * s, false, want{sie: true}},
		{"sie none", nil, []string{"Cache-Control: max-age=60"}, 70 * s, false, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := NewRequest("GET", hdr(tt.req...))
			r := resp(200, tt.resp...)
			u := Decide(&req, &r, t0.Add(tt.age), tt.shared)
			got := want{serve: u.Serve, fresh: u.Fresh, swr: u.StaleWhileRevalidate, sie: u.StaleIfError}
			if got != tt.want {
				t.Fatalf("Decide = %+v\nwant %+v", u, tt.want)
			}
			if u.Serve != (u.Reason == "") {
				t.Fatalf("Serve %v with reason %q", u.Serve, u.Reason)
			}
			if u.Fresh != (u.Staleness == 0 && u.Lifetime > u.Age) || u.Staleness < 0 {
				t.Fatalf("Fresh %v, Staleness %v, Lifetime %v, Age %v", u.Fresh, u.Staleness, u.Lifetime, u.Age)
			}
		})
	}
}

func TestDecideFields(t *testing.T) {
	req := NewRequest("GET", nil)
	r := NewResponse(200, hdr("Date: "+date(-10*time.Second), "Last-Modified: "+date(-10*time.Hour-10*time.Second)), t0, t0)
	u := Decide(&req, &r, t0.Add(5*time.Second), false)
	if u.Age != 15*time.Second || u.Lifetime != time.Hour || !u.Heuristic || !u.Fresh || !u.Serve {
		t.Fatalf("Decide = %+v", u)
	}
}

// An Override replaces the header's freshness: its lifetime counts from
// receipt, no-cache is not consulted, must-revalidate still forbids stale.
func TestOverride(t *testing.T) {
	received := time.Unix(1_800_000_000, 0)
	h := http.Header{
		"Cache-Control": {"no-cache, max-age=5, must-revalidate, stale-if-error=600"},
		"Date":          {received.Add(-time.Hour).UTC().Format(http.TimeFormat)},
		"Age":           {"100"},
	}
	r := NewResponse(200, h, received, received)
	r.Override = Override{Present: true, Lifetime: time.Minute}
	req := &Request{Method: http.MethodGet}
	if life, _ := r.Lifetime(false); life != time.Minute {
		t.Errorf("Lifetime = %v, want the override's 1m", life)
	}
	if u := Decide(req, &r, received.Add(30*time.Second), false); !u.Serve || u.Age != 30*time.Second {
		t.Errorf("30 s after receipt: %+v, want served, age 30 s", u)
	}
	if u := Decide(req, &r, received.Add(2*time.Minute), false); u.Serve || u.StaleIfError {
		t.Errorf("stale: %+v, want no serving stale (must-revalidate)", u)
	}
}
