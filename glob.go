package clientcache

import "strings"

// compileGlob prepares a URL pattern: the scheme is dropped and a trailing
// "*" implied, so that a pattern names a prefix unless it says otherwise.
func compileGlob(pattern string) string {
	p := strings.TrimSpace(pattern)
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
	}
	if !strings.HasSuffix(p, "*") {
		p += "*"
	}
	return p
}

// urlWithoutScheme is what URL patterns are matched against.
func urlWithoutScheme(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		return u[i+3:]
	}
	return u
}

// globMatch reports whether s matches pattern, where "*" matches any run of
// bytes and "?" any one byte. It runs in O(len(s)*len(pattern)) at worst and
// never recurses.
func globMatch(pattern, s string) bool {
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
