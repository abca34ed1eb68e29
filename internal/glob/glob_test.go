package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything/at/all", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*token*", "x_auth_token_v2", true},
		{"*token*", "toke", false},
		{"x_amz_*", "x_amz_credential", true},
		{"x_amz_*", "y_amz_credential", false},
		{"api.example.com/items*", "api.example.com/items/7?x=1", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
	} {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// A pathological pattern against a long input stays linear in practice:
// this would take minutes with a backtracking matcher.
func TestMatchDoesNotBacktrackExponentially(t *testing.T) {
	s := strings.Repeat("a", 5000)
	if Match(strings.Repeat("*a", 40)+"b", s) {
		t.Fatal("matched")
	}
}

func TestMatchURL(t *testing.T) {
	p := CompileURL("https://api.example.com/items")
	for u, want := range map[string]bool{
		"https://api.example.com/items/7?x=1":        true,
		"http://api.example.com/items":               true, // the scheme is not compared
		"https://api.example.com/other":              false,
		"https://evil.example/api.example.com/items": false,
	} {
		if got := MatchURL(p, u); got != want {
			t.Errorf("MatchURL(%q, %q) = %v, want %v", p, u, got, want)
		}
	}
	if CompileURL(" *.example.com/x* ") != "*.example.com/x*" {
		t.Errorf("CompileURL kept the spaces or added a second star: %q", CompileURL(" *.example.com/x* "))
	}
}
