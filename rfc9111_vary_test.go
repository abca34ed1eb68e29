package clientcache_test

// RFC 9111 §4.1: calculating cache keys with Vary.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// varyOrigin scripts path to answer with "Vary: <vary>", max-age=600 and a
// body naming the request's value of field and the request number.
func varyOrigin(h *harness, path, vary, field string) {
	h.route(path, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, strings.Join(r.Header.Values(field), "|")+"#"+strconv.Itoa(n),
			"Vary: "+vary, "Cache-Control: max-age=600")
	})
}

// §4.1: a stored response is used only for a request whose fields named by
// Vary match the request it answered; the cache keeps several variants per
// URL.
func TestRFC9111_4_1_SeveralVariants(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		varyOrigin(h, "/r", "Accept", "Accept")
		h.expect(h.get("/r", "Accept: text/html"), http.StatusOK, "text/html#1")
		h.expect(h.get("/r", "Accept: application/json"), http.StatusOK, "application/json#2")
		h.expect(h.get("/r"), http.StatusOK, "#3") // absent matches absent only
		h.advance(time.Minute)
		h.expect(h.get("/r", "Accept: text/html"), http.StatusOK, "text/html#1")
		h.expect(h.get("/r", "Accept: application/json"), http.StatusOK, "application/json#2")
		h.expect(h.get("/r"), http.StatusOK, "#3")
		h.expect(h.get("/r", "Accept: image/png"), http.StatusOK, "image/png#4")
		h.expect(h.get("/r", "Accept: text/html"), http.StatusOK, "text/html#1")
		h.expectHits("/r", 4)
	})
}

// §4.1: field names in Vary are case-insensitive, every listed field must
// match, and Vary lines combine.
func TestRFC9111_4_1_SeveralFields(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, http.StatusOK, "v"+strconv.Itoa(n), "Vary: accept-language", "Vary: X-Device", "Cache-Control: max-age=600")
		})
		h.get("/r", "Accept-Language: en", "X-Device: phone")
		h.expect(h.get("/r", "Accept-Language: en", "X-Device: phone"), http.StatusOK, "v1")
		h.expect(h.get("/r", "Accept-Language: en", "X-Device: desktop"), http.StatusOK, "v2")
		h.expect(h.get("/r", "Accept-Language: fr", "X-Device: phone"), http.StatusOK, "v3")
		h.expect(h.get("/r", "Accept-Language: en"), http.StatusOK, "v4")
		h.expect(h.get("/r", "Accept-Language: en", "X-Device: phone"), http.StatusOK, "v1")
	})
}

// §4.1: Vary: * (in any position, on any line) never matches: the response
// is not reused.
func TestRFC9111_4_1_VaryStarNeverMatches(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		for i, vary := range [][]string{{"*"}, {"Accept, *"}, {"*, Accept"}, {"Accept", "*"}} {
			p := "/star/" + strconv.Itoa(i)
			header := []string{"Cache-Control: max-age=600"}
			for _, v := range vary {
				header = append(header, "Vary: "+v)
			}
			h.static(p, http.StatusOK, header...)
			h.get(p, "Accept: text/html")
			h.expect(h.get(p, "Accept: text/html"), http.StatusOK, "v2")
		}
	})
}

// §4.1: values are compared after combining field lines and normalising the
// whitespace the field's syntax allows; order still matters.
func TestRFC9111_4_1_NormalisedComparison(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		varyOrigin(h, "/r", "Accept-Language", "Accept-Language")
		h.get("/r", "Accept-Language: en, fr")
		for _, same := range [][]string{
			{"Accept-Language: en,fr"},
			{"Accept-Language: en ,  fr"},
			{"Accept-Language: en", "Accept-Language: fr"},
		} {
			r := h.get("/r", same...)
			if !strings.HasSuffix(r.body, "#1") {
				t.Errorf("%q did not select the variant stored for \"en, fr\": got %q", same, r.body)
			}
		}
		if r := h.get("/r", "Accept-Language: fr, en"); strings.HasSuffix(r.body, "#1") {
			t.Error(`"fr, en" selected the variant stored for "en, fr"`)
		}
	})
}

// §4.1, §4.3.4: revalidating one variant updates that variant and keeps the
// others.
func TestRFC9111_4_1_VariantsRevalidatedApart(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		h.route("/r", func(w http.ResponseWriter, r *http.Request, n int) {
			etag := `"` + r.Header.Get("Accept") + `"`
			if r.Header.Get("If-None-Match") == etag {
				reply(w, http.StatusNotModified, "", "ETag: "+etag, "Vary: Accept", "Cache-Control: max-age=60", "X-Seen: "+strconv.Itoa(n))
				return
			}
			reply(w, http.StatusOK, r.Header.Get("Accept")+"#"+strconv.Itoa(n), "ETag: "+etag, "Vary: Accept", "Cache-Control: max-age=60")
		})
		h.get("/r", "Accept: a")
		h.get("/r", "Accept: b")
		h.advance(2 * time.Minute)
		r := h.get("/r", "Accept: a")
		h.expect(r, http.StatusOK, "a#1")
		if got := h.origin.last("/r").Header.Get("If-None-Match"); got != `"a"` {
			t.Errorf("revalidation of variant a sent If-None-Match %q", got)
		}
		h.expect(h.get("/r", "Accept: a"), http.StatusOK, "a#1")
		h.expectHits("/r", 3)
		r = h.get("/r", "Accept: b") // still stale: revalidated in turn
		h.expect(r, http.StatusOK, "b#2")
		if got := h.origin.last("/r").Header.Get("If-None-Match"); got != `"b"` {
			t.Errorf("revalidation of variant b sent If-None-Match %q", got)
		}
		h.expectHits("/r", 4)
	})
}

// §4.1: whitespace inside a quoted-string is part of the value; and a Vary
// member that is not a field name cannot be matched, like "*".
func TestRFC9111_4_1_QuotedStringsAndInvalidMembers(t *testing.T) {
	rfcRun(t, func(t *testing.T, h *harness) {
		varyOrigin(h, "/quoted", "X-Q", "X-Q")
		h.get("/quoted", `X-Q: "a  b", c`)
		if r := h.get("/quoted", `X-Q: "a  b",c`); !strings.HasSuffix(r.body, "#1") {
			t.Errorf("whitespace around a comma counted: got %q", r.body)
		}
		if r := h.get("/quoted", `X-Q: "a b", c`); strings.HasSuffix(r.body, "#1") {
			t.Errorf("whitespace inside a quoted-string ignored: got %q", r.body)
		}
		for i, vary := range []string{`"Accept"`, "Accept;q=1", "Accept Language"} {
			p := "/invalid/" + strconv.Itoa(i)
			h.static(p, http.StatusOK, "Vary: "+vary, "Cache-Control: max-age=600")
			h.get(p)
			h.expect(h.get(p), http.StatusOK, "v2")
		}
	})
}
