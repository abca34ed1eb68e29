package clientcache

import (
	"context"
	"net/http"
	"testing"

	"github.com/clientcache/clientcache/internal/entry"
)

// The one Vary matcher (RFC 9111 §4.1): equal normalised values, absent and
// empty told apart, order and values significant, "*" never matching.
func TestVaryMatches(t *testing.T) {
	tr, err := NewTransport(memBackend(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := http.Header{}
	orig.Add("Accept-Encoding", "gzip,  br")
	orig.Add("Accept-Encoding", "deflate")
	orig.Set("Accept-Language", "")
	orig.Set("Other", "ignored")
	vary := http.Header{"Vary": {"Accept-Encoding, accept-language", "X-Absent"}}
	sel, ok := tr.selectedRequestHeader(context.Background(), orig, vary)
	if !ok {
		t.Fatal("no selecting header")
	}
	stored := &entry.Entry{Header: vary, ReqHeader: sel}
	tests := []struct {
		name string
		h    http.Header
		e    *entry.Entry
		want bool
	}{
		{"same", orig, stored, true},
		{"whitespace and lines differ", http.Header{
			"Accept-Encoding": {" gzip ,br , deflate "},
			"Accept-Language": {""},
		}, stored, true},
		{"value differs", http.Header{
			"Accept-Encoding": {"gzip"},
			"Accept-Language": {""},
		}, stored, false},
		{"order differs", http.Header{
			"Accept-Encoding": {"br, gzip, deflate"},
			"Accept-Language": {""},
		}, stored, false},
		{"empty vs absent", http.Header{
			"Accept-Encoding": {"gzip, br, deflate"},
		}, stored, false},
		{"absent vs present", http.Header{
			"Accept-Encoding": {"gzip, br, deflate"},
			"Accept-Language": {""},
			"X-Absent":        {"1"},
		}, stored, false},
		{"empty slice is absent", http.Header{
			"Accept-Encoding": {"gzip, br, deflate"},
			"Accept-Language": {""},
			"X-Absent":        {},
		}, stored, true},
		{"no Vary", http.Header{}, &entry.Entry{}, true},
		{"star never matches", orig, &entry.Entry{Header: http.Header{"Vary": {"*"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.cache.varyMatches(context.Background(), tt.e, tt.h); got != tt.want {
				t.Fatalf("varyMatches = %v, want %v", got, tt.want)
			}
		})
	}
}
