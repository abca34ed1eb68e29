package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

var showCommand = &command{
	name:     "show",
	synopsis: "URL",
	summary:  "show the stored response to a GET of URL: status, headers, times, body",
	help: `Exits with 1 when no response to a GET of URL is stored. A URL whose query
carries credentials (api_key=..., or a --credential name) is found with the
--credential names it was stored with.
`,
	keyed: true,
	run:   runShow,
}

func runShow(ctx context.Context, e *env, c *command, args []string) error {
	m, pos, err := parseManaged(ctx, e, c, args, one, nil)
	if err != nil {
		return err
	}
	defer m.close(e)
	if _, err := url.Parse(pos[0]); err != nil {
		return usagef("show: %q is not a URL: %v", pos[0], unwrapURLError(err))
	}
	r, err := m.cache.ResponseForURL(ctx, pos[0])
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("clientcache: show: no stored response to GET %s", pos[0])
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, describe(r, time.Now()))
	return err
}

// describe formats a stored response for show.
func describe(r *clientcache.CachedResponse, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "URL:      %s\n", r.URL)
	fmt.Fprintf(&b, "Method:   %s\n", r.Method)
	fmt.Fprintf(&b, "Status:   %d %s\n", r.StatusCode, statusText(r.StatusCode))
	fmt.Fprintf(&b, "Key:      %s\n", r.Key)
	fmt.Fprintf(&b, "Created:  %s (%s ago)\n", r.CreatedAt.Format(time.RFC3339), roundDuration(now.Sub(r.CreatedAt)))
	switch {
	case r.Expires.IsZero():
		b.WriteString("Expires:  never\n")
	case r.IsExpired(now):
		fmt.Fprintf(&b, "Expires:  %s (expired %s ago)\n", r.Expires.Format(time.RFC3339), roundDuration(now.Sub(r.Expires)))
	default:
		fmt.Fprintf(&b, "Expires:  %s (in %s)\n", r.Expires.Format(time.RFC3339), roundDuration(r.Expires.Sub(now)))
	}
	b.WriteString("Headers:\n")
	writeHeader(&b, r.Header, "  ")
	fmt.Fprintf(&b, "Body:     %s\n", bodySummary(r.Body))
	return b.String()
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "(unknown status)"
}

func roundDuration(d time.Duration) time.Duration {
	return max(d, 0).Round(time.Second)
}

// bodySummary is the size of a body and, for text, its beginning quoted on
// one line (terminal-safe whatever the body holds).
func bodySummary(body []byte) string {
	const preview = 120
	if len(body) == 0 {
		return "empty"
	}
	head, cut := body, false
	if len(head) > preview {
		head, cut = head[:preview], true
		// Do not count a rune cut in half as binary.
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	if !isText(head) {
		return fmt.Sprintf("%s, binary", plural(len(body), "byte"))
	}
	s := fmt.Sprintf("%s: %q", plural(len(body), "byte"), head)
	if cut {
		s += "..."
	}
	return s
}

// isText reports whether b looks like text: UTF-8 with no control
// characters but whitespace.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
