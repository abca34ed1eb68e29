package clientcache

import (
	"strings"

	"github.com/clientcache/clientcache/internal/glob"
)

// globMatch is the matcher of URL patterns.
var globMatch = glob.Match

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
