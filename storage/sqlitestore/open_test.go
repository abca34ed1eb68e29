package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/clientcache/clientcache/storage"
)

// dbOf returns the *sql.DB behind a Backend.
func dbOf(b *storage.Backend) *sql.DB { return b.Responses.(*store).h.db }

func queryString(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), query).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func TestOpenCreatesParentsUnderHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	b, err := Open(t.Context(), "~/a/b/http_cache", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Responses.Write(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "a/b/http_cache.sqlite")); err != nil {
		t.Fatalf("database file: %v", err)
	}
	for _, dir := range []string{"a", "a/b"} {
		fi, err := os.Stat(filepath.Join(home, dir))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("directory %s has mode %v, want 0700", dir, perm)
		}
	}
}

func TestConnectionSettings(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name                string
		path                string
		opts                *Options
		busy, sync, journal string
	}{
		{"defaults", filepath.Join(dir, "a"), nil, "5000", "1", "wal"},
		{"Options.BusyTimeout", filepath.Join(dir, "b"), &Options{BusyTimeout: 2 * time.Second}, "2000", "1", "wal"},
		{"URI pragmas", "file:" + filepath.Join(dir, "c.sqlite") + "?_pragma=busy_timeout(1234)&_pragma=synchronous(full)",
			&Options{BusyTimeout: time.Second}, "1234", "2", "wal"},
		{"URI journal mode", "file:" + filepath.Join(dir, "d.sqlite") + "?_pragma=journal_mode(truncate)", nil, "5000", "1", "truncate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Open(t.Context(), tc.path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if got, want := b.Responses.(*store).pointReadsRunToEnd, tc.journal == "wal"; got != want {
				t.Errorf("point reads run to end = %v, want %v (only in WAL mode)", got, want)
			}
			db := dbOf(b)
			db.SetMaxOpenConns(3) // several connections: each must have the settings
			for range 3 {
				if got := queryString(t, db, "PRAGMA busy_timeout"); got != tc.busy {
					t.Errorf("busy_timeout = %s, want %s", got, tc.busy)
				}
				if got := queryString(t, db, "PRAGMA synchronous"); got != tc.sync {
					t.Errorf("synchronous = %s, want %s", got, tc.sync)
				}
				if got := queryString(t, db, "PRAGMA journal_mode"); got != tc.journal {
					t.Errorf("journal_mode = %s, want %s", got, tc.journal)
				}
			}
		})
	}
}

func TestPruneUsesIndex(t *testing.T) {
	b, _ := openTemp(t, &Options{TablePrefix: "app_"})
	s := b.Responses.(*store)
	plan := func(query string, args ...any) string { return queryPlan(t, s, query, args...) }
	// A covering index since the table has triggers that read only the key.
	if p := plan(s.q.prune, time.Now().Unix()); !strings.Contains(p, "INDEX app_responses_expires") {
		t.Errorf("plan of %q = %q, want a search of index app_responses_expires", s.q.prune, p)
	}
	if p := plan(s.q.read, "k", 0); !strings.Contains(p, "SEARCH app_responses USING INDEX sqlite_autoindex_app_responses_1 (key=?)") {
		t.Errorf("plan of %q = %q, want a primary key search", s.q.read, p)
	}
}

func TestTablePrefix(t *testing.T) {
	b, _ := openTemp(t, &Options{TablePrefix: "app_"})
	const want = "app_redirects app_responses"
	if got := queryString(t, dbOf(b), "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)"); got != want {
		t.Errorf("tables = %q, want %s", got, want)
	}
	if got := b.Redirects.(*store).name; got != "app_redirects" {
		t.Errorf("the table of Redirects = %q", got)
	}
}

func TestCloseClosesOwnDatabaseAfterBoth(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, nil)
	db := dbOf(b)
	if err := b.Responses.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatalf("Redirects.Write after Responses.Close: %v", err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("database closed while Redirects was open: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Backend.Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Backend.Close: %v", err)
	}
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("the database Open opened is still open after both storages closed")
	}
	if _, err := b.Redirects.Read(ctx, "k"); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Read after Close: %v, want storage.ErrClosed", err)
	}
}

// callersDB opens a database as a caller of New would, in WAL mode, and
// closes it when t ends.
func callersDB(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "own.sqlite")
	db, err := driver.Open("file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestNewOnCallersDB checks what New does with the caller's *sql.DB beyond
// what TestBackend specifies (Close leaves it working): the tables are in
// it, reads through it watch their context, and a read-only Backend on the
// same tables reads what another wrote.
func TestNewOnCallersDB(t *testing.T) {
	ctx := t.Context()
	db := callersDB(t)
	b, err := New(ctx, db, &Options{TablePrefix: "c_"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if b.Responses.(*store).pointReadsRunToEnd {
		t.Error("reads through a caller's *sql.DB do not watch their context")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, db, `SELECT value FROM c_responses WHERE key = 'k'`); got != "v" {
		t.Fatalf("value in the caller's database = %q, want v", got)
	}
	// A second Backend over the same tables sees the data.
	b2, err := New(ctx, db, &Options{TablePrefix: "c_", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if v, err := b2.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Read through a second Backend = (%q, %v)", v, err)
	}
	if _, err := New(ctx, nil, nil); err == nil {
		t.Fatal("New(nil db): no error")
	}
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := filepath.Join(t.TempDir(), "sub")
	if _, err := Open(ctx, filepath.Join(dir, "c"), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open with a cancelled context created the directory: %v", err)
	}
	db, err := driver.Open("file:" + filepath.Join(t.TempDir(), "x.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := New(ctx, db, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("New with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := New(t.Context(), db, &Options{TablePrefix: "bad-prefix"}); err == nil {
		t.Fatal("New with an invalid table prefix: no error")
	}
}

func TestNewDatabaseFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "private.sqlite")
	b, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Responses.Write(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != want {
			t.Errorf("%s has mode %v, want %v", name, perm, want)
		}
	}
}

// queryPlan returns SQLite's plan for query on s's database, its steps
// joined with "; ".
func queryPlan(t *testing.T, s *store, query string, args ...any) string {
	t.Helper()
	rows, err := s.h.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return strings.Join(out, "; ")
}
