package sqlitestore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/clientcache/clientcache/storage"
)

// fileState is what a read-only open must leave unchanged.
type fileState struct {
	size    int64
	modTime time.Time
	sum     [32]byte
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{fi.Size(), fi.ModTime(), sha256.Sum256(data)}
}

// writeCache creates a cache at path holding k0..k9, and x0..x9 expired
// (hidden, but there for DeleteExpired to delete), and closes it.
func writeCache(t *testing.T, path string) {
	t.Helper()
	b, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := b.Responses.(*store)
	for i := range 10 {
		k := string(rune('0' + i))
		if err := s.WriteWithExpiry(t.Context(), "k"+k, []byte("v"+k), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// WriteWithExpiry drops a value already past its expiry: the row
		// is written live and then made to expire.
		if err := s.WriteWithExpiry(t.Context(), "x"+k, []byte("v"+k), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.h.db.ExecContext(t.Context(), "UPDATE "+quote(s.name)+" SET expires = ? WHERE key = ?",
			time.Now().Add(-time.Hour).UnixMilli(), "x"+k); err != nil {
			t.Fatal(err)
		}
		if err := b.Redirects.Write(t.Context(), "a"+k, []byte("k"+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyServesHitsAndNeverWrites(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T, path string) (*storage.Backend, error)
	}{
		{"Options.ReadOnly", func(t *testing.T, path string) (*storage.Backend, error) {
			return Open(t.Context(), path, &Options{ReadOnly: true})
		}},
		{"mode=ro", func(t *testing.T, path string) (*storage.Backend, error) {
			return Open(t.Context(), "file:"+path+"?mode=ro", nil)
		}},
		{"URL mode=ro", func(t *testing.T, path string) (*storage.Backend, error) {
			return storage.Open(t.Context(), "sqlite://"+path+"?mode=ro")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "ro.sqlite")
			writeCache(t, path)
			before := stateOf(t, path)
			time.Sleep(20 * time.Millisecond) // so that a write would show in the mtime

			b, err := tc.open(t, path)
			if err != nil {
				t.Fatal(err)
			}
			s := b.Responses.(*store)
			if v, err := s.Read(ctx, "k3"); err != nil || string(v) != "v3" {
				t.Fatalf("Read(k3) = (%q, %v), want (v3, nil)", v, err)
			}
			if v, err := b.Redirects.Read(ctx, "a3"); err != nil || string(v) != "k3" {
				t.Fatalf("Redirects.Read(a3) = (%q, %v), want (k3, nil)", v, err)
			}
			if ok, err := s.Contains(ctx, "k4"); err != nil || !ok {
				t.Fatalf("Contains(k4) = (%v, %v)", ok, err)
			}
			if _, err := s.Read(ctx, "absent"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Read(absent) = %v, want storage.ErrNotFound", err)
			}
			if n, err := s.Size(ctx); err != nil || n != 10 {
				t.Fatalf("Size = (%d, %v), want (10, nil)", n, err)
			}
			n := 0
			for _, err := range s.Keys(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != 10 {
				t.Fatalf("Keys yielded %d keys, want 10", n)
			}

			_, pruneErr := s.DeleteExpired(ctx, time.Now())
			for op, err := range map[string]error{
				"Write":           s.Write(ctx, "k1", []byte("new")),
				"WriteWithExpiry": s.WriteWithExpiry(ctx, "new", []byte("new"), time.Now().Add(time.Hour)),
				"Delete":          s.Delete(ctx, "k1"),
				"DeleteMany":      s.DeleteMany(ctx, []string{"k1", "k2"}),
				"DeleteExpired":   pruneErr,
				"Clear":           s.Clear(ctx),
				"Redirects.Write": b.Redirects.Write(ctx, "a1", []byte("x")),
			} {
				if !errors.Is(err, storage.ErrReadOnly) {
					t.Errorf("%s on a read-only cache: err = %v, want one wrapping storage.ErrReadOnly", op, err)
				}
			}
			if v, err := s.Read(ctx, "k1"); err != nil || string(v) != "v1" {
				t.Fatalf("Read(k1) after refused writes = (%q, %v), want (v1, nil)", v, err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if after := stateOf(t, path); after != before {
				t.Fatalf("the database file changed under a read-only cache: before %+v, after %+v", before, after)
			}
		})
	}
}

func TestReadOnlyKeepsJournalMode(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rollback.sqlite")
	b, err := Open(ctx, "file:"+path+"?_pragma=journal_mode(delete)", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, path)
	b, err = Open(ctx, path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, dbOf(b), "PRAGMA journal_mode"); got != "delete" {
		t.Errorf("journal_mode under a read-only cache = %q, want delete (unchanged)", got)
	}
	if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Read(k) = (%q, %v)", v, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if after := stateOf(t, path); after != before {
		t.Fatal("the database file changed under a read-only cache")
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only open left a -wal file: %v", err)
	}
}

func TestReadOnlyWithoutTablesIsEmpty(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := driver.Open("file:" + path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE unrelated (x)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, path)
	b, err := Open(ctx, path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of a database without the tables: %v", err)
	}
	s := b.Responses
	if _, err := s.Read(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Read = %v, want storage.ErrNotFound", err)
	}
	if ok, err := s.Contains(ctx, "k"); ok || err != nil {
		t.Errorf("Contains = (%v, %v), want (false, nil)", ok, err)
	}
	if n, err := s.Size(ctx); n != 0 || err != nil {
		t.Errorf("Size = (%d, %v), want (0, nil)", n, err)
	}
	for _, err := range s.Values(ctx) {
		t.Errorf("Values yielded a value (err %v), want none", err)
	}
	if err := s.Write(ctx, "k", []byte("v")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Write = %v, want storage.ErrReadOnly", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if after := stateOf(t, path); after != before {
		t.Fatal("the database file changed under a read-only cache")
	}
}

func TestReadOnlyMissingFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nodir")
	_, err := Open(t.Context(), filepath.Join(dir, "cache"), &Options{ReadOnly: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only Open of a missing file: err = %v, want one wrapping fs.ErrNotExist", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read-only Open created the directory: %v", err)
	}
}

// TestReadOnlySeesLaterWrites checks that a reader opened read-only next to
// a writer reads what the writer wrote after it opened.
func TestReadOnlySeesLaterWrites(t *testing.T) {
	ctx := t.Context()
	w, path := openTemp(t, nil)
	if err := w.Responses.Write(ctx, "first", []byte("1")); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	value := bytes.Repeat([]byte("x"), 100<<10)
	if err := w.Responses.Write(ctx, "second", value); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Responses.Read(ctx, "second"); err != nil || !bytes.Equal(v, value) {
		t.Fatalf("read-only Read of a later write = (%d bytes, %v)", len(v), err)
	}
}
