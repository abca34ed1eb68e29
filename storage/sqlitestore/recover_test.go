package sqlitestore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// logBuf is a Logger's output, safe to read while the logger writes.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) warnings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.buf.String()) {
		if strings.Contains(line, "level=WARN") {
			out = append(out, line)
		}
	}
	return out
}

func newLog() (*logBuf, *slog.Logger) {
	l := &logBuf{}
	return l, slog.New(slog.NewTextHandler(l, nil))
}

// realCache returns the bytes of a cache database holding 300 entries of
// 1 KiB, checkpointed and closed (no -wal left).
func realCache(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "real.sqlite")
	b, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]byte, 1024)
	for i := range 300 {
		_, _ = rand.Read(v)
		if err := b.Responses.Write(t.Context(), "key"+strings.Repeat("x", i%7)+string(rune('A'+i)), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// damaged returns the damaged database files of the tests, by name.
func damaged(t *testing.T) map[string][]byte {
	real := realCache(t)
	garbage := make([]byte, 16<<10)
	_, _ = rand.Read(garbage)
	mid := slices.Clone(real)
	const page = 4096
	at := len(mid) / 2 / page * page
	_, _ = rand.Read(mid[at : at+4*page]) // four pages of the responses table
	return map[string][]byte{
		"truncated":    real[:100],
		"garbage":      garbage,
		"zeros":        make([]byte, 16<<10),
		"corrupt page": mid,
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestDamagedFileIsSetAside(t *testing.T) {
	for name, data := range damaged(t) {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			path := filepath.Join(dir, "cache.sqlite")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			logs, logger := newLog()
			b, err := Open(ctx, path, &Options{Logger: logger})
			if err != nil {
				t.Fatalf("Open of a %s database: %v", name, err)
			}
			defer b.Close()

			var aside string
			for _, n := range names(t, dir) {
				if strings.HasPrefix(n, "cache.sqlite.corrupt-") {
					aside = n
				}
			}
			if aside == "" {
				t.Fatalf("directory holds %q: want the damaged file set aside as cache.sqlite.corrupt-<time>", names(t, dir))
			}
			if got, _ := os.ReadFile(filepath.Join(dir, aside)); !bytes.Equal(got, data) {
				t.Error("the set-aside file is not the damaged file")
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("new database: %v, %v; want mode 0600", fi, err)
			}

			if n, err := b.Responses.Size(ctx); err != nil || n != 0 {
				t.Errorf("Size of the new cache = (%d, %v), want (0, nil)", n, err)
			}
			if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
				t.Fatalf("Read = (%q, %v)", v, err)
			}
			if err := b.Redirects.Write(ctx, "a", []byte("k")); err != nil {
				t.Fatal(err)
			}

			w := logs.warnings()
			if len(w) != 1 || !strings.Contains(w[0], path) || !strings.Contains(w[0], aside) {
				t.Fatalf("warnings = %q, want one naming %s and %s", w, path, aside)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}

			// The new cache is sound: reopened, it keeps its entries and
			// nothing more is set aside or logged.
			b, err = Open(ctx, path, &Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
				t.Fatalf("Read after reopening = (%q, %v)", v, err)
			}
			if w := logs.warnings(); len(w) != 1 {
				t.Fatalf("reopening logged %q", w[1:])
			}
		})
	}
}

func TestDamagedFileReadOnlyIsAbsent(t *testing.T) {
	for name, data := range damaged(t) {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			path := filepath.Join(dir, "cache.sqlite")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			before := names(t, dir)
			logs, logger := newLog()
			b, err := Open(ctx, "file:"+path+"?mode=ro", &Options{Logger: logger})
			if err != nil {
				t.Fatalf("read-only Open of a %s database: %v", name, err)
			}
			for _, s := range []storage.Storage{b.Responses, b.Redirects} {
				if _, err := s.Read(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("Read = %v, want storage.ErrNotFound", err)
				}
				if ok, err := s.Contains(ctx, "k"); ok || err != nil {
					t.Errorf("Contains = (%v, %v), want (false, nil)", ok, err)
				}
				if err := s.Write(ctx, "k", []byte("v")); !errors.Is(err, storage.ErrReadOnly) {
					t.Errorf("Write = %v, want storage.ErrReadOnly", err)
				}
				if err := s.Delete(ctx, "k"); !errors.Is(err, storage.ErrReadOnly) {
					t.Errorf("Delete = %v, want storage.ErrReadOnly", err)
				}
				if err := s.Clear(ctx); !errors.Is(err, storage.ErrReadOnly) {
					t.Errorf("Clear = %v, want storage.ErrReadOnly", err)
				}
				if n, err := s.Size(ctx); n != 0 || err != nil {
					t.Errorf("Size = (%d, %v), want (0, nil)", n, err)
				}
				for k, err := range s.Keys(ctx) {
					t.Errorf("Keys yielded (%q, %v), want nothing", k, err)
				}
				for _, err := range s.Values(ctx) {
					t.Errorf("Values yielded a value (%v), want nothing", err)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if after := names(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory holds %q after a read-only open, want %q: nothing renamed or created", after, before)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Error("a read-only open changed the damaged file")
			}
			w := logs.warnings()
			if len(w) != 1 || !strings.Contains(w[0], path) || !strings.Contains(w[0], "read-only") {
				t.Fatalf("warnings = %q, want one naming %s and saying read-only", w, path)
			}
		})
	}
}

// TestReadOnlyDirectory opens, with mode=ro, a cache file of mode 0400 in a
// directory of mode 0500, as on a read-only mount: it must serve hits and
// create no file (-wal, -shm, journal). Permission bits do not stop root, so
// the subtest "not writable" also tells the store the directory is not
// writable, as access(2) says on a read-only mount or to another user.
func TestReadOnlyDirectory(t *testing.T) {
	for _, simulate := range []bool{false, true} {
		name := "permissions"
		if simulate {
			name = "not writable"
		}
		t.Run(name, func(t *testing.T) {
			if !simulate && os.Geteuid() == 0 {
				t.Skip("running as root: permission bits do not stop root; the \"not writable\" subtest covers it")
			}
			if simulate {
				old := dirWritable
				dirWritable = func(string) bool { return false }
				t.Cleanup(func() { dirWritable = old })
			}
			ctx := t.Context()
			dir := filepath.Join(t.TempDir(), "ro")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "cache.sqlite")
			writeCache(t, path)
			if err := os.Chmod(path, 0o400); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
			before := names(t, dir)
			logs, logger := newLog()
			b, err := Open(ctx, "file:"+path+"?mode=ro", &Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if v, err := b.Responses.Read(ctx, "k3"); err != nil || string(v) != "v3" {
				t.Fatalf("Read(k3) = (%q, %v), want (v3, nil)", v, err)
			}
			if n, err := b.Redirects.Size(ctx); err != nil || n != 10 {
				t.Fatalf("Size = (%d, %v), want (10, nil)", n, err)
			}
			if after := names(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory holds %q while open, want %q", after, before)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if after := names(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory holds %q after close, want %q", after, before)
			}
			if w := logs.warnings(); len(w) != 0 {
				t.Errorf("warnings = %q, want none", w)
			}
		})
	}
}

// TestSetAsideMovesSidecars checks that the WAL and the rollback journal of a
// damaged database go with it, under names SQLite finds next to the set-aside
// file, that its -shm is removed, and that nothing overwrites an earlier
// set-aside file.
func TestSetAsideMovesSidecars(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.sqlite")
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600))
	for round, want := range []string{"c.sqlite.corrupt-20250304T040607Z", "c.sqlite.corrupt-20250304T040607Z.2"} {
		for _, sfx := range []string{"", "-wal", "-journal", "-shm"} {
			if err := os.WriteFile(path+sfx, []byte(sfx+strconv.Itoa(round)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		was, _ := os.Stat(path)
		dst, err := setAside(path, was, now)
		if err != nil || dst != filepath.Join(dir, want) {
			t.Fatalf("setAside = (%q, %v), want (%s, nil)", dst, err, want)
		}
		for _, sfx := range []string{"", "-wal", "-journal"} {
			if got, _ := os.ReadFile(dst + sfx); string(got) != sfx+strconv.Itoa(round) {
				t.Errorf("%s%s holds %q", want, sfx, got)
			}
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{
		"c.sqlite.corrupt-20250304T040607Z", "c.sqlite.corrupt-20250304T040607Z-journal", "c.sqlite.corrupt-20250304T040607Z-wal",
		"c.sqlite.corrupt-20250304T040607Z.2", "c.sqlite.corrupt-20250304T040607Z.2-journal", "c.sqlite.corrupt-20250304T040607Z.2-wal",
	}) {
		t.Errorf("directory holds %q", got)
	}

	// A file that is no longer the one found damaged (another process set
	// it aside and made a new cache) is left alone.
	if err := os.WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := os.Stat(filepath.Join(dir, "c.sqlite.corrupt-20250304T040607Z"))
	if dst, err := setAside(path, other, now); dst != "" || err != nil {
		t.Fatalf("setAside of a replaced file = (%q, %v), want (\"\", nil)", dst, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
