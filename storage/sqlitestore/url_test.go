package sqlitestore

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
)

func TestURLPath(t *testing.T) {
	tests := []struct{ url, want string }{
		{"sqlite:///var/cache/app.sqlite", "/var/cache/app.sqlite"},
		{"sqlite://localhost/var/cache/app.sqlite", "/var/cache/app.sqlite"},
		{"sqlite:///var/with%20space/app", "/var/with space/app"},
		{"sqlite://~/cache/app.sqlite", "~/cache/app.sqlite"},
		{"sqlite:rel/app.sqlite", "rel/app.sqlite"},
		{"sqlite:///c.sqlite?mode=ro", "/c.sqlite"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := urlPath(u); err != nil || got != tc.want {
			t.Errorf("urlPath(%q) = (%q, %v), want (%q, nil)", tc.url, got, err, tc.want)
		}
	}
}

func TestOpenURL(t *testing.T) {
	ctx := t.Context()
	home := t.TempDir()
	t.Setenv("HOME", home)
	b, err := storage.Open(ctx, "sqlite://~/sub/cache?_pragma=busy_timeout(777)&table_prefix=u_")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s := b.Responses.(*store)
	if s.name != "u_responses" {
		t.Errorf("table = %q, want u_responses", s.name)
	}
	if got := queryString(t, s.h.db, "PRAGMA busy_timeout"); got != "777" {
		t.Errorf("busy_timeout = %s, want 777", got)
	}
	var seq int
	var name, file string
	if err := s.h.db.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, "sub", "cache.sqlite"); file != want {
		t.Errorf("database file = %q, want %q", file, want)
	}
}

func TestOpenURLErrors(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	tests := []struct{ url, wantInErr string }{
		{"sqlite:///" + dir + "/c.sqlite?cache_name=x", `unknown connection parameter "cache_name"`},
		{"sqlite:///" + dir + "/c.sqlite?busy_timeout=5s", `unknown connection parameter "busy_timeout"`},
		{"sqlite://example.com/c.sqlite", `names host "example.com"`},
		{"sqlite://user:secret@localhost/c.sqlite", "user information"},
		{"sqlite:///" + dir + "/c.sqlite?mode=memory", "mode=memory"},
		{"sqlite:///" + dir + "/missing.sqlite?mode=ro", "read-only"},
		{"sqlite:///" + dir + "/c.sqlite?_pragma=busy_timeout(", "invalid _pragma"},
	}
	for _, tc := range tests {
		b, err := storage.Open(t.Context(), tc.url)
		if err == nil {
			_ = b.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("storage.Open(%q) error = %v, want one containing %q", tc.url, err, tc.wantInErr)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows the URL's password", err)
		}
	}
}
