// Package glob matches the simple patterns the cache's options take (URL
// patterns, credential names): "*" matches any run of bytes and "?" any one
// byte; nothing else is special.
package glob

import "strings"

// Match reports whether s matches pattern. It runs in
// O(len(s)*len(pattern)) at worst and never recurses, so that a hostile
// pattern or input cannot make it slow.
func Match(pattern, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			starPx, starSx = px, sx
			px++
		case starPx >= 0:
			starSx++
			px, sx = starPx+1, starSx
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// CompileURL prepares a URL pattern for MatchURL: the scheme is dropped and
// a trailing "*" implied, so that a pattern names a prefix unless it says
// otherwise ("api.example.com/items" matches ".../items/7?x=1").
func CompileURL(pattern string) string {
	p := strings.TrimSpace(pattern)
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
	}
	if !strings.HasSuffix(p, "*") {
		p += "*"
	}
	return p
}

// MatchURL reports whether a URL, whose scheme is ignored, matches a
// pattern CompileURL made.
func MatchURL(compiled, u string) bool {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	return Match(compiled, u)
}
