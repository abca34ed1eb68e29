package sqlitestore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// onDisk returns the bytes that the database at path takes: the file and
// its WAL.
func onDisk(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err == nil {
			n += fi.Size()
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return n
}

// checkpointed returns onDisk after a checkpoint that truncates the WAL.
func checkpointed(t *testing.T, b *storage.Backend, path string) int64 {
	t.Helper()
	var busy, frames, done int
	if err := dbOf(b).QueryRowContext(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		t.Fatalf("wal_checkpoint(TRUNCATE) = (busy %d, %v)", busy, err)
	}
	return onDisk(t, path)
}

// fill writes n values of 100 KB into s, expiring at exp (zero: never).
func fill(t *testing.T, s storage.Storage, prefix string, n int, exp time.Time) {
	t.Helper()
	for i := range n {
		v := bytes.Repeat([]byte{byte(i)}, 100<<10)
		if err := s.(storage.ExpiringWriter).WriteWithExpiry(t.Context(), fmt.Sprint(prefix, i), v, exp); err != nil {
			t.Fatal(err)
		}
	}
}

const nearlyEmpty = 256 << 10 // the schema's pages and the redirects, with room to spare

// After Clear, a 20 MB cache file shrinks to nearly nothing: in a file Open
// created (incremental auto-vacuum), and in a file of an earlier version
// without auto-vacuum, which Clear switches to it.
func TestClearGivesSpaceBack(t *testing.T) {
	newFile := func(t *testing.T) string { return filepath.Join(t.TempDir(), "new.sqlite") }
	for _, tc := range []struct {
		name  string
		path  func(t *testing.T) string
		query string // of the name given to Open
		opts  *Options
		mode  string // auto_vacuum after Clear
	}{
		{"new file", newFile, "", nil, "2"},
		{"new file with a budget", newFile, "", &Options{MaxBytes: 1 << 30}, "2"},
		{"file without auto-vacuum", func(t *testing.T) string { return oldFile(t, 0, 0) }, "", nil, "2"},
		{"auto_vacuum(none) in the URI", newFile, "?_pragma=auto_vacuum(none)", nil, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			path := tc.path(t)
			name := path
			if tc.query != "" {
				name = "file:" + path + tc.query
			}
			b, err := Open(ctx, name, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			fill(t, b.Responses, "k", 200, time.Time{})
			if err := b.Redirects.Write(ctx, "alias", []byte("k1")); err != nil {
				t.Fatal(err)
			}
			full := checkpointed(t, b, path)
			if full < 20e6 {
				t.Fatalf("the cache takes %d bytes after writing 20 MB", full)
			}
			if err := b.Responses.Clear(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("file and WAL: %d bytes before Clear, %d after", full, onDisk(t, path))
			if n := onDisk(t, path); n > nearlyEmpty {
				t.Errorf("after Clear the file and WAL take %d bytes, want at most %d", n, nearlyEmpty)
			}
			if n := checkpointed(t, b, path); n > nearlyEmpty {
				t.Errorf("after Clear and a checkpoint the file takes %d bytes, want at most %d", n, nearlyEmpty)
			}
			if got := queryString(t, dbOf(b), "PRAGMA auto_vacuum"); got != tc.mode {
				t.Errorf("auto_vacuum = %s after Clear, want %s", got, tc.mode)
			}
			// What Clear left is intact, and the cache works on.
			if v, err := b.Redirects.Read(ctx, "alias"); err != nil || string(v) != "k1" {
				t.Errorf("Redirects.Read(alias) after Clear = (%q, %v)", v, err)
			}
			fill(t, b.Responses, "again", 3, time.Time{})
			if bu := wantBookkeeping(t, b.Responses.(*store)); bu.Entries != 3 {
				t.Errorf("Budget = %+v after three writes", bu)
			}
		})
	}
}

// A prune that removes most of the cache gives the space back too; one that
// removes little leaves it for the next writes.
func TestPruneGivesSpaceBack(t *testing.T) {
	ctx := t.Context()
	b, path := openTemp(t, nil)
	s := b.Responses.(*store)
	soon := time.Now().Add(time.Hour)
	fill(t, s, "keep", 20, time.Time{})
	fill(t, s, "small", 3, soon)
	fill(t, s, "expiring", 180, soon.Add(time.Hour))
	full := checkpointed(t, b, path)
	if full < 20e6 {
		t.Fatalf("the cache takes %d bytes after writing 20 MB", full)
	}
	// 300 KB of 20 MB: under a quarter of the file.
	if n, err := s.DeleteExpired(ctx, soon.Add(30*time.Minute)); err != nil || n != 3 {
		t.Fatalf("DeleteExpired = (%d, %v), want 3", n, err)
	}
	if n := checkpointed(t, b, path); n != full {
		t.Errorf("a small prune changed the file from %d to %d bytes", full, n)
	}
	if n, err := s.DeleteExpired(ctx, soon.Add(90*time.Minute)); err != nil || n != 180 {
		t.Fatalf("DeleteExpired = (%d, %v), want 180", n, err)
	}
	t.Logf("file: %d bytes before pruning 180 of 200 values of 100 KB, %d after", full, onDisk(t, path))
	if n, want := checkpointed(t, b, path), int64(20*(100<<10)+nearlyEmpty); n > want {
		t.Errorf("after pruning 18 of 20 MB the file takes %d bytes, want at most %d", n, want)
	}
	fill(t, s, "again", 3, time.Time{})
	if v, err := s.Read(ctx, "keep7"); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{7}, 100<<10)) {
		t.Errorf("Read(keep7) after the prune = (%d bytes, %v)", len(v), err)
	}
	wantBookkeeping(t, s)
}
