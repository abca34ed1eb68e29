package cachecontrol

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func d(n int64) Delta   { return Delta{Present: true, Seconds: n} }
func bad(n int64) Delta { return Delta{Present: true, Invalid: true, Seconds: n} }

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  Response
	}{
		{"absent", nil, Response{}},
		{"empty", []string{""}, Response{}},
		{"only commas and spaces", []string{" , ,\t,"}, Response{}},
		{"max-age", []string{"max-age=60"}, Response{MaxAge: d(60)}},
		{"case-insensitive names", []string{"Max-Age=60, NO-STORE, Public"}, Response{MaxAge: d(60), NoStore: true, Public: true}},
		{"quoted argument accepted (§5.2)", []string{`max-age="60"`}, Response{MaxAge: d(60)}},
		{"OWS around members", []string{"  max-age=60 ,\tpublic\t"}, Response{MaxAge: d(60), Public: true}},
		{"several field lines", []string{"max-age=60", "s-maxage=30, must-revalidate"}, Response{MaxAge: d(60), SMaxAge: d(30), MustRevalidate: true}},
		{"empty list members", []string{",,max-age=60,,,no-store,"}, Response{MaxAge: d(60), NoStore: true}},
		{"leading zeros", []string{"max-age=0060"}, Response{MaxAge: d(60)}},
		{"zero", []string{"max-age=0"}, Response{MaxAge: d(0)}},

		// §1.2.2: overflow is capped at 2^31.
		{"2^31 exactly", []string{"max-age=2147483648"}, Response{MaxAge: d(MaxDelta)}},
		{"2^31+1 capped", []string{"max-age=2147483649"}, Response{MaxAge: d(MaxDelta)}},
		{"int64 overflow capped", []string{"max-age=99999999999999999999999999999999"}, Response{MaxAge: d(MaxDelta)}},
		{"2^31-1 kept", []string{"max-age=2147483647"}, Response{MaxAge: d(2147483647)}},

		// §4.2.1: invalid values make the response stale.
		{"negative", []string{"max-age=-1"}, Response{MaxAge: bad(0)}},
		{"fraction", []string{"max-age=1.5"}, Response{MaxAge: bad(0)}},
		{"no value", []string{"max-age"}, Response{MaxAge: bad(0)}},
		{"empty value", []string{"max-age=, public"}, Response{MaxAge: bad(0), Public: true}},
		{"empty quoted value", []string{`max-age=""`}, Response{MaxAge: bad(0)}},
		{"letters", []string{"max-age=abc"}, Response{MaxAge: bad(0)}},
		{"spaces around =", []string{"max-age = 60, public"}, Response{MaxAge: bad(0), Public: true}},
		{"space before =", []string{"max-age =60"}, Response{MaxAge: bad(0)}},
		{"space after =", []string{"max-age= 60"}, Response{MaxAge: bad(0)}},
		{"trailing garbage", []string{"max-age=60 61, no-store"}, Response{MaxAge: bad(0), NoStore: true}},
		{"semicolon", []string{"max-age=60;foo"}, Response{MaxAge: bad(0)}},
		{"quoted with space", []string{`max-age=" 60"`}, Response{MaxAge: bad(0)}},
		{"unterminated quote", []string{`max-age="60, public`}, Response{MaxAge: bad(0)}},
		{"unterminated quote stops at line end", []string{`max-age="60`, "public"}, Response{MaxAge: bad(0), Public: true}},
		{"control char in quote", []string{"max-age=\"6\x010\", public"}, Response{MaxAge: bad(0), Public: true}},
		{"backslash at end", []string{`max-age="6\`}, Response{MaxAge: bad(0)}},
		{"quoted-pair of a control", []string{"max-age=\"\\\x01\", public"}, Response{MaxAge: bad(0), Public: true}},
		{"quoted-pair of a quote", []string{`foo="\"", public`}, Response{Public: true, Extensions: map[string]string{"foo": `"`}}},
		{"bad after quote", []string{`max-age="60"x, public`}, Response{MaxAge: bad(0), Public: true}},
		{"s-maxage invalid", []string{"s-maxage=x"}, Response{SMaxAge: bad(0)}},

		// §4.2.1: duplicates.
		{"same value twice", []string{"max-age=60, max-age=60"}, Response{MaxAge: d(60)}},
		{"same value across lines", []string{"max-age=60", "max-age=060"}, Response{MaxAge: d(60)}},
		{"conflicting values", []string{"max-age=60, max-age=120"}, Response{MaxAge: bad(0)}},
		{"conflicting across lines", []string{"max-age=60", "max-age=120"}, Response{MaxAge: bad(0)}},
		{"invalid then valid", []string{"max-age=x, max-age=60"}, Response{MaxAge: bad(0)}},
		{"valid then invalid", []string{"max-age=60, max-age=x"}, Response{MaxAge: bad(0)}},
		{"invalid twice then valid", []string{"max-age=x, max-age=x, max-age=60"}, Response{MaxAge: bad(0)}},
		{"swr conflict", []string{"stale-while-revalidate=10, stale-while-revalidate=20"}, Response{StaleWhileRevalidate: bad(0)}},
		{"sie", []string{"stale-if-error=300"}, Response{StaleIfError: d(300)}},
		{"sie invalid", []string{"stale-if-error"}, Response{StaleIfError: bad(0)}},

		// Flags.
		{"all flags", []string{"no-store, no-cache, private, public, must-revalidate, proxy-revalidate, must-understand, no-transform, immutable"},
			Response{NoStore: true, NoCache: true, Private: true, Public: true, MustRevalidate: true, ProxyRevalidate: true, MustUnderstand: true, NoTransform: true, Immutable: true}},
		{"restrictive flag with argument applies", []string{"no-store=1, must-revalidate=\"x\""}, Response{NoStore: true, MustRevalidate: true}},
		{"malformed restrictive flag applies", []string{"no-store x"}, Response{NoStore: true}},
		{"public with argument ignored", []string{"public=1"}, Response{}},
		{"malformed public ignored", []string{"public x"}, Response{}},
		{"immutable with argument ignored", []string{"immutable=yes"}, Response{}},
		{"public once plain once with argument", []string{"public=1, public"}, Response{Public: true}},

		// §5.2.2.4 and §5.2.2.7: qualified forms.
		{"no-cache fields", []string{`no-cache="Set-Cookie, x-foo"`}, Response{NoCacheFields: []string{"Set-Cookie", "X-Foo"}}},
		{"no-cache token form", []string{`no-cache=set-cookie`}, Response{NoCacheFields: []string{"Set-Cookie"}}},
		{"no-cache fields merged", []string{`no-cache="a", no-cache="B, a"`}, Response{NoCacheFields: []string{"A", "B"}}},
		{"no-cache fields with empty members", []string{`no-cache=" , a ,, "`}, Response{NoCacheFields: []string{"A"}}},
		{"no-cache qualified and unqualified", []string{`no-cache, no-cache="a"`}, Response{NoCache: true, NoCacheFields: []string{"A"}}},
		{"no-cache empty list is unqualified", []string{`no-cache=""`}, Response{NoCache: true}},
		{"no-cache bad field is unqualified", []string{`no-cache="a b"`}, Response{NoCache: true}},
		{"no-cache malformed is unqualified", []string{`no-cache="a`}, Response{NoCache: true}},
		{"no-cache malformed no value", []string{`no-cache x`}, Response{NoCache: true}},
		{"no-cache quoted-pair", []string{`no-cache="a\,b"`}, Response{NoCacheFields: []string{"A", "B"}}},
		{"private fields", []string{`private="Authorization"`}, Response{PrivateFields: []string{"Authorization"}}},
		{"private empty", []string{`private=""`}, Response{Private: true}},
		{"private and fields", []string{`private="x", private`}, Response{Private: true, PrivateFields: []string{"X"}}},

		// §5.2.3: extensions.
		{"extensions", []string{`foo, bar=1, baz="a \"q\"", Foo=2, max-age=5`},
			Response{MaxAge: d(5), Extensions: map[string]string{"foo": "", "bar": "1", "baz": `a "q"`}}},
		{"malformed extension dropped", []string{"foo=, bar x"}, Response{}},
		{"request directive in response is an extension", []string{"only-if-cached"}, Response{Extensions: map[string]string{"only-if-cached": ""}}},

		// Members that do not start with a token are skipped.
		{"garbage member", []string{`"quoted", =5, max-age=5`}, Response{MaxAge: d(5)}},
		{"garbage with comma in quotes", []string{`"a,b", max-age=5`}, Response{MaxAge: d(5)}},
		{"garbage with escaped quote", []string{`"a\",b", max-age=5`}, Response{MaxAge: d(5)}},
		{"non-ASCII", []string{"m\xe4x-age=5, no-store"}, Response{NoStore: true, Extensions: nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tt.lines {
				h.Add("Cache-Control", l)
			}
			got := ParseResponse(h)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseResponse(%q)\n got %+v\nwant %+v", tt.lines, got, tt.want)
			}
			checkResponseRoundTrip(t, got)
		})
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name   string
		cc     []string
		pragma []string
		want   Request
	}{
		{"absent", nil, nil, Request{}},
		{"flags", []string{"no-cache, no-store, only-if-cached, no-transform"}, nil,
			Request{NoCache: true, NoStore: true, OnlyIfCached: true, NoTransform: true}},
		{"no-cache with argument", []string{"No-Cache=x"}, nil, Request{NoCache: true}},
		{"max-age", []string{"max-age=5"}, nil, Request{MaxAge: d(5)}},
		{"max-age duplicates: smallest", []string{"max-age=5", "max-age=3, max-age=9"}, nil, Request{MaxAge: d(3)}},
		{"max-age invalid: 0", []string{"max-age=x"}, nil, Request{MaxAge: bad(0)}},
		{"max-age invalid and valid", []string{"max-age=9, max-age"}, nil, Request{MaxAge: bad(0)}},
		{"max-age overflow", []string{"max-age=4294967296"}, nil, Request{MaxAge: d(MaxDelta)}},
		{"max-stale any", []string{"max-stale"}, nil, Request{MaxStale: d(MaxDelta), MaxStaleAny: true}},
		{"max-stale any twice", []string{"max-stale, max-stale"}, nil, Request{MaxStale: d(MaxDelta), MaxStaleAny: true}},
		{"max-stale value", []string{`max-stale="30"`}, nil, Request{MaxStale: d(30)}},
		{"max-stale any then value", []string{"max-stale, max-stale=30"}, nil, Request{MaxStale: d(30)}},
		{"max-stale value then any", []string{"max-stale=30, max-stale"}, nil, Request{MaxStale: d(30)}},
		{"max-stale invalid", []string{"max-stale=-1"}, nil, Request{MaxStale: bad(0)}},
		{"max-stale malformed", []string{"max-stale = 5"}, nil, Request{MaxStale: bad(0)}},
		{"min-fresh", []string{"min-fresh=10"}, nil, Request{MinFresh: d(10)}},
		{"min-fresh duplicates: largest", []string{"min-fresh=10, min-fresh=20, min-fresh=5"}, nil, Request{MinFresh: d(20)}},
		{"min-fresh invalid: never fresh enough", []string{"min-fresh=1e3"}, nil, Request{MinFresh: bad(MaxDelta)}},
		{"stale-if-error", []string{"stale-if-error=60, stale-if-error=30"}, nil, Request{StaleIfError: d(30)}},
		{"stale-if-error invalid", []string{"stale-if-error=x"}, nil, Request{StaleIfError: bad(0)}},
		{"extension", []string{"public, foo=bar"}, nil, Request{Extensions: map[string]string{"public": "", "foo": "bar"}}},

		// Pragma: no-cache (RFC 7234 §5.4).
		{"pragma", nil, []string{"no-cache"}, Request{NoCache: true}},
		{"pragma case-insensitive, in a list", nil, []string{"foo=1, No-Cache"}, Request{NoCache: true}},
		{"pragma other", nil, []string{"foo"}, Request{}},
		{"pragma ignored with Cache-Control", []string{"max-age=5"}, []string{"no-cache"}, Request{MaxAge: d(5)}},
		{"pragma used when Cache-Control is empty", []string{" , "}, []string{"no-cache"}, Request{NoCache: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tt.cc {
				h.Add("Cache-Control", l)
			}
			for _, l := range tt.pragma {
				h.Add("Pragma", l)
			}
			got := ParseRequest(h)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseRequest(cc %q, pragma %q)\n got %+v\nwant %+v", tt.cc, tt.pragma, got, tt.want)
			}
			checkRequestRoundTrip(t, got)
		})
	}
}

func TestString(t *testing.T) {
	r := Response{
		Public: true, Private: true, PrivateFields: []string{"A", "B"},
		NoCache: true, NoCacheFields: []string{"Set-Cookie"}, NoStore: true,
		MaxAge: d(60), SMaxAge: bad(0), MustRevalidate: true, ProxyRevalidate: true,
		MustUnderstand: true, NoTransform: true, Immutable: true,
		StaleWhileRevalidate: d(5), StaleIfError: d(6),
		Extensions: map[string]string{"z": "", "a": "x y", "q": `"\`},
	}
	want := `public, private, private="A, B", no-cache, no-cache="Set-Cookie", no-store, max-age=60, s-maxage=0, ` +
		`must-revalidate, proxy-revalidate, must-understand, no-transform, immutable, ` +
		`stale-while-revalidate=5, stale-if-error=6, a="x y", q="\"\\", z`
	if got := r.String(); got != want {
		t.Fatalf("String()\n got %s\nwant %s", got, want)
	}
	if got := (Response{}).String(); got != "" {
		t.Fatalf("empty String() = %q", got)
	}
	q := Request{NoCache: true, NoStore: true, MaxAge: d(1), MaxStale: d(2), MinFresh: bad(MaxDelta),
		OnlyIfCached: true, NoTransform: true, StaleIfError: d(3), Extensions: map[string]string{"x": "1"}}
	wantQ := "no-cache, no-store, max-age=1, max-stale=2, min-fresh=2147483648, only-if-cached, no-transform, stale-if-error=3, x=1"
	if got := q.String(); got != wantQ {
		t.Fatalf("Request.String()\n got %s\nwant %s", got, wantQ)
	}
	if got := (Request{MaxStale: d(MaxDelta), MaxStaleAny: true}).String(); got != "max-stale" {
		t.Fatalf("max-stale any: %q", got)
	}
}

func TestDuration(t *testing.T) {
	if got := d(MaxDelta).Duration(); got != MaxDelta*time.Second || got <= 0 {
		t.Fatalf("Duration = %v", got)
	}
	if got := (Delta{}).Duration(); got != 0 {
		t.Fatalf("Duration = %v", got)
	}
}

// checkResponseRoundTrip checks that parsing r.String() gives r back, Invalid
// flags aside.
func checkResponseRoundTrip(t *testing.T, r Response) {
	t.Helper()
	s := r.String()
	back := ParseResponse(http.Header{"Cache-Control": {s}})
	if !reflect.DeepEqual(clearResponse(back), clearResponse(r)) {
		t.Fatalf("round trip through %q\n got %+v\nwant %+v", s, back, r)
	}
}

func checkRequestRoundTrip(t *testing.T, r Request) {
	t.Helper()
	s := r.String()
	back := ParseRequest(http.Header{"Cache-Control": {s}})
	if !reflect.DeepEqual(clearRequest(back), clearRequest(r)) {
		t.Fatalf("round trip through %q\n got %+v\nwant %+v", s, back, r)
	}
}

func clearResponse(r Response) Response {
	r.MaxAge.Invalid, r.SMaxAge.Invalid = false, false
	r.StaleWhileRevalidate.Invalid, r.StaleIfError.Invalid = false, false
	return r
}

func clearRequest(r Request) Request {
	r.MaxAge.Invalid, r.MaxStale.Invalid = false, false
	r.MinFresh.Invalid, r.StaleIfError.Invalid = false, false
	return r
}
