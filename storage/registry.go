package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Opener opens a Backend from a URL whose scheme it registered for. It
// returns an error, never panics, on a URL it cannot use; the error should
// say what to fix, and show the URL as RedactURL does, never its password.
type Opener func(ctx context.Context, u *url.URL) (*Backend, error)

var registry = struct {
	sync.RWMutex
	m     map[string]Opener
	forms map[string]URLForm
}{m: map[string]Opener{}, forms: map[string]URLForm{}}

// URLForm documents one URL scheme a store registered: the form of its URLs
// and what it opens. Usage messages, the command-line tool's help and the
// documentation list these, so that no list of URLs is kept by hand.
type URLForm struct {
	// Form is the URL with placeholders: "redis://host:port/db?cache_name=NAME".
	Form string
	// Means says what it opens: "Redis, a key prefix per cache_name".
	Means string
}

// Register makes a URL scheme known to Open, with the form of its URLs.
// Store packages call it from init. It panics, as sql.Register does, on an
// empty scheme, a nil opener, a form that does not start with the scheme,
// or a scheme registered twice: those are programming errors.
func Register(scheme string, open Opener, form URLForm) {
	scheme = strings.ToLower(scheme)
	registry.Lock()
	defer registry.Unlock()
	if scheme == "" || open == nil {
		panic("storage: Register needs a scheme and an opener")
	}
	if !strings.HasPrefix(strings.ToLower(form.Form), scheme+":") {
		panic("storage: Register: the form of scheme " + scheme + " must be a URL of that scheme, got " + strconvQuote(form.Form))
	}
	if _, dup := registry.m[scheme]; dup {
		panic("storage: Register called twice for scheme " + scheme)
	}
	registry.m[scheme] = open
	registry.forms[scheme] = form
}

// URLForms returns the forms of the registered schemes, in the order of
// Schemes.
func URLForms() []URLForm {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]URLForm, 0, len(registry.forms))
	for _, s := range schemesLocked() {
		out = append(out, registry.forms[s])
	}
	return out
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	return schemesLocked()
}

func schemesLocked() []string {
	out := make([]string, 0, len(registry.m))
	for s := range registry.m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Open opens the Backend that rawURL names, through the store registered for
// its scheme. The caller closes the Backend. Its errors never show the
// password of rawURL: it shows the URL as RedactURL does, and passes the
// opener's error through RedactError. A URL whose scheme no imported
// package registered is an error wrapping ErrInvalidURL; for the schemes of
// this project's stores it names the package to import.
func Open(ctx context.Context, rawURL string) (*Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: %w: %w", ErrInvalidURL, RedactError(err, rawURL))
	}
	if u.Scheme == "" {
		return nil, fmt.Errorf("storage: %w: %q has no scheme; use one of %s", ErrInvalidURL, RedactURL(rawURL), schemeList())
	}
	registry.RLock()
	open := registry.m[strings.ToLower(u.Scheme)]
	registry.RUnlock()
	if open == nil {
		return nil, InvalidURL(unregistered(u.Scheme, rawURL))
	}
	b, err := open(ctx, u)
	// The openers redact their own messages; this catches what a driver
	// repeats of the URL, now or in a later version.
	return b, RedactError(err, rawURL)
}

// storePackages names, for each URL scheme a store of this project
// registers, the package to import for it.
var storePackages = map[string]string{
	"memory":      "github.com/clientcache/clientcache/storage/memstore",
	"file":        "github.com/clientcache/clientcache/storage/filestore",
	"sqlite":      "github.com/clientcache/clientcache/storage/sqlitestore",
	"redis":       "github.com/clientcache/clientcache/storage/redisstore",
	"rediss":      "github.com/clientcache/clientcache/storage/redisstore",
	"mongodb":     "github.com/clientcache/clientcache/storage/mongostore",
	"mongodb+srv": "github.com/clientcache/clientcache/storage/mongostore",
	"dynamodb":    "github.com/clientcache/clientcache/storage/dynamostore",
}

// unregistered is the error of Open for a URL whose scheme no imported
// package registered: for a scheme of this project's stores, it names the
// package to import; for any other, it lists the registered schemes.
func unregistered(scheme, rawURL string) error {
	if pkg, ok := storePackages[strings.ToLower(scheme)]; ok {
		return fmt.Errorf("storage: no store registered for scheme %q: import _ %q", scheme, pkg)
	}
	return fmt.Errorf("storage: no store registered for scheme %q in %q; registered schemes: %s",
		scheme, RedactURL(rawURL), schemeList())
}

// RedactURL returns rawURL as a message may show it: with the password of
// its user information, if any, and those of the URLs its query holds as
// values (dynamodb://t?endpoint=http://user:password@host), replaced by
// "xxxxx", and otherwise exactly as written (url.URL.Redacted re-encodes the
// rest). It finds the password in strings that url.Parse rejects or
// misreads too, such as a password with an unescaped '/' or '#' in it
// (redis://user:pass/word@host), a scheme missing a slash
// (redis:/user:password@host) or missing entirely (user:password@host:6379).
func RedactURL(rawURL string) string {
	s := rawURL
	if i, j := passwordSpan(rawURL); i < j {
		s = rawURL[:i] + redactedPassword + rawURL[j:]
	}
	return scrub(s, querySecrets(rawURL))
}

// RedactError returns err for a message about rawURL: an error whose message
// is err's with the passwords that RedactURL hides, as written,
// percent-decoded or re-encoded, replaced by "xxxxx", and which unwraps to
// err. Passwords shorter than 3 bytes are not searched for, lest the rest of
// the message be garbled. The *url.Error of url.Parse(rawURL) itself is
// replaced by one about RedactURL(rawURL), since its cause may quote a part
// of the password (url.Parse reads "redis://user:pass/word@host" as a host
// with port ":pass"); it is still a *url.Error. RedactError returns err
// itself when there is nothing to hide, and nil for nil.
func RedactError(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	i, j := passwordSpan(rawURL)
	// url.Parse names rawURL without its fragment.
	beforeFragment, _, _ := strings.Cut(rawURL, "#")
	if ue, ok := err.(*url.Error); ok && i < j && (ue.URL == rawURL || ue.URL == beforeFragment) {
		shown := RedactURL(rawURL)
		// The cause, found again in the redacted URL, cannot hold the
		// password. When the redacted URL parses, the password was the
		// trouble: say so without quoting it.
		cause := errors.New("the user information does not parse; percent-encode the special characters of the password (such as %, /, ? and #)")
		if _, err := url.Parse(shown); err != nil {
			if pe, ok := err.(*url.Error); ok {
				cause = pe.Err
			}
		}
		return &url.Error{Op: ue.Op, URL: shown, Err: cause}
	}
	var secrets []string
	if i < j {
		secrets = passwordForms(rawURL[i:j])
	}
	secrets = append(secrets, querySecrets(rawURL)...)
	msg := err.Error()
	redacted := scrub(msg, secrets)
	if redacted == msg {
		return err
	}
	return &redactedError{msg: redacted, err: err}
}

// redactedPassword replaces a password in messages.
const redactedPassword = "xxxxx"

// redactedError is an error whose message had a password taken out.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// scrub replaces every one of secrets in s, the longest first, leaving out
// those shorter than 3 bytes.
func scrub(s string, secrets []string) string {
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, secret := range slices.Compact(secrets) {
		if len(secret) >= 3 {
			s = strings.ReplaceAll(s, secret, redactedPassword)
		}
	}
	return s
}

// passwordForms returns the spellings that a message may hold of the
// password written as raw in a URL.
func passwordForms(raw string) []string {
	forms := []string{raw, url.QueryEscape(raw)}
	if dec, err := url.PathUnescape(raw); err == nil {
		// How url.URL.String writes it back, and how a query holds that.
		enc := strings.TrimPrefix(url.UserPassword("", dec).String(), ":")
		forms = append(forms, dec, enc, url.QueryEscape(enc))
	}
	return forms
}

// querySecrets returns the spellings of the passwords of the URLs that the
// query of rawURL holds as values (or names, when "name=" was forgotten),
// percent-encoded or not.
func querySecrets(rawURL string) []string {
	_, query, ok := strings.Cut(rawURL, "?")
	if !ok {
		return nil
	}
	var secrets []string
	for pair := range strings.SplitSeq(query, "&") {
		name, value, _ := strings.Cut(pair, "=")
		var values []string
		for _, s := range []string{name, value} {
			values = append(values, s)
			if v, err := url.QueryUnescape(s); err == nil && v != s {
				values = append(values, v)
			}
		}
		for _, v := range values {
			if !strings.Contains(v, "@") {
				continue
			}
			if i, j := passwordSpan(v); i < j {
				secrets = append(secrets, passwordForms(v[i:j])...)
			}
		}
	}
	return secrets
}

// passwordSpan returns where the password of rawURL's user information is,
// rawURL[i:j], or i == j when there is none.
func passwordSpan(rawURL string) (i, j int) {
	u, err := url.Parse(rawURL)
	switch {
	case err == nil && u.User != nil:
		if _, has := u.User.Password(); !has {
			return 0, 0
		}
		// The authority as url.Parse cut it: after "//", before the
		// fragment, the query and the path.
		s, _, _ := strings.Cut(rawURL, "#")
		s, _, _ = strings.Cut(s, "?")
		k := strings.Index(s, "//")
		if k < 0 {
			return 0, 0
		}
		k += 2
		auth := s[k:]
		if e := strings.IndexByte(auth, '/'); e >= 0 {
			auth = auth[:e]
		}
		at := strings.LastIndexByte(auth, '@')
		if at < 0 {
			return 0, 0
		}
		c := strings.IndexByte(auth[:at], ':')
		if c < 0 {
			return 0, 0
		}
		return k + c + 1, k + at
	case err == nil:
		// No password where url.Parse looks for one, but perhaps one it
		// misread as an opaque part or a path (redis:/user:pw@host). The
		// query may hold an '@' of its own, and a path a '/' and an '@'
		// (sqlite:///a:b/me@work/c.sqlite).
		s, _, _ := strings.Cut(rawURL, "?")
		return userinfoSpan(s, false)
	default:
		return userinfoSpan(rawURL, true)
	}
}

// userinfoSpan finds a password in s, which url.Parse does not read as a URL
// with user information, by its form alone: what follows the first ':' of
// the user information, which runs from after the scheme and its slashes up
// to the last '@'. Unless slashes is true, user information with a '/' in
// it is taken for a path.
func userinfoSpan(s string, slashes bool) (i, j int) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return 0, 0
	}
	head := s[:at]
	var start int
	if n := schemeLen(head); n > 0 {
		rest := head[n:]
		trimmed := strings.TrimLeft(rest, "/")
		switch {
		case strings.Contains(trimmed, ":"):
			start = n + len(rest) - len(trimmed)
		case trimmed == rest:
			// The "scheme" was the user name: user:password@host.
			start = 0
		default:
			return 0, 0 // a path with an '@' (file:///home/me@work/dir)
		}
	} else if strings.HasPrefix(head, "//") {
		start = 2
	} else {
		return 0, 0 // a path (/home/me@work/dir)
	}
	c := strings.IndexByte(head[start:], ':')
	if c < 0 || !slashes && strings.Contains(head[start:], "/") {
		return 0, 0
	}
	return start + c + 1, at
}

// schemeLen returns the length of the "scheme:" that s starts with (RFC 3986
// §3.1), or 0.
func schemeLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

func schemeList() string {
	s := Schemes()
	if len(s) == 0 {
		return "(none: import a store package)"
	}
	for i := range s {
		s[i] += "://"
	}
	return strings.Join(s, ", ")
}
