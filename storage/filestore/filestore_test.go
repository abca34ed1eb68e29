package filestore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/filestore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage { return newStore(t, t.TempDir(), nil) })
}

func TestConformanceOfOpenedBackend(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b, err := filestore.Open(t.Context(), t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b.Responses
	})
}

// TestBackend runs the Backend specification on Open's: the directory is the
// cache_name, so opening it again sees the same entries. There is no client.
func TestBackend(t *testing.T) { runBackendSpec(t, nil) }

// runBackendSpec runs the Backend specification on stores Open makes with
// opts.
func runBackendSpec(t *testing.T, opts *filestore.Options) {
	open := func(t *testing.T, dir string) *storage.Backend {
		t.Helper()
		b, err := filestore.Open(t.Context(), dir, opts)
		if err != nil {
			t.Fatalf("Open(%q): %v", dir, err)
		}
		return b
	}
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, t.TempDir()) }, &storagetest.BackendOptions{
		Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend {
			return open(t, filepath.Dir(filestore.DirOf(b.Responses)))
		},
	})
}

// newStore returns one store directly in dir, as Open makes one in each of
// its subdirectories.
func newStore(t *testing.T, dir string, opts *filestore.Options) filestore.TestStore {
	t.Helper()
	s, err := filestore.NewTestStore(dir, opts)
	if err != nil {
		t.Fatalf("NewTestStore(%q): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() }) // stops a scan in the background
	return s
}

// entryPath is where the store keeps key: the hex SHA-256 of the key, as the
// package documents.
func entryPath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:]))
}

func write(t *testing.T, s storage.Storage, key, value string) {
	t.Helper()
	if err := s.Write(t.Context(), key, []byte(value)); err != nil {
		t.Fatalf("Write(%q): %v", key, err)
	}
}

func sortedKeys(t *testing.T, s storage.Storage) []string {
	t.Helper()
	var keys []string
	for k, err := range s.Keys(t.Context()) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func wantKeys(t *testing.T, s storage.Storage, want ...string) {
	t.Helper()
	if got := sortedKeys(t, s); !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
	if n, err := s.Size(t.Context()); err != nil || n != len(want) {
		t.Fatalf("Size = (%d, %v), want (%d, nil)", n, err, len(want))
	}
}

func wantAbsent(t *testing.T, s storage.Storage, key string) {
	t.Helper()
	if _, err := s.Read(t.Context(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Read(%q) err = %v, want ErrNotFound", key, err)
	}
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestNoKeyNamesAPathOutsideTheDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "store")
	s := newStore(t, dir, nil)
	keys := []string{
		"../escape", "../../etc/passwd", "/abs", `..\..\win`, "a/b/c", ".", "..", "",
		"nul\x00byte", "newline\nkey", "üñí©ødé", strings.Repeat("x", 512), strings.Repeat("é", 300),
	}
	for _, k := range keys {
		write(t, s, k, "v:"+k)
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root || path == dir {
			return err
		}
		if filepath.Dir(path) != dir || d.IsDir() || len(d.Name()) != 64 {
			t.Errorf("unexpected file %q: every entry must be a file named by 64 hex digits directly in %q", path, dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	wantKeys(t, s, want...)
	for _, k := range keys {
		if got, err := s.Read(t.Context(), k); err != nil || string(got) != "v:"+k {
			t.Fatalf("Read(%q) = (%q, %v)", k, got, err)
		}
	}
}

func TestPermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "cache")
	b, err := filestore.Open(t.Context(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	write(t, b.Responses, "k", "v")
	for _, dir := range []string{root, filepath.Join(root, "responses"), filepath.Join(root, "redirects")} {
		info, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !info.IsDir() || info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want a directory with mode 0700", dir, info.Mode())
		}
	}
	info, err := os.Stat(entryPath(filepath.Join(root, "responses"), "k"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("entry file mode %v, want 0600", info.Mode().Perm())
	}
}

func TestHomeIsExpanded(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	b, err := filestore.Open(t.Context(), "~/.cache/app", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	write(t, b.Redirects, "alias", "target")
	if !exists(entryPath(filepath.Join(home, ".cache", "app", "redirects"), "alias")) {
		t.Fatalf("no entry file under %s/.cache/app/redirects", home)
	}
	if got := filestore.DirOf(b.Responses); got != filepath.Join(home, ".cache", "app", "responses") {
		t.Fatalf("the directory of Responses = %q", got)
	}
}

func TestOverwriteLeavesOneFileAndNoTemporaries(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	big := bytes.Repeat([]byte("b"), 200<<10) // above the one-write threshold
	for i := range 5 {
		write(t, s, "k", fmt.Sprint("small ", i))
		if err := s.Write(t.Context(), "k", big); err != nil {
			t.Fatal(err)
		}
	}
	write(t, s, "k", "final")
	if names := fileNames(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %q, want only the one entry file", names)
	}
	if got, err := s.Read(t.Context(), "k"); err != nil || string(got) != "final" {
		t.Fatalf("Read = (%q, %v)", got, err)
	}
}

// Every way a file at an entry's name can be wrong: each must read as a
// miss and be removed, never fail or panic.
func TestMalformedFileIsAMissAndRemoved(t *testing.T) {
	good := func(t *testing.T, dir, key string) []byte {
		s := newStore(t, dir, nil)
		write(t, s, key, "a value of some length")
		data, err := os.ReadFile(entryPath(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := map[string]func(t *testing.T, dir, key string) []byte{
		"garbage":       func(*testing.T, string, string) []byte { return []byte("this is not an entry file at all") },
		"empty":         func(*testing.T, string, string) []byte { return nil },
		"short header":  func(t *testing.T, dir, key string) []byte { return good(t, dir, key)[:10] },
		"truncated":     func(t *testing.T, dir, key string) []byte { d := good(t, dir, key); return d[:len(d)-3] },
		"appended":      func(t *testing.T, dir, key string) []byte { return append(good(t, dir, key), "junk"...) },
		"other version": func(t *testing.T, dir, key string) []byte { d := good(t, dir, key); d[4] = 99; return d },
		"huge key length": func(t *testing.T, dir, key string) []byte {
			d := good(t, dir, key)
			d[13], d[14] = 0xff, 0xff
			return d
		},
		"huge value length": func(t *testing.T, dir, key string) []byte {
			d := good(t, dir, key)
			copy(d[15:23], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
			return d
		},
		"another key's entry": func(t *testing.T, dir, _ string) []byte { return good(t, dir, "other key") },
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			for _, op := range []string{"Read", "Contains", "Keys", "Values", "Size", "DeleteExpired"} {
				t.Run(op, func(t *testing.T) {
					dir := t.TempDir()
					const key = "the key"
					data := content(t, dir, key)
					_ = os.Remove(entryPath(dir, "other key"))
					path := entryPath(dir, key)
					if err := os.WriteFile(path, data, 0o600); err != nil {
						t.Fatal(err)
					}
					s := newStore(t, dir, nil)
					ctx := t.Context()
					switch op {
					case "Read":
						wantAbsent(t, s, key)
					case "Contains":
						if ok, err := s.Contains(ctx, key); ok || err != nil {
							t.Fatalf("Contains = (%v, %v), want (false, nil)", ok, err)
						}
					case "Keys", "Size":
						wantKeys(t, s)
					case "Values":
						for v, err := range s.Values(ctx) {
							t.Fatalf("Values yielded (%q, %v), want nothing", v, err)
						}
					case "DeleteExpired":
						if n, err := s.DeleteExpired(ctx, time.Now()); n != 0 || err != nil {
							t.Fatalf("DeleteExpired = (%d, %v), want (0, nil): a malformed file is not an expired value", n, err)
						}
					}
					if exists(path) {
						t.Fatalf("the malformed file is still there after %s", op)
					}
				})
			}
		})
	}
}

func TestDirectoryAtAnEntryNameIsAMiss(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	if err := os.Mkdir(entryPath(dir, "k"), 0o700); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "k")
	wantKeys(t, s)
	write(t, s, "k2", "v")
	wantKeys(t, s, "k2")
}

func TestForeignAndTemporaryFilesAreIgnored(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	write(t, s, "k", "v")
	fresh := entryPath(dir, "k") + ".123456.tmp"
	stale := entryPath(dir, "k") + ".654321.tmp"
	notes := filepath.Join(dir, "README.txt")
	beingWritten(t, fresh)
	for _, p := range []string{stale, notes} {
		if err := os.WriteFile(p, []byte("half a write"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	twoHoursAgo := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, twoHoursAgo, twoHoursAgo); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, s, "k")
	var values []string
	for v, err := range s.Values(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, string(v))
	}
	if !slices.Equal(values, []string{"v"}) {
		t.Fatalf("Values = %q, want [v]", values)
	}

	if n, err := s.DeleteExpired(t.Context(), time.Now()); err != nil || n != 0 {
		t.Fatalf("DeleteExpired = (%d, %v), want (0, nil)", n, err)
	}
	if exists(stale) {
		t.Error("DeleteExpired left a temporary file two hours old")
	}
	if !exists(fresh) {
		t.Error("DeleteExpired removed the temporary file of a write in progress")
	}
	if err := s.Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, s)
	if !exists(notes) || !exists(fresh) {
		t.Error("Clear removed a file that is not an entry")
	}
}

func TestExpiredFileIsAMissAndRemoved(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	ctx := t.Context()
	for _, k := range []string{"read", "contains", "listed"} {
		writeExpired(t, s, k)
	}
	if err := s.WriteWithExpiry(ctx, "fresh", []byte("v"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "read")
	if ok, err := s.Contains(ctx, "contains"); ok || err != nil {
		t.Fatalf("Contains(expired) = (%v, %v)", ok, err)
	}
	wantKeys(t, s, "fresh")
	if names := fileNames(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %d files, want only the unexpired entry", len(names))
	}
}

// writeExpired leaves an entry file of key that has expired: written
// with an expiry a moment ahead (one already past stores nothing), and
// waited for.
func writeExpired(t *testing.T, s filestore.TestStore, key string) {
	t.Helper()
	expires := time.Now().Add(20 * time.Millisecond)
	if err := s.WriteWithExpiry(t.Context(), key, []byte("v"), expires); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(expires) + time.Millisecond)
}

func TestPastExpiryStoresNothing(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	write(t, s, "k", "old")
	if err := s.WriteWithExpiry(t.Context(), "k", []byte("new"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteWithExpiry(t.Context(), "other", []byte("v"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "k")
	if names := fileNames(t, dir); len(names) != 0 {
		t.Fatalf("directory holds %q after writes already expired, want nothing", names)
	}
}

func TestDeleteExpired(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	ctx := t.Context()
	now := time.Now()
	expiries := map[string]time.Time{
		"in a minute": now.Add(time.Minute),
		"in an hour":  now.Add(time.Hour),
		"year 1":      time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		"year 9999":   time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		"never":       {},
	}
	for k, exp := range expiries {
		if err := s.WriteWithExpiry(ctx, k, bytes.Repeat([]byte("v"), 100<<10), exp); err != nil {
			t.Fatal(err)
		}
	}
	// "year 1" was already past: its write stored nothing.
	n, err := s.DeleteExpired(ctx, now.Add(2*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired(in two minutes) = (%d, %v), want (1, nil)", n, err)
	}
	wantKeys(t, s, "in an hour", "never", "year 9999")
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	w := newStore(t, dir, nil)
	write(t, w, "k", "v")
	writeExpired(t, w, "expired")
	garbage := entryPath(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}

	s := newStore(t, dir, &filestore.Options{ReadOnly: true})
	ctx := t.Context()
	if got, err := s.Read(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("Read = (%q, %v)", got, err)
	}
	wantAbsent(t, s, "expired")
	wantAbsent(t, s, "garbage")
	wantKeys(t, s, "k")
	_, pruneErr := s.DeleteExpired(ctx, time.Now())
	for op, err := range map[string]error{
		"Write":           s.Write(ctx, "k", nil),
		"WriteWithExpiry": s.WriteWithExpiry(ctx, "k", nil, time.Now()),
		"Delete":          s.Delete(ctx, "k"),
		"DeleteMany":      s.DeleteMany(ctx, []string{"k"}),
		"Clear":           s.Clear(ctx),
		"DeleteExpired":   pruneErr,
	} {
		if !errors.Is(err, storage.ErrReadOnly) {
			t.Errorf("%s on a read-only store: err = %v, want ErrReadOnly", op, err)
		}
	}
	if len(fileNames(t, dir)) != 3 {
		t.Fatal("a read-only store changed its directory")
	}
	if b, err := filestore.Open(t.Context(), filepath.Join(dir, "missing"), &filestore.Options{ReadOnly: true}); err == nil {
		_ = b.Close()
		t.Fatal("Open read-only of a missing directory succeeded")
	}
}

func TestDirectoryRemovedFromUnderTheStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	s := newStore(t, dir, nil)
	write(t, s, "k", "v")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "k")
	wantKeys(t, s)
	write(t, s, "k", "again")
	wantKeys(t, s, "k")
}

func TestKeyTooLongForTheHeader(t *testing.T) {
	s := newStore(t, t.TempDir(), nil)
	err := s.Write(t.Context(), strings.Repeat("k", 1<<16), []byte("v"))
	if err == nil || !strings.Contains(err.Error(), "longer than") || !strings.HasPrefix(err.Error(), "filestore: ") {
		t.Fatalf("Write with a 64 KiB key: err = %v, want one saying it is too long", err)
	}
	if len(err.Error()) > 200 {
		t.Errorf("the error quotes the whole key: %d bytes", len(err.Error()))
	}
}

// A store's error says the store, its directory and the cause, once; the
// core adds the operation and the key.
func TestErrorShape(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Read(t.Context(), "the-key")
	if want := "filestore: " + dir + ": storage: store is closed"; !errors.Is(err, storage.ErrClosed) || err.Error() != want {
		t.Errorf("Read after Close: %q, want %q", err, want)
	}
	ro := newStore(t, dir, &filestore.Options{ReadOnly: true})
	err = ro.Write(t.Context(), "the-key", nil)
	if want := "filestore: " + dir + ": storage: store is read-only"; !errors.Is(err, storage.ErrReadOnly) || err.Error() != want {
		t.Errorf("Write to a read-only store: %q, want %q", err, want)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := filestore.Open(ctx, t.TempDir(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := filestore.Open(t.Context(), "", nil); err == nil {
		t.Error("Open of an empty directory name succeeded")
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.Open(t.Context(), file, nil); err == nil {
		t.Error("Open of a regular file's path succeeded")
	}
}
