package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"hash/maphash"
	"slices"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// budget is the size limit of one table; zero fields mean no limit.
type budget struct {
	maxBytes   int64
	maxEntries int
}

// set reports whether b limits anything.
func (b budget) set() bool { return b.maxBytes > 0 || b.maxEntries > 0 }

// fits reports whether a table of entries rows and bytes bytes is within b.
func (b budget) fits(entries, bytes int64) bool {
	return (b.maxEntries <= 0 || entries <= int64(b.maxEntries)) && (b.maxBytes <= 0 || bytes <= b.maxBytes)
}

// touchWait is the longest a read waits for the write lock to count as a use
// (touch). The read has its value already: when another writer holds the
// lock longer, the use is not counted, which only makes the LRU order a
// little less exact.
const touchWait = 100 * time.Millisecond

// touchFraction sets the LRU's granularity: a read counts as a use (a write
// to the database) only when at least 1/touchFraction of the table's
// entries have been written since the value was last written or counted.
// See "Budget" in the package doc.
const touchFraction = 4

// refreshEvery is how often a store with a budget reads the table's clock
// and entries for its reads (it learns them at each of its own writes too):
// what other processes write is seen that late at most.
const refreshEvery = 100 * time.Millisecond

// useWays is how many keys a bucket of uses.slots holds.
const useWays = 2

// uses is what a store with a budget remembers, in this process, of when
// values were last used, so that a read need not look at the LRU table to
// know that its value was used recently enough not to count (see
// touchFraction). It is a 2-way set-associative table: each slot holds the
// high 32 bits of a key's hash and the low 32 bits of the clock at which the
// key was last known used, and a key is kept in one of the two slots of the
// bucket its hash chooses, replacing the one used less recently. A key not
// found there (its bucket held two others since) is looked up in the LRU
// table again. What a slot says is never fresher than the LRU table: a
// slot is set from the table, or after a use was counted in it.
type uses struct {
	clock, entries atomic.Int64 // the table's, as last seen
	refreshAt      atomic.Int64 // when to read them again, Unix nanoseconds
	seed           maphash.Seed
	mask           uint64 // buckets - 1
	slots          []atomic.Uint64
}

// newUses returns the memory of a store with at most maxEntries entries (0:
// no limit): a bucket per entry, between 2^10 and 2^16 of them (16 KiB to
// 1 MiB), 2^14 without a limit.
func newUses(maxEntries int) *uses {
	buckets := 1 << 14
	if maxEntries > 0 {
		buckets = 1 << 10
		for buckets < maxEntries && buckets < 1<<16 {
			buckets <<= 1
		}
	}
	return &uses{seed: maphash.MakeSeed(), mask: uint64(buckets - 1), slots: make([]atomic.Uint64, buckets*useWays)}
}

// saw records that the table's clock is at least clock.
func (u *uses) saw(clock int64) {
	for {
		old := u.clock.Load()
		if clock <= old || u.clock.CompareAndSwap(old, clock) {
			return
		}
	}
}

// young reports whether a value last used at atime need not count a use
// now. Ages are compared modulo 2^32, as the slots keep them.
func (u *uses) young(atime int64) bool {
	return u.age(uint32(atime)) <= u.entries.Load()/touchFraction
}

// age is how many writes came since clock, modulo 2^32.
func (u *uses) age(clock uint32) int64 {
	return int64(int32(uint32(u.clock.Load()) - clock))
}

// recent reports whether the table says that key was used recently enough;
// h is key's hash, for remember.
func (u *uses) recent(key string) (h uint64, young bool) {
	h = maphash.String(u.seed, key)
	bucket := u.slots[(h&u.mask)*useWays:][:useWays]
	for i := range bucket {
		if w := bucket[i].Load(); w>>32 == h>>32 {
			return h, u.young(int64(uint32(w)))
		}
	}
	return h, false
}

// remember records that the key of hash h was last used at atime.
func (u *uses) remember(h uint64, atime int64) {
	bucket := u.slots[(h&u.mask)*useWays:][:useWays]
	w := h>>32<<32 | uint64(uint32(atime))
	victim := 0
	for i := range bucket {
		old := bucket[i].Load()
		if old>>32 == h>>32 {
			victim = i
			break
		}
		if u.age(uint32(old)) > u.age(uint32(bucket[victim].Load())) {
			victim = i
		}
	}
	bucket[victim].Store(w)
}

// refreshUses reads the table's clock and entries into s.uses when
// refreshEvery has passed since the last time (or now, if force).
func (s *store) refreshUses(ctx context.Context, force bool) error {
	u := s.uses
	now := time.Now().UnixNano()
	at := u.refreshAt.Load()
	if !force && (now < at || !u.refreshAt.CompareAndSwap(at, now+int64(refreshEvery))) {
		return nil
	}
	var entries, bytes, clock int64
	if err := s.usage.QueryRowContext(s.readCtx(ctx)).Scan(&entries, &bytes, &clock); err != nil {
		return err
	}
	u.entries.Store(entries)
	u.saw(clock)
	return nil
}

// Budget reports the table's limits (zero: none) and what it holds: its
// entries, and the bytes of their keys and values. Where the table has its
// bookkeeping (once the file has been opened with a budget) it reads one
// row, whatever the table holds; otherwise it sums the table, which reads
// the header of every row (and with it every value small enough to be
// stored inline, under about 4 KB).
func (s *store) Budget(ctx context.Context) (storage.Budget, error) {
	if err := s.begin(ctx); err != nil {
		return storage.Budget{}, err
	}
	b := storage.Budget{MaxBytes: s.budget.maxBytes, MaxEntries: s.budget.maxEntries}
	if s.absent {
		return b, nil
	}
	var entries, bytes, clock int64
	err := sql.ErrNoRows
	if s.accounted {
		err = s.h.db.QueryRowContext(ctx, s.q.usage).Scan(&entries, &bytes, &clock)
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = s.h.db.QueryRowContext(ctx, s.q.sum).Scan(&entries, &bytes)
	}
	if err != nil {
		return storage.Budget{}, s.fail(ctx, err)
	}
	b.Entries, b.Bytes = int(entries), bytes
	return b, nil
}

// readCounting is Read for a store with a budget: the read, then, unless
// s.uses knows that the value was used recently enough, countUse.
func (s *store) readCounting(ctx context.Context, key string) ([]byte, error) {
	v, err := s.readValue(ctx, key)
	if err != nil {
		return nil, err
	}
	_ = s.refreshUses(ctx, false) // on failure, the figures of before
	if h, young := s.uses.recent(key); !young {
		s.countUse(ctx, key, h)
	}
	return v, nil
}

// countUse reads when key (of hash h) was last used, and, when enough has
// been written since (see touchFraction), counts a use of it now, waiting at
// most touchWait for the write lock. It tells s.uses what it found. Its
// errors are dropped: the read it counts has succeeded, and a use not
// counted costs nothing but LRU precision.
func (s *store) countUse(ctx context.Context, key string, h uint64) {
	var atime int64
	if err := s.atime.QueryRowContext(s.readCtx(ctx), key).Scan(&atime); err != nil {
		return // deleted meanwhile, or a failure
	}
	if !s.uses.young(atime) { // (an atime past the clock seen is young)
		ctx, cancel := context.WithTimeout(ctx, touchWait)
		defer cancel()
		if _, err := s.touch.ExecContext(ctx, key); err != nil {
			return
		}
		// The use counted at the table's clock, which is at least the
		// one seen: the slot may say older, never newer.
		atime = s.uses.clock.Load()
	}
	s.uses.remember(h, atime)
}

// upsertCounting writes a value in a store with a budget: in one
// transaction, the write, then, when the table is over its budget, the
// deletion of the least recently used values (never the one just written)
// until it fits. The transaction holds the write lock from its first
// statement (a write) to its end, so that writers in other processes, each
// evicting in its own write's transaction, keep the table within the budget
// together.
func (s *store) upsertCounting(ctx context.Context, key string, value []byte, expires any) error {
	tx, err := s.h.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if _, err := tx.StmtContext(ctx, s.write).ExecContext(ctx, key, value, expires); err != nil {
		return s.fail(ctx, err)
	}
	if err := s.evict(ctx, tx, key); err != nil {
		return s.fail(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// evict deletes, in tx, the least recently used values other than keep
// until the table fits its budget, or nothing but keep is left.
func (s *store) evict(ctx context.Context, tx *sql.Tx, keep string) error {
	var entries, bytes, clock int64
	usage := tx.StmtContext(ctx, s.usage)
	err := usage.QueryRowContext(ctx).Scan(&entries, &bytes, &clock)
	if errors.Is(err, sql.ErrNoRows) {
		// The usage row was deleted by hand: make it again from the LRU
		// table, which has a row per value.
		if _, err := tx.ExecContext(ctx, s.q.migrate[len(s.q.migrate)-1]); err != nil {
			return err
		}
		err = usage.QueryRowContext(ctx).Scan(&entries, &bytes, &clock)
	}
	if err != nil {
		return err
	}
	s.uses.saw(clock)
	defer func() { s.uses.entries.Store(entries) }() // after the evictions
	if s.budget.fits(entries, bytes) {
		return nil
	}
	var victims []string
	err = func() error {
		rows, err := tx.StmtContext(ctx, s.oldest).QueryContext(ctx, keep)
		if err != nil {
			return err
		}
		defer rows.Close()
		for !s.budget.fits(entries, bytes) && rows.Next() {
			var k string
			var size int64
			if err := rows.Scan(&k, &size); err != nil {
				return err
			}
			victims = append(victims, k)
			entries, bytes = entries-1, bytes-size
		}
		return rows.Err()
	}()
	if err != nil {
		return err
	}
	if len(victims) == 1 { // the common case: a prepared statement
		_, err := tx.StmtContext(ctx, s.del).ExecContext(ctx, victims[0])
		return err
	}
	for chunk := range slices.Chunk(victims, deleteChunk) {
		if _, err := tx.ExecContext(ctx, s.q.deleteIn(len(chunk)), anys(chunk)...); err != nil {
			return err
		}
	}
	return nil
}
