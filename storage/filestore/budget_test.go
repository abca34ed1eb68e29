package filestore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/filestore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// A budget big enough for everything the conformance suites write, so that
// they run through the budget's code without anything being evicted.
var roomyBudget = &filestore.Options{MaxBytes: 1 << 30, MaxEntries: 100_000}

func TestConformanceWithBudget(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage { return newStore(t, t.TempDir(), roomyBudget) })
}

func TestBackendWithBudget(t *testing.T) { runBackendSpec(t, roomyBudget) }

// usage is what a store's directory really holds.
type usage struct {
	bytes   int64
	entries int
	temps   []string
}

func diskUsage(t *testing.T, dir string) usage {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var u usage
	for _, de := range des {
		switch name := de.Name(); {
		case strings.HasSuffix(name, ".tmp"):
			u.temps = append(u.temps, name)
		case len(name) == 64:
			info, err := de.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // evicted by a scan in the background meanwhile
			}
			if err != nil {
				t.Fatal(err)
			}
			u.bytes += info.Size()
			u.entries++
		}
	}
	return u
}

func budgetOf(t *testing.T, s storage.Storage) storage.Budget {
	t.Helper()
	b, err := s.(storage.Budgeted).Budget(t.Context())
	if err != nil {
		t.Fatalf("Budget: %v", err)
	}
	return b
}

// wantExactUsage checks that the store's Budget is what its directory holds,
// which it must be whenever no other process uses the directory, that it is
// within the budget, and that no temporary file is left.
func wantExactUsage(t *testing.T, s storage.Storage, dir string) storage.Budget {
	t.Helper()
	filestore.WaitScans(s)
	b := budgetOf(t, s)
	u := diskUsage(t, dir)
	if b.Bytes != u.bytes || b.Entries != u.entries {
		t.Fatalf("Budget says %d bytes in %d entries; the directory holds %d bytes in %d entry files", b.Bytes, b.Entries, u.bytes, u.entries)
	}
	if b.MaxBytes > 0 && b.Bytes > b.MaxBytes || b.MaxEntries > 0 && b.Entries > b.MaxEntries {
		t.Fatalf("over the budget: %+v", b)
	}
	if len(u.temps) > 0 {
		t.Fatalf("temporary files left behind: %q", u.temps)
	}
	return b
}

// entrySize is the size of the entry file of a key and a value: a 23-byte
// header, the key, the value.
func entrySize(key string, valueLen int) int64 { return 23 + int64(len(key)) + int64(valueLen) }

// TestMaxBytes writes 100 MB of distinct entries into a budget of 10 MiB,
// reading a few early ones now and then: the directory never holds more than
// the budget, and the entries read survive while the others are evicted,
// oldest first.
func TestMaxBytes(t *testing.T) {
	const budget, n, size = 10 << 20, 1000, 100_000
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxBytes: budget})
	ctx := t.Context()
	value := bytes.Repeat([]byte("v"), size)
	key := func(i int) string { return fmt.Sprintf("entry-%04d", i) }
	hot := []int{0, 3, 7, 11}
	for i := range n {
		if err := s.Write(ctx, key(i), value); err != nil {
			t.Fatalf("Write(%s): %v", key(i), err)
		}
		if i%10 == 9 {
			for _, h := range hot {
				if h > i {
					continue // not written yet
				}
				if _, err := s.Read(ctx, key(h)); err != nil {
					t.Fatalf("after %d writes, hot entry %s: %v", i+1, key(h), err)
				}
			}
		}
		if b := budgetOf(t, s); b.Bytes > budget || b.MaxBytes != budget || b.MaxEntries != 0 {
			t.Fatalf("after writing %s: Budget = %+v, want Bytes at most %d", key(i), b, budget)
		}
		if i%50 == 0 {
			if u := diskUsage(t, dir); u.bytes > budget {
				t.Fatalf("after writing %s the directory holds %d bytes, over the budget of %d", key(i), u.bytes, budget)
			}
		}
	}
	b := wantExactUsage(t, s, dir)
	if fits := int(budget / entrySize(key(0), size)); b.Entries != fits {
		t.Errorf("%d entries kept, want the %d that fit", b.Entries, fits)
	}
	for _, h := range hot {
		if ok, err := s.Contains(ctx, key(h)); !ok || err != nil {
			t.Errorf("hot entry %s, read every 10 writes, was evicted (%v)", key(h), err)
		}
	}
	for i := range 100 {
		if ok, _ := s.Contains(ctx, key(i)); ok && !isIn(i, hot) {
			t.Errorf("entry %s, never read, outlived newer entries", key(i))
		}
	}
	for i := n - 50; i < n; i++ {
		if ok, err := s.Contains(ctx, key(i)); !ok || err != nil {
			t.Errorf("recent entry %s was evicted (%v)", key(i), err)
		}
	}
}

func isIn(i int, set []int) bool {
	for _, x := range set {
		if x == i {
			return true
		}
	}
	return false
}

func TestMaxEntries(t *testing.T) {
	const budget, n = 50, 600
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxEntries: budget})
	ctx := t.Context()
	key := func(i int) string { return fmt.Sprintf("entry-%04d", i) }
	hot := []int{1, 2, 40}
	for i := range n {
		write(t, s, key(i), strings.Repeat("x", i)) // sizes differ: only the count matters
		if i%20 == 19 {
			for _, h := range hot {
				if h > i {
					continue // not written yet
				}
				if _, err := s.Read(ctx, key(h)); err != nil {
					t.Fatalf("after %d writes, hot entry %s: %v", i+1, key(h), err)
				}
			}
		}
		if b := budgetOf(t, s); b.Entries > budget || b.MaxEntries != budget || b.MaxBytes != 0 {
			t.Fatalf("after writing %s: Budget = %+v, want at most %d entries", key(i), b, budget)
		}
	}
	if b := wantExactUsage(t, s, dir); b.Entries != budget {
		t.Errorf("%d entries kept, want %d", b.Entries, budget)
	}
	for _, h := range hot {
		if ok, _ := s.Contains(ctx, key(h)); !ok {
			t.Errorf("hot entry %s was evicted", key(h))
		}
	}
	if ok, _ := s.Contains(ctx, key(0)); ok {
		t.Errorf("entry %s, never read, outlived newer entries", key(0))
	}
	// Overwriting a key is no new entry: it evicts nothing.
	for range 5 {
		write(t, s, key(n-1), "again")
	}
	if b := wantExactUsage(t, s, dir); b.Entries != budget {
		t.Errorf("after overwrites: %d entries, want %d", b.Entries, budget)
	}
}

// A value bigger than the whole budget is stored, alone: the budget is then
// over by that one entry, until the next write evicts it.
func TestValueBiggerThanTheBudgetStaysAlone(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxBytes: 1000})
	for i := range 5 {
		write(t, s, fmt.Sprint("small", i), "v")
	}
	big := strings.Repeat("b", 5000)
	write(t, s, "big", big)
	if got, err := s.Read(t.Context(), "big"); err != nil || string(got) != big {
		t.Fatalf("Read(big) = (%d bytes, %v)", len(got), err)
	}
	wantKeys(t, s, "big")
	if b, u := budgetOf(t, s), diskUsage(t, dir); b.Bytes != entrySize("big", 5000) || u.bytes != b.Bytes || u.entries != 1 {
		t.Fatalf("Budget %+v, directory %+v: want the big entry alone", b, u)
	}
	write(t, s, "next", "v")
	wantKeys(t, s, "next")
	wantExactUsage(t, s, dir)
}

// Overwriting an entry with a bigger value evicts others as needed, never
// the entry itself.
func TestGrowingAnEntryEvictsOthers(t *testing.T) {
	dir := t.TempDir()
	per := entrySize("k0", 100)
	s := newStore(t, dir, &filestore.Options{MaxBytes: 4 * per})
	for i := range 4 {
		write(t, s, fmt.Sprint("k", i), strings.Repeat("v", 100))
	}
	write(t, s, "k0", strings.Repeat("v", 250)) // k0 is the least recently used
	wantKeys(t, s, "k0", "k3")
	wantExactUsage(t, s, dir)
}

func TestBudgetWithoutLimits(t *testing.T) {
	root := t.TempDir()
	b, err := filestore.Open(t.Context(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 7 {
		write(t, b.Responses, fmt.Sprint("k", i), "value")
		write(t, b.Redirects, fmt.Sprint("alias", i), "k")
	}
	for _, s := range []storage.Storage{b.Responses, b.Redirects} {
		got := budgetOf(t, s)
		u := diskUsage(t, filestore.DirOf(s))
		if want := (storage.Budget{Bytes: u.bytes, Entries: 7}); got != want {
			t.Errorf("Budget of %s = %+v, want %+v", filestore.DirOf(s), got, want)
		}
	}
	if b.Timeout != 0 {
		t.Errorf("Backend.Timeout = %v, want 0 (none: see Open)", b.Timeout)
	}
}

func TestBudgetAppliesToResponsesOnly(t *testing.T) {
	root := t.TempDir()
	b, err := filestore.Open(t.Context(), root, &filestore.Options{MaxEntries: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 5 {
		write(t, b.Responses, fmt.Sprint("k", i), "v")
		write(t, b.Redirects, fmt.Sprint("alias", i), "k")
	}
	wantKeys(t, b.Responses, "k3", "k4")
	if n, err := b.Redirects.Size(t.Context()); n != 5 || err != nil {
		t.Errorf("Redirects.Size = (%d, %v), want (5, nil): redirects have no budget", n, err)
	}
	if got := budgetOf(t, b.Redirects); got.MaxEntries != 0 || got.Entries != 5 {
		t.Errorf("Budget of Redirects = %+v, want no limit and 5 entries", got)
	}
}

// Reopened, a store knows what its directory holds; Open of a directory over
// the budget (a smaller budget than before) evicts the least recently used,
// as the files' modification times say, and reads before the restart count.
func TestReopenKnowsItsUsage(t *testing.T) {
	dir := t.TempDir()
	opts := &filestore.Options{MaxEntries: 20}
	s := newStore(t, dir, opts)
	key := func(i int) string { return fmt.Sprintf("entry-%02d", i) }
	for i := range 20 {
		write(t, s, key(i), strings.Repeat("v", 100+i))
	}
	before := wantExactUsage(t, s, dir)
	_ = s.Close()

	s = newStore(t, dir, opts)
	if after := wantExactUsage(t, s, dir); after != before {
		t.Fatalf("reopened: Budget = %+v, before = %+v", after, before)
	}
	// Make every file an hour old, in the order written, then read 0 and 1:
	// an hour since their last touch, the reads set their times to now.
	base := time.Now().Add(-time.Hour)
	for i := range 20 {
		mtime := base.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(entryPath(dir, key(i)), time.Time{}, mtime); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	s = newStore(t, dir, opts) // learns the times
	for _, i := range []int{0, 1} {
		if _, err := s.Read(t.Context(), key(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()

	s = newStore(t, dir, &filestore.Options{MaxEntries: 5})
	wantKeys(t, s, key(0), key(1), key(17), key(18), key(19))
	wantExactUsage(t, s, dir)
}

// A read-only store reports its use and evicts nothing, even over its
// budget.
func TestReadOnlyWithBudget(t *testing.T) {
	dir := t.TempDir()
	w := newStore(t, dir, nil)
	for i := range 10 {
		write(t, w, fmt.Sprint("k", i), "v")
	}
	ro := newStore(t, dir, &filestore.Options{ReadOnly: true, MaxEntries: 3})
	if b := budgetOf(t, ro); b.Entries != 10 || b.MaxEntries != 3 {
		t.Fatalf("Budget = %+v, want 10 entries and the limit 3", b)
	}
	before := time.Now().Add(-time.Hour)
	if err := os.Chtimes(entryPath(dir, "k1"), time.Time{}, before); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Read(t.Context(), "k1"); err != nil {
		t.Fatal(err)
	}
	if len(fileNames(t, dir)) != 10 {
		t.Fatal("a read-only store evicted")
	}
	if info, err := os.Stat(entryPath(dir, "k1")); err != nil || !info.ModTime().Equal(before) {
		t.Fatalf("a read-only store set a file's time: %v", err)
	}
}

// Files changed behind the store's back (another process, a user's rm) are
// tolerated: evicting a file already gone is no error, a file another
// process wrote joins the index when read, and the next scan brings the
// index in line with the directory, ordering the files it did not know by
// their modification times.
func TestChangesBehindTheStoresBack(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxEntries: 10})
	other := newStore(t, dir, nil) // another process
	write(t, other, "theirs-read", "v")
	write(t, other, "theirs-unread", "v")
	key := func(i int) string { return fmt.Sprintf("k%02d", i) }
	for i := range 10 {
		write(t, s, key(i), "v")
	}
	// Removed by someone else: the oldest three.
	for i := range 3 {
		if err := os.Remove(entryPath(dir, key(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Read(t.Context(), "theirs-read"); err != nil {
		t.Fatal(err)
	}
	// The store's own writes still work, evicting files already gone
	// (k00, k01, k02), then its least recently used (k03).
	for i := 10; i < 13; i++ {
		write(t, s, key(i), "v")
	}
	// Budget scans first, having seen the index off; the scan finds
	// theirs-unread, the oldest file, and evicts it.
	if b := wantExactUsage(t, s, dir); b.Entries != 10 {
		t.Fatalf("Budget = %+v, want 10 entries", b)
	}
	var want []string
	for i := 4; i < 13; i++ {
		want = append(want, key(i))
	}
	wantKeys(t, s, append(want, "theirs-read")...) // sorted
}

// Two stores on one directory, as two processes would have: each keeps its
// own writes within the budget exactly, so the directory stays under twice
// the budget whatever the order of their scans; once either has scanned, it
// brings the directory back within one budget; neither fails on the files
// the other removed; and their indexes agree with the directory after a
// scan.
func TestTwoStoresOnOneDirectory(t *testing.T) {
	const budget, size, n = 1 << 20, 10_000, 2000
	dir := t.TempDir()
	opts := &filestore.Options{MaxBytes: budget}
	a, b := newStore(t, dir, opts), newStore(t, dir, opts)
	value := bytes.Repeat([]byte("v"), size)
	per := entrySize("a-0000", size)
	peak := int64(0)
	for i := range n {
		s, name := a, "a"
		if i%2 == 1 {
			s, name = b, "b"
		}
		key := fmt.Sprintf("%s-%04d", name, i/2)
		if err := s.Write(t.Context(), key, value); err != nil {
			t.Fatalf("Write(%s): %v", key, err)
		}
		if i%25 == 0 {
			u := diskUsage(t, dir)
			peak = max(peak, u.bytes)
			if u.bytes > 2*budget {
				t.Fatalf("after %d writes the directory holds %d bytes, over twice the budget", i+1, u.bytes)
			}
		}
	}
	t.Logf("two stores, budget %d each: the directory peaked at %d bytes sampled every 25 writes (%.2f budgets)", budget, peak, float64(peak)/budget)
	filestore.WaitScans(a)
	filestore.WaitScans(b)
	for _, s := range []storage.Storage{a, b} {
		if err := filestore.Rescan(s); err != nil {
			t.Fatal(err)
		}
		if u := diskUsage(t, dir); u.bytes > budget {
			t.Fatalf("after a scan the directory holds %d bytes, over the budget of %d", u.bytes, budget)
		}
	}
	if err := filestore.Rescan(a); err != nil {
		t.Fatal(err)
	}
	wantExactUsage(t, a, dir)
	// Evictions on views a little out of date may have removed a few more
	// than needed, never many.
	if got, fits := budgetOf(t, a).Entries, int(budget/per); got > fits || got < fits/2 {
		t.Errorf("%d entries after the scans, want about the %d that fit", got, fits)
	}
}

// Many goroutines writing, reading and deleting: within one process the
// budget's index is the directory, exactly.
func TestBudgetUnderConcurrency(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxBytes: 200_000, MaxEntries: 40})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			ctx := t.Context()
			for i := range 300 {
				key := fmt.Sprintf("k%d", (w*31+i*7)%120)
				switch i % 5 {
				case 0, 1, 2:
					if err := s.Write(ctx, key, bytes.Repeat([]byte("v"), 100+(i*37)%9000)); err != nil {
						t.Error(err)
						return
					}
				case 3:
					if _, err := s.Read(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
						t.Error(err)
						return
					}
				case 4:
					if i%20 == 4 {
						if err := s.Delete(ctx, key); err != nil {
							t.Error(err)
							return
						}
					} else if _, err := s.(storage.Budgeted).Budget(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	wantExactUsage(t, s, dir)
	// Clear empties the index too.
	if err := s.Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b := wantExactUsage(t, s, dir); b.Entries != 0 || b.Bytes != 0 {
		t.Fatalf("after Clear: %+v", b)
	}
}

// Expired and malformed files removed on the way, and deletions of every
// kind, leave the index agreeing with the directory.
func TestBudgetFollowsRemovals(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, &filestore.Options{MaxEntries: 100})
	ctx := t.Context()
	for i := range 10 {
		write(t, s, fmt.Sprint("k", i), "v")
	}
	writeExpired(t, s, "expired-read")
	writeExpired(t, s, "expired-pruned")
	if err := os.WriteFile(entryPath(dir, "k0"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "k0")
	wantAbsent(t, s, "expired-read")
	if n, err := s.DeleteExpired(ctx, time.Now()); n != 1 || err != nil {
		t.Fatalf("DeleteExpired = (%d, %v)", n, err)
	}
	if err := s.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMany(ctx, []string{"k2", "k3", "absent"}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteWithExpiry(ctx, "k4", []byte("v"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b := wantExactUsage(t, s, dir); b.Entries != 5 {
		t.Fatalf("Budget = %+v, want 5 entries", b)
	}
}

func TestNegativeBudget(t *testing.T) {
	for _, opts := range []*filestore.Options{{MaxBytes: -1}, {MaxEntries: -1}} {
		if b, err := filestore.Open(t.Context(), t.TempDir(), opts); err == nil {
			_ = b.Close()
			t.Errorf("Open with %+v succeeded", *opts)
		} else if !strings.Contains(err.Error(), "want 0 (no limit) or more") {
			t.Errorf("Open with %+v: %v, want an error saying what to give", *opts, err)
		}
	}
}

func TestBudgetFromURL(t *testing.T) {
	dir := t.TempDir()
	b, err := storage.Open(t.Context(), "file://"+filepath.ToSlash(dir)+"?max_bytes=10MiB&max_entries=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := budgetOf(t, b.Responses); got.MaxBytes != 10<<20 || got.MaxEntries != 1000 {
		t.Errorf("Budget = %+v, want 10 MiB and 1000 entries", got)
	}
	_, err = storage.Open(t.Context(), "file://"+filepath.ToSlash(dir)+"?max_bytes=10M")
	if !errors.Is(err, storage.ErrInvalidURL) || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("max_bytes=10M: err = %v, want an invalid URL error listing the units", err)
	}
}
