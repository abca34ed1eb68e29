package sqlitestore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResolvePath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"/tmp/cache", "/tmp/cache.sqlite"},
		{"/tmp/cache.sqlite", "/tmp/cache.sqlite"},
		{"/tmp/cache.db", "/tmp/cache.db"},
		{"/tmp/cache.d/http", "/tmp/cache.d/http.sqlite"},
		{"/tmp/.cache", "/tmp/.cache.sqlite"}, // a dot file has no extension
		{"~/app/http_cache", filepath.Join(home, "app/http_cache.sqlite")},
		{"~/x.sqlite", filepath.Join(home, "x.sqlite")},
		{"rel/cache", filepath.Join(wd, "rel/cache.sqlite")},
		{"/tmp/a/../b", "/tmp/b.sqlite"},
	}
	for _, tc := range tests {
		got, err := resolvePath(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("resolvePath(%q) = (%q, %v), want (%q, nil)", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", ":memory:", "/", "."} {
		if got, err := resolvePath(bad); err == nil {
			t.Errorf("resolvePath(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name     string
		opts     *Options
		readOnly bool
		pragmas  []string
		wal      bool
		prefix   string
	}{
		{name: "/d/c.sqlite", pragmas: []string{"busy_timeout(5000)", "synchronous(normal)"}, wal: true},
		{name: "/d/c.sqlite", opts: &Options{BusyTimeout: 1500 * time.Millisecond, TablePrefix: "a_"},
			pragmas: []string{"busy_timeout(1500)", "synchronous(normal)"}, wal: true, prefix: "a_"},
		{name: "/d/c.sqlite", opts: &Options{BusyTimeout: -1},
			pragmas: []string{"busy_timeout(0)", "synchronous(normal)"}, wal: true},
		{name: "/d/c.sqlite", opts: &Options{ReadOnly: true}, readOnly: true,
			pragmas: []string{"busy_timeout(5000)", "synchronous(normal)"}},
		{name: "file:/d/c.sqlite?mode=ro", readOnly: true,
			pragmas: []string{"busy_timeout(5000)", "synchronous(normal)"}},
		{name: "file:/d/c.sqlite?immutable=1", readOnly: true,
			pragmas: []string{"busy_timeout(5000)", "synchronous(normal)"}},
		{name: "file:///d/c.sqlite?_pragma=cache_size(-4000)&_pragma=busy_timeout(99)",
			pragmas: []string{"cache_size(-4000)", "busy_timeout(99)", "synchronous(normal)"}, wal: true},
		{name: "file:/d/c.sqlite?_pragma=journal_mode(delete)&_pragma=main.synchronous=FULL&table_prefix=x",
			opts:    &Options{TablePrefix: "ignored"},
			pragmas: []string{"busy_timeout(5000)", "journal_mode(delete)", "main.synchronous=FULL"}, prefix: "x"},
	}
	for _, tc := range tests {
		c, err := newConfig(tc.name, tc.opts)
		if err != nil {
			t.Errorf("newConfig(%q): %v", tc.name, err)
			continue
		}
		if c.path != "/d/c.sqlite" || c.readOnly != tc.readOnly || c.setWAL != tc.wal || c.prefix != tc.prefix ||
			strings.Join(c.params["_pragma"], " ") != strings.Join(tc.pragmas, " ") {
			t.Errorf("newConfig(%q, %+v) = path %q readOnly %v WAL %v prefix %q pragmas %q; want /d/c.sqlite %v %v %q %q",
				tc.name, tc.opts, c.path, c.readOnly, c.setWAL, c.prefix, c.params["_pragma"], tc.readOnly, tc.wal, tc.prefix, tc.pragmas)
		}
		if tc.readOnly && c.params.Get("mode") != "ro" && c.params.Get("immutable") == "" {
			t.Errorf("newConfig(%q): read-only without mode=ro in %v", tc.name, c.params)
		}
	}
}

func TestNewConfigErrors(t *testing.T) {
	tests := []struct{ name, wantInErr string }{
		{"file:/d/c.sqlite?bogus=1", `"bogus"`},
		{"file:/d/c.sqlite?_busy_timeout=10", `"_busy_timeout"`},
		{"file:/d/c.sqlite?mode=memory", "mode=memory"},
		{"file:/d/c.sqlite?table_prefix=a-b", `"a-b"`},
		{"file://example.com/d/c.sqlite", `"example.com"`},
		{"file:/d/c.sqlite?a=%zz", "invalid query"},
		{"", "no database path"},
	}
	for _, tc := range tests {
		_, err := newConfig(tc.name, nil)
		if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("newConfig(%q) error = %v, want one containing %s", tc.name, err, tc.wantInErr)
		}
	}
	if _, err := newConfig("/d/c", &Options{TablePrefix: "1x"}); err == nil {
		t.Errorf("newConfig with TablePrefix 1x: no error")
	}
}

func TestDSN(t *testing.T) {
	c, err := newConfig("/d/with space?#%/c", &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "file:///d/with%20space%3F%23%25/c.sqlite?_pragma=busy_timeout%285000%29&_pragma=synchronous%28normal%29&mode=ro&vfs=" + privateVFS
	if got := c.dsn(); got != want {
		t.Errorf("dsn() = %q, want %q", got, want)
	}
	// A VFS the caller names replaces the store's own.
	if c, err = newConfig("file:/d/c.sqlite?vfs=os", nil); err != nil {
		t.Fatal(err)
	}
	if got := c.params["vfs"]; len(got) != 1 || got[0] != "os" {
		t.Errorf("vfs parameters = %q, want [os]", got)
	}
}
