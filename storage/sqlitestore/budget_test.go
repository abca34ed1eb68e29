package sqlitestore

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// bigBudget is a budget no conformance test reaches: it switches the store
// to its budgeted paths without evicting anything.
var bigBudget = &Options{MaxBytes: 1 << 40, MaxEntries: 1 << 30}

func TestResponsesConformanceWithBudget(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b, _ := openTemp(t, bigBudget)
		return b.Responses
	})
}

func TestBackendWithBudget(t *testing.T) { runOpenBackendSpec(t, bigBudget) }

// tableTotals returns what the table of s holds, counted from its rows: the
// truth the bookkeeping must agree with.
func tableTotals(t *testing.T, s *store) (entries int, bytes int64) {
	t.Helper()
	if err := s.h.db.QueryRowContext(t.Context(), s.q.sum).Scan(&entries, &bytes); err != nil {
		t.Fatalf("%s: %v", s.q.sum, err)
	}
	return entries, bytes
}

// wantBookkeeping fails t unless the table's usage row and LRU table agree
// with its rows, and Budget reports them.
func wantBookkeeping(t *testing.T, s *store) storage.Budget {
	t.Helper()
	ctx := t.Context()
	entries, size := tableTotals(t, s)
	if !s.accounted {
		b, err := s.Budget(ctx)
		if err != nil || b.Entries != entries || b.Bytes != size {
			t.Fatalf("%s holds %d entries of %d bytes; Budget = (%+v, %v)", s.name, entries, size, b, err)
		}
		return b
	}
	var lruEntries int
	var lruBytes int64
	if err := s.h.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM `+quote(s.name+"_lru")+
		` l JOIN `+quote(s.name)+` t ON t.key = l.key`).Scan(&lruEntries, &lruBytes); err != nil {
		t.Fatal(err)
	}
	var lruAll int
	if err := s.h.db.QueryRowContext(ctx, s.q.lruSize).Scan(&lruAll); err != nil {
		t.Fatal(err)
	}
	b, err := s.Budget(ctx)
	if err != nil {
		t.Fatalf("Budget: %v", err)
	}
	if b.Entries != entries || b.Bytes != size || lruEntries != entries || lruAll != entries || lruBytes != size {
		t.Fatalf("%s holds %d entries of %d bytes; Budget says %d entries of %d bytes, the LRU table %d rows (%d of them the table's) of %d bytes",
			s.name, entries, size, b.Entries, b.Bytes, lruAll, lruEntries, lruBytes)
	}
	return b
}

// TestBudgetBytes writes 100 MB of distinct entries into a budget of 10 MiB,
// reading a few of the first ones now and then: the table stays within the
// budget plus one entry, the entries read survive, the others are evicted
// oldest first.
func TestBudgetBytes(t *testing.T) {
	ctx := t.Context()
	const (
		maxBytes = 10 << 20
		size     = 100 << 10
		writes   = 1000
	)
	b, _ := openTemp(t, &Options{MaxBytes: maxBytes})
	s := b.Responses.(*store)
	key := func(i int) string { return fmt.Sprintf("%064x", i) }
	value := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, size) }
	entry := int64(len(key(0)) + size)
	hot := []int{0, 1, 2, 3, 4}
	for i := range writes {
		if err := s.Write(ctx, key(i), value(i)); err != nil {
			t.Fatalf("Write #%d: %v", i, err)
		}
		if i%10 == 9 {
			for _, h := range hot {
				if v, err := s.Read(ctx, key(h)); err != nil || !bytes.Equal(v, value(h)) {
					t.Fatalf("after %d writes, Read of hot entry %d = (%d bytes, %v), want its value", i+1, h, len(v), err)
				}
			}
		}
		bu, err := s.Budget(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if bu.MaxBytes != maxBytes || bu.MaxEntries != 0 || bu.Bytes > maxBytes+entry {
			t.Fatalf("after %d writes, Budget = %+v: want MaxBytes %d and at most %d bytes", i+1, bu, maxBytes, maxBytes+entry)
		}
	}
	bu := wantBookkeeping(t, s)
	if bu.Bytes > maxBytes || bu.Bytes < maxBytes-2*entry {
		t.Errorf("Budget at the end = %+v: want a table nearly full, within %d bytes", bu, maxBytes)
	}
	for _, h := range hot {
		if ok, err := s.Contains(ctx, key(h)); err != nil || !ok {
			t.Errorf("hot entry %d, read every 10 writes, was evicted (%v)", h, err)
		}
	}
	// The untouched entries went oldest first: the last ones written, as
	// many as fit beside the hot ones, are there; the earlier ones are not.
	fit := int(maxBytes/entry) - len(hot)
	for i := len(hot); i < writes; i++ {
		ok, err := s.Contains(ctx, key(i))
		if err != nil {
			t.Fatal(err)
		}
		if recent := i >= writes-fit; ok != recent {
			t.Errorf("entry %d of %d (untouched): present = %v, want %v", i, writes, ok, recent)
		}
	}
}

// TestBudgetEntries is TestBudgetBytes for MaxEntries, with overwrites and
// deletions mixed in.
func TestBudgetEntries(t *testing.T) {
	ctx := t.Context()
	const maxEntries = 50
	b, _ := openTemp(t, &Options{MaxEntries: maxEntries})
	s := b.Responses.(*store)
	key := func(i int) string { return fmt.Sprintf("k%04d", i) }
	hot := []int{0, 1, 2}
	for i := range 500 {
		if err := s.WriteWithExpiry(ctx, key(i), []byte(strings.Repeat("v", i%300)), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		switch i % 7 {
		case 3:
			if err := s.Write(ctx, key(i-1), []byte("overwritten")); err != nil {
				t.Fatal(err)
			}
		case 5:
			if err := s.Delete(ctx, key(i-2)); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 4 {
			for _, h := range hot {
				if _, err := s.Read(ctx, key(h)); err != nil {
					t.Fatalf("after %d writes, Read of hot entry %d: %v", i+1, h, err)
				}
			}
		}
		if n, err := s.Size(ctx); err != nil || n > maxEntries {
			t.Fatalf("after %d writes, Size = (%d, %v), want at most %d", i+1, n, err, maxEntries)
		}
	}
	bu := wantBookkeeping(t, s)
	if bu.Entries != maxEntries || bu.MaxEntries != maxEntries || bu.MaxBytes != 0 {
		t.Errorf("Budget = %+v, want %d of %d entries", bu, maxEntries, maxEntries)
	}
	for _, h := range hot {
		if ok, _ := s.Contains(ctx, key(h)); !ok {
			t.Errorf("hot entry %d was evicted", h)
		}
	}
	for i := len(hot); i < 400; i++ {
		if ok, _ := s.Contains(ctx, key(i)); ok {
			t.Errorf("entry %d of 500, untouched, survived", i)
		}
	}
}

// A value larger than the whole budget is stored, and everything else
// evicted: the entry just written always stays.
func TestBudgetValueLargerThanBudget(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, &Options{MaxBytes: 1000})
	s := b.Responses.(*store)
	for i := range 5 {
		if err := s.Write(ctx, fmt.Sprint(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("b"), 5000)
	if err := s.Write(ctx, "big", big); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Read(ctx, "big"); err != nil || !bytes.Equal(v, big) {
		t.Fatalf("Read(big) = (%d bytes, %v)", len(v), err)
	}
	if bu := wantBookkeeping(t, s); bu.Entries != 1 || bu.Bytes != 5003 {
		t.Errorf("Budget = %+v, want the big entry alone (1 entry, 5003 bytes)", bu)
	}
	// The next write evicts it.
	if err := s.Write(ctx, "small", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if bu := wantBookkeeping(t, s); bu.Entries != 1 || bu.Bytes != 6 {
		t.Errorf("Budget = %+v, want the small entry alone", bu)
	}
}

// The budget holds across two database handles (two pools of connections,
// as two processes have) writing the same file at once: each evicts in its
// write's transaction.
func TestBudgetAcrossHandles(t *testing.T) {
	ctx := t.Context()
	const (
		maxBytes = 256 << 10
		size     = 10 << 10
	)
	path := filepath.Join(t.TempDir(), "shared.sqlite")
	var stores []*store
	for range 2 {
		b, err := Open(ctx, path, &Options{MaxBytes: maxBytes, MaxEntries: 20})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		stores = append(stores, b.Responses.(*store))
	}
	if stores[0].h.db == stores[1].h.db {
		t.Fatal("one *sql.DB")
	}
	entry := int64(64 + size)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for h, s := range stores {
		for g := range 2 {
			wg.Go(func() {
				for i := range 100 {
					k := fmt.Sprintf("%02d-%02d-%060d", h, g, i)
					if err := s.Write(ctx, k, bytes.Repeat([]byte{byte(i)}, size)); err != nil {
						errs <- err
						return
					}
					if _, err := s.Read(ctx, k); err != nil && !errors.Is(err, storage.ErrNotFound) {
						errs <- err
						return
					}
					bu, err := s.Budget(ctx)
					if err != nil {
						errs <- err
						return
					}
					if bu.Bytes > maxBytes+entry || bu.Entries > 20 {
						errs <- fmt.Errorf("handle %d: Budget = %+v, over the budget", h, bu)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, s := range stores {
		if bu := wantBookkeeping(t, s); bu.Bytes > maxBytes || bu.Entries > 20 {
			t.Errorf("Budget = %+v, over the budget", bu)
		}
	}
}

// Budget works without a budget too, on both tables, and its limits are
// then zero: it sums the table, which has no bookkeeping until the file is
// opened with a budget. From then on every writer keeps the bookkeeping,
// those without a budget too.
func TestBudgetWithoutLimits(t *testing.T) {
	ctx := t.Context()
	b, path := openTemp(t, nil)
	for _, st := range []storage.Storage{b.Responses, b.Redirects} {
		s := st.(*store)
		if err := s.Write(ctx, "a", []byte("12345")); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, "bb", []byte("1")); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, "a", []byte("123")); err != nil {
			t.Fatal(err)
		}
		if got, want := wantBookkeeping(t, s), (storage.Budget{Entries: 2, Bytes: 7}); got != want {
			t.Errorf("%s: Budget = %+v, want %+v", s.name, got, want)
		}
	}
	if got := queryString(t, dbOf(b), "SELECT count(*) FROM sqlite_master WHERE name LIKE '%usage%' OR name LIKE '%lru%'"); got != "0" {
		t.Errorf("%s bookkeeping objects in a file never opened with a budget", got)
	}

	// Opened with a budget, Responses gets the bookkeeping (Redirects,
	// which never has a budget, does not), and the first Backend's writes
	// keep it.
	b2, err := Open(ctx, path, &Options{MaxEntries: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if bu, err := b2.Redirects.(storage.Budgeted).Budget(ctx); err != nil || bu != (storage.Budget{Entries: 2, Bytes: 7}) {
		t.Errorf("Redirects.Budget = (%+v, %v), want no limit and 2 entries of 7 bytes", bu, err)
	}
	s2 := b2.Responses.(*store)
	if !s2.accounted || b2.Redirects.(*store).accounted {
		t.Errorf("bookkeeping: Responses %v, Redirects %v; want true, false", s2.accounted, b2.Redirects.(*store).accounted)
	}
	if bu := wantBookkeeping(t, s2); bu != (storage.Budget{MaxEntries: 3, Entries: 2, Bytes: 7}) {
		t.Errorf("Responses.Budget = %+v, want MaxEntries 3 and 2 entries of 7 bytes", bu)
	}
	for i := range 5 {
		if err := b.Responses.Write(ctx, fmt.Sprint("u", i), []byte("12")); err != nil {
			t.Fatal(err)
		}
	}
	if bu := wantBookkeeping(t, s2); bu.Entries != 7 {
		t.Errorf("Budget = %+v after 5 writes without a budget: want them counted (7 entries; only a write with a budget evicts)", bu)
	}
	if err := s2.Write(ctx, "last", nil); err != nil {
		t.Fatal(err)
	}
	if bu := wantBookkeeping(t, s2); bu.Entries != 3 {
		t.Errorf("Budget = %+v after a write with the budget, want 3 entries", bu)
	}
}

// The bookkeeping follows every kind of write and deletion, including those
// of a writer that knows nothing of it (plain SQL, as an earlier version of
// the store writes).
func TestBookkeepingFollowsEveryChange(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, &Options{MaxEntries: 1000})
	s := b.Responses.(*store)
	for i := range 30 {
		if err := s.WriteWithExpiry(ctx, fmt.Sprint("k", i), make([]byte, i*100), time.Now().Add(time.Duration(i%3)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	wantBookkeeping(t, s)
	if err := s.DeleteMany(ctx, []string{"k1", "k2", "nope"}); err != nil {
		t.Fatal(err)
	}
	wantBookkeeping(t, s)
	if _, err := s.DeleteExpired(ctx, time.Now().Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantBookkeeping(t, s)
	db := s.h.db
	for _, q := range []string{
		`INSERT INTO responses (key, value, expires) VALUES ('plain', x'0102', NULL)`,
		`INSERT INTO responses (key, value, expires) VALUES ('k3', x'01', NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		`UPDATE responses SET value = zeroblob(5000) WHERE key = 'plain'`,
		`UPDATE responses SET key = 'renamed' WHERE key = 'plain'`,
		`DELETE FROM responses WHERE key = 'k5'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		wantBookkeeping(t, s)
	}
	// A usage row deleted by hand is made again by the next write.
	if _, err := db.ExecContext(ctx, `DELETE FROM responses_usage`); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, "after", []byte("v")); err != nil {
		t.Fatal(err)
	}
	wantBookkeeping(t, s)
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if bu := wantBookkeeping(t, s); bu.Entries != 0 || bu.Bytes != 0 {
		t.Errorf("Budget after Clear = %+v", bu)
	}
}

// oldSchema is the schema of the versions before the bookkeeping.
var oldSchema = []string{
	`CREATE TABLE IF NOT EXISTS "responses" (
	key     TEXT PRIMARY KEY NOT NULL,
	expires INTEGER,
	value   BLOB NOT NULL
)`,
	`CREATE INDEX IF NOT EXISTS "responses_expires" ON "responses" (expires) WHERE expires IS NOT NULL`,
	`CREATE TABLE IF NOT EXISTS "redirects" (
	key     TEXT PRIMARY KEY NOT NULL,
	expires INTEGER,
	value   BLOB NOT NULL
)`,
	`CREATE INDEX IF NOT EXISTS "redirects_expires" ON "redirects" (expires) WHERE expires IS NOT NULL`,
}

// oldFile creates a cache file as the versions before the bookkeeping did
// (WAL mode, no auto-vacuum), holding n entries of size bytes in responses
// (keys old0, old1, ...) and one redirect, and returns its path.
func oldFile(t *testing.T, n, size int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.sqlite")
	db, err := driver.Open("file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range oldSchema {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if _, err := db.Exec(`INSERT INTO responses (key, value, expires) VALUES (?, ?, NULL)`, fmt.Sprint("old", i), bytes.Repeat([]byte{byte(i)}, size)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO redirects (key, value) VALUES ('alias', 'old0')`); err != nil {
		t.Fatal(err)
	}
	return path
}

// A file written by a version before the bookkeeping opens: its entries are
// read, counted, and evicted oldest first, and a read-only open of it, which
// may not add the bookkeeping, still reports its use.
func TestMigrationFromOldSchema(t *testing.T) {
	ctx := t.Context()
	path := oldFile(t, 10, 1000)

	ro, err := Open(ctx, path, &Options{ReadOnly: true, MaxEntries: 5})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ro.Responses.Read(ctx, "old3"); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{3}, 1000)) {
		t.Fatalf("read-only Read(old3) = (%d bytes, %v)", len(v), err)
	}
	if bu, err := ro.Responses.(storage.Budgeted).Budget(ctx); err != nil || bu != (storage.Budget{MaxEntries: 5, Entries: 10, Bytes: 10 * 1004}) {
		t.Errorf("read-only Budget = (%+v, %v), want 10 entries of 1004 bytes", bu, err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	b, err := Open(ctx, path, &Options{MaxEntries: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := b.Responses.(*store)
	if v, err := s.Read(ctx, "old3"); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{3}, 1000)) {
		t.Fatalf("Read(old3) = (%d bytes, %v)", len(v), err)
	}
	if v, err := b.Redirects.Read(ctx, "alias"); err != nil || string(v) != "old0" {
		t.Fatalf("Redirects.Read(alias) = (%q, %v)", v, err)
	}
	if bu := wantBookkeeping(t, s); bu.Entries != 10 || bu.Bytes != 10*1004 {
		t.Errorf("Budget = %+v, want 10 entries of 1004 bytes", bu)
	}
	wantBookkeeping(t, b.Redirects.(*store))
	for i := range 4 {
		if err := s.Write(ctx, fmt.Sprint("new", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	// 14 written, 12 kept: the two first written went, old0 and old1.
	for i := range 10 {
		if ok, _ := s.Contains(ctx, fmt.Sprint("old", i)); ok != (i >= 2) {
			t.Errorf("old%d present = %v after the budget evicted two", i, ok)
		}
	}
	wantBookkeeping(t, s)

	// Opening it again migrates nothing twice.
	b2, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if bu := wantBookkeeping(t, b2.Responses.(*store)); bu.Entries != 12 {
		t.Errorf("Budget after a second open = %+v, want 12 entries", bu)
	}
}

// Processes opening an old file at once migrate it once.
func TestMigrationConcurrentOpens(t *testing.T) {
	ctx := t.Context()
	path := oldFile(t, 50, 100)
	var wg sync.WaitGroup
	bs := make([]*storage.Backend, 6)
	errs := make([]error, len(bs))
	for i := range bs {
		wg.Go(func() { bs[i], errs[i] = Open(ctx, path, &Options{MaxEntries: 1000}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		defer bs[i].Close()
	}
	for _, b := range bs {
		if bu := wantBookkeeping(t, b.Responses.(*store)); bu.Entries != 50 {
			t.Fatalf("Budget = %+v, want 50 entries", bu)
		}
	}
}

func TestBudgetOptionsAndURL(t *testing.T) {
	ctx := t.Context()
	dir := filepath.ToSlash(t.TempDir())
	for _, tc := range []struct {
		url        string
		maxBytes   int64
		maxEntries int
	}{
		{"sqlite:///" + dir + "/a.sqlite?max_bytes=10MiB&max_entries=500", 10 << 20, 500},
		{"sqlite:///" + dir + "/b.sqlite?max_bytes=10MB", 10e6, 0},
		{"sqlite:///" + dir + "/c.sqlite?max_bytes=512KiB", 512 << 10, 0},
		{"sqlite:///" + dir + "/d.sqlite?max_bytes=123456", 123456, 0},
		{"sqlite:///" + dir + "/e.sqlite?max_entries=0", 0, 0},
	} {
		b, err := storage.Open(ctx, tc.url)
		if err != nil {
			t.Fatalf("storage.Open(%q): %v", tc.url, err)
		}
		bu, err := b.Responses.(storage.Budgeted).Budget(ctx)
		_ = b.Close()
		if err != nil || bu.MaxBytes != tc.maxBytes || bu.MaxEntries != tc.maxEntries {
			t.Errorf("storage.Open(%q): Budget = (%+v, %v), want MaxBytes %d, MaxEntries %d", tc.url, bu, err, tc.maxBytes, tc.maxEntries)
		}
	}
	for _, tc := range []struct{ url, wantInErr string }{
		{"sqlite:///" + dir + "/x.sqlite?max_bytes=10XB", `max_bytes="10XB"`},
		{"sqlite:///" + dir + "/x.sqlite?max_bytes=-1", "not a size"},
		{"sqlite:///" + dir + "/x.sqlite?max_bytes=1.5MiB", "whole number of bytes"},
		{"sqlite:///" + dir + "/x.sqlite?max_entries=ten", `max_entries="ten"`},
		{"sqlite:///" + dir + "/x.sqlite?max_entries=-3", "not a count"},
	} {
		b, err := storage.Open(ctx, tc.url)
		if err == nil {
			_ = b.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantInErr) || !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("storage.Open(%q) = %v, want an ErrInvalidURL containing %q", tc.url, err, tc.wantInErr)
		}
	}
	// A file: URI given to Open takes them too, and they replace Options'.
	b, err := Open(ctx, "file:"+dir+"/f.sqlite?max_entries=7", &Options{MaxEntries: 3, MaxBytes: 99})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if bu, _ := b.Responses.(storage.Budgeted).Budget(ctx); bu.MaxEntries != 7 || bu.MaxBytes != 99 {
		t.Errorf("Budget = %+v, want MaxEntries 7 (the URI's) and MaxBytes 99", bu)
	}
	for _, opts := range []*Options{{MaxBytes: -1}, {MaxEntries: -1}} {
		if b, err := Open(ctx, dir+"/neg.sqlite", opts); err == nil {
			_ = b.Close()
			t.Errorf("Open with %+v: no error", opts)
		}
		if b, err := New(ctx, callersDB(t), opts); err == nil {
			_ = b.Close()
			t.Errorf("New with %+v: no error", opts)
		}
	}
}

func TestBudgetThroughNew(t *testing.T) {
	ctx := t.Context()
	db := callersDB(t)
	b, err := New(ctx, db, &Options{MaxEntries: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 10 {
		if err := b.Responses.Write(ctx, fmt.Sprint(i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if bu := wantBookkeeping(t, b.Responses.(*store)); bu.Entries != 3 {
		t.Errorf("Budget = %+v, want 3 entries", bu)
	}
}

func TestBackendTimeout(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		opts *Options
		want time.Duration
	}{
		{nil, DefaultTimeout},
		{&Options{}, 2 * time.Second},
		{&Options{Timeout: 300 * time.Millisecond}, 300 * time.Millisecond},
		{&Options{Timeout: -1}, 0},
	} {
		b, _ := openTemp(t, tc.opts)
		if b.Timeout != tc.want {
			t.Errorf("Open with %+v: Timeout = %v, want %v", tc.opts, b.Timeout, tc.want)
		}
		n, err := New(ctx, callersDB(t), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if n.Timeout != tc.want {
			t.Errorf("New with %+v: Timeout = %v, want %v", tc.opts, n.Timeout, tc.want)
		}
		_ = n.Close()
	}
	b, err := storage.Open(ctx, "sqlite:///"+filepath.ToSlash(t.TempDir())+"/u.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Timeout != DefaultTimeout {
		t.Errorf("storage.Open: Timeout = %v, want %v", b.Timeout, DefaultTimeout)
	}
}

// A read counts as a use only when enough has been written since the last:
// reads of a value just written write nothing.
func TestReadCountsRarely(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, &Options{MaxEntries: 100})
	s := b.Responses.(*store)
	atime := func(key string) (n int64) {
		t.Helper()
		if err := s.h.db.QueryRowContext(ctx, `SELECT atime FROM responses_lru WHERE key = ?`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 40 {
		if err := s.Write(ctx, fmt.Sprint(i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	// 40 entries, so a read counts when more than 10 writes came since.
	before := atime("35")
	for range 5 {
		if _, err := s.Read(ctx, "35"); err != nil {
			t.Fatal(err)
		}
	}
	if got := atime("35"); got != before {
		t.Errorf("atime of an entry 4 writes old changed on read: %d, was %d", got, before)
	}
	if _, err := s.Read(ctx, "0"); err != nil {
		t.Fatal(err)
	}
	if got := atime("0"); got != 41 {
		t.Errorf("atime of an entry 40 writes old after a read = %d, want the clock plus one (41)", got)
	}
	// Contains is no use.
	if _, err := s.Contains(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if got := atime("1"); got != 2 {
		t.Errorf("atime after Contains = %d, want 2 (its write)", got)
	}
}

// The budget's statements find their rows through indexes: by key, or, for
// eviction, the LRU index from its oldest end.
func TestBudgetQueryPlans(t *testing.T) {
	b, _ := openTemp(t, &Options{MaxBytes: 1 << 20, TablePrefix: "app_"})
	s := b.Responses.(*store)
	plan := func(query string, args ...any) string { return queryPlan(t, s, query, args...) }
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{s.q.atime, []string{"SEARCH app_responses_lru USING PRIMARY KEY (key=?)"}},
		{s.q.touch, []string{"SEARCH app_responses_lru USING PRIMARY KEY (key=?)"}},
		{s.q.lru, []string{"SCAN app_responses_lru USING COVERING INDEX app_responses_lru_atime"}},
		{s.q.usage, []string{"SEARCH app_responses_usage USING INTEGER PRIMARY KEY (rowid=?)"}},
	} {
		var args []any
		if strings.Contains(tc.query, "?") {
			args = append(args, "k")
		}
		p := plan(tc.query, args...)
		for _, w := range tc.want {
			if !strings.Contains(p, w) {
				t.Errorf("plan of %q = %q, want %q in it", tc.query, p, w)
			}
		}
		if strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("plan of %q = %q sorts", tc.query, p)
		}
	}
}

// A store's memory of uses keeps two keys a bucket, replacing the one used
// less recently, and says young only what its clock says is young.
func TestUsesMemory(t *testing.T) {
	u := &uses{seed: newUses(0).seed, slots: make([]atomic.Uint64, useWays)} // one bucket
	u.entries.Store(40)                                                      // young: 10 writes or fewer
	u.saw(100)
	if _, young := u.recent("a"); young {
		t.Fatal("an unknown key is young")
	}
	remember := func(key string, atime int64) {
		h, _ := u.recent(key)
		u.remember(h, atime)
	}
	remember("a", 95)
	remember("b", 80) // old: remembered, but not young
	for key, want := range map[string]bool{"a": true, "b": false} {
		if _, young := u.recent(key); young != want {
			t.Errorf("recent(%s) = %v, want %v", key, young, want)
		}
	}
	remember("c", 99) // replaces b, used less recently than a
	for key, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, young := u.recent(key); young != want {
			t.Errorf("after c: recent(%s) = %v, want %v", key, young, want)
		}
	}
	remember("a", 100) // updates a's slot in place
	remember("d", 98)  // replaces c
	for key, want := range map[string]bool{"a": true, "c": false, "d": true} {
		if _, young := u.recent(key); young != want {
			t.Errorf("after d: recent(%s) = %v, want %v", key, young, want)
		}
	}
	u.saw(111) // a is 11 writes old now
	if _, young := u.recent("a"); young {
		t.Error("a is young 11 writes after its use")
	}
	// The clock wraps at 2^32 in the slots.
	u.saw(1<<32 + 5)
	remember("e", 1<<32-2)
	if _, young := u.recent("e"); !young {
		t.Error("a use 7 writes ago, across 2^32, is not young")
	}
	if got := len(newUses(100_000).slots); got != useWays<<16 {
		t.Errorf("slots for 100,000 entries = %d, want %d", got, useWays<<16)
	}
	if got := len(newUses(10).slots); got != useWays<<10 {
		t.Errorf("slots for 10 entries = %d, want %d", got, useWays<<10)
	}
}
