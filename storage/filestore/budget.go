package filestore

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// A store with a budget (Options.MaxBytes, Options.MaxEntries) keeps an index
// in memory of the entry files it knows: each file's size and when it was
// last used, in a list most recently used first. Open builds it by reading
// the directory (a stat per file, ordered by modification time); from then
// on every change this process makes to an entry file (a write's rename, a
// deletion, an eviction) is made under the index's lock together with the
// index's change, so that within one process the index is the directory,
// and a write that would go over the budget evicts from the back of the list
// before its rename. A read moves its entry to the front: a map look-up and
// two pointer swaps under the lock, no system call. At most once a minute
// per entry (touchEvery) a read also sets the file's modification time, so
// that recency survives a restart and is seen by other processes' scans.
//
// Other processes sharing the directory change it behind the index's back.
// The index finds out by re-reading the directory (rescan), in the
// background, after some writes of its own (rescanDue): soon once it has
// seen a sign that it is off (stale: an evicted or indexed file already
// gone, a read of a file it did not know, which the read adds to it), and
// otherwise at intervals that
// grow while the scans find nothing foreign and shrink when they do.

// touchEvery is the least time between two settings of an entry file's
// modification time by reads. A variable so that benchmarks can measure the
// cost of setting it on every read.
var touchEvery = time.Minute

// Writes of its own a store makes between two scans of its directory.
const (
	// rescanMin is the least, and the interval once the index has been
	// seen to be off.
	rescanMin = 16
	// rescanIdleMax bounds the interval while the scans find nothing
	// foreign, with 4 times the entry count.
	rescanIdleMax = 4096
)

// lru is the budget of a store and its index of entry files.
type lru struct {
	dir        string
	maxBytes   int64 // 0: none
	maxEntries int   // 0: none
	readOnly   bool  // report only: no eviction, no touch

	scanCtx    context.Context // of background scans; cancelled by close
	cancelScan context.CancelFunc
	scanWait   sync.WaitGroup

	mu          sync.Mutex
	nodes       map[digest]*node
	front, back *node // most recently used first
	bytes       int64 // the sum of the nodes' sizes
	gen         uint32
	writes      int  // publishes since the last scan
	interval    int  // publishes between two scans, while not stale
	stale       bool // the index is known to differ from the directory
	scanning    bool
	changed     map[digest]struct{} // while scanning: entries this process changed
	closed      bool
	scans       int // scans merged, for tests
}

// node is one entry file in the index.
type node struct {
	d          digest
	size       int64 // of the whole file
	used       int64 // the last use known, unix ns: a read, a write, or the file's mtime
	touched    int64 // the file's mtime as last set or seen, unix ns
	gen        uint32
	prev, next *node
}

// fileStat is an entry file as a scan found it.
type fileStat struct {
	d     digest
	size  int64
	mtime int64 // unix ns
}

func newLRU(dir string, maxBytes int64, maxEntries int, readOnly bool) *lru {
	ctx, cancel := context.WithCancel(context.Background())
	return &lru{
		dir: dir, maxBytes: maxBytes, maxEntries: maxEntries, readOnly: readOnly,
		scanCtx: ctx, cancelScan: cancel,
		nodes: map[digest]*node{}, interval: rescanMin,
	}
}

// openBudget gives s the index of its budget, built from its directory, and
// evicts what goes over the budget (unless s is read-only). It removes the
// temporary files no write is using on the way, as removeAbandonedTemps.
func (s *store) openBudget(ctx context.Context, maxBytes int64, maxEntries int) error {
	l := newLRU(s.dir, maxBytes, maxEntries, s.readOnly)
	files, err := s.scanFiles(ctx, !s.readOnly)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mergeLocked(files, nil)
	l.interval = max(len(l.nodes)/8, rescanMin)
	if !l.readOnly {
		l.makeRoomLocked(nil, 0, 0)
	}
	s.lru = l
	return nil
}

// close stops a background scan and waits for it.
func (l *lru) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancelScan()
	l.scanWait.Wait()
}

// Budget returns the store's limits (zero for none) and what it holds: the
// entry files and the sum of their sizes, temporary files not counted. With
// a budget the figures are the index's, at no I/O, after a scan of the
// directory if the index has been seen to be off since the last one; they
// include another process's writes from the next scan on. Without a budget
// Budget reads the directory, a stat per file.
func (s *store) Budget(ctx context.Context) (storage.Budget, error) {
	if err := s.ready(ctx); err != nil {
		return storage.Budget{}, s.wrap(err)
	}
	l := s.lru
	if l == nil {
		files, err := s.scanFiles(ctx, false)
		if err != nil {
			return storage.Budget{}, s.wrap(err)
		}
		b := storage.Budget{Entries: len(files)}
		for _, f := range files {
			b.Bytes += f.size
		}
		return b, nil
	}
	l.mu.Lock()
	claimed := l.stale && l.claimScanLocked()
	l.mu.Unlock()
	if claimed {
		if err := s.rescan(ctx); err != nil {
			return storage.Budget{}, s.wrap(err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return storage.Budget{MaxBytes: l.maxBytes, MaxEntries: l.maxEntries, Bytes: l.bytes, Entries: len(l.nodes)}, nil
}

// scanFiles lists the directory's entry files with their sizes and
// modification times, a stat each; cleanTemps also removes the temporary
// files no write is using. Files that vanish on the way are left out.
func (s *store) scanFiles(ctx context.Context, cleanTemps bool) ([]fileStat, error) {
	var files []fileStat
	for de, err := range s.dirEntries(ctx) {
		if err != nil {
			return nil, err
		}
		name := de.Name()
		if d, ok := digestOfName(name); ok {
			info, err := de.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue // gone meanwhile, or not the store's
			}
			files = append(files, fileStat{d: d, size: info.Size(), mtime: info.ModTime().UnixNano()})
		} else if cleanTemps && isTempName(name) {
			removeAbandonedTemp(s.pathOf(name), de)
		}
	}
	return files, nil
}

// claimScanLocked makes the caller the one scan running, if none runs and
// the store is open.
func (l *lru) claimScanLocked() bool {
	if l.scanning || l.closed {
		return false
	}
	l.scanning, l.changed = true, map[digest]struct{}{}
	return true
}

// startRescan runs a scan in the background, unless one runs.
func (s *store) startRescan() {
	l := s.lru
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.claimScanLocked() {
		return
	}
	l.scanWait.Add(1)
	go func() {
		defer l.scanWait.Done()
		_ = s.rescan(l.scanCtx) // a failed scan is tried again after more writes
	}()
}

// rescan reads the directory and brings the index in line with it, then
// evicts what goes over the budget. The caller has claimed the scan. The
// directory is read without the lock, while this process goes on using
// the store: the entries it changes meanwhile (l.changed) keep what the
// index says of them.
func (s *store) rescan(ctx context.Context) error {
	l := s.lru
	files, err := s.scanFiles(ctx, !l.readOnly)
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := l.changed
	l.scanning, l.changed = false, nil
	if err != nil {
		return err
	}
	foreign := l.mergeLocked(files, changed)
	least := max(len(l.nodes)/8, rescanMin)
	if foreign {
		l.interval = least
	} else {
		l.interval = min(max(2*l.interval, least), max(4*len(l.nodes), rescanIdleMax))
	}
	l.writes, l.stale = 0, false
	l.scans++
	if !l.readOnly {
		l.makeRoomLocked(nil, 0, 0)
	}
	return nil
}

// mergeLocked brings the index in line with the files a scan found, except
// for the entries in changed, and reports whether anything differed: an
// entry file added, removed, resized or used by someone else.
func (l *lru) mergeLocked(files []fileStat, changed map[digest]struct{}) (foreign bool) {
	l.gen++
	reorder := false
	for _, f := range files {
		if _, ok := changed[f.d]; ok {
			continue
		}
		n := l.nodes[f.d]
		if n == nil {
			n = &node{d: f.d, used: f.mtime, touched: f.mtime}
			l.nodes[f.d] = n
			l.pushFront(n) // put in place by the sort below
			reorder, foreign = true, true
		}
		if n.size != f.size {
			l.bytes += f.size - n.size
			n.size = f.size
			foreign = true
		}
		if f.mtime > n.used { // written or read by someone else since
			n.used = f.mtime
			reorder, foreign = true, true
		}
		n.touched = max(n.touched, f.mtime)
		n.gen = l.gen
	}
	for d, n := range l.nodes {
		if _, ok := changed[d]; !ok && n.gen != l.gen {
			l.removeLocked(n) // removed by someone else
			foreign = true
		}
	}
	if reorder {
		all := make([]*node, 0, len(l.nodes))
		for n := l.front; n != nil; n = n.next {
			all = append(all, n)
		}
		slices.SortStableFunc(all, func(a, b *node) int { return cmp.Compare(b.used, a.used) })
		l.front, l.back = nil, nil
		for i := len(all) - 1; i >= 0; i-- {
			l.pushFront(all[i])
		}
	}
	return foreign
}

// overLocked reports whether the index, with addBytes and addEntries more,
// goes over the budget.
func (l *lru) overLocked(addBytes int64, addEntries int) bool {
	return l.maxBytes > 0 && l.bytes+addBytes > l.maxBytes ||
		l.maxEntries > 0 && len(l.nodes)+addEntries > l.maxEntries
}

// makeRoomLocked evicts the least recently used entries, never keep, until
// addBytes and addEntries more fit in the budget, or nothing else is left.
func (l *lru) makeRoomLocked(keep *node, addBytes int64, addEntries int) {
	for l.overLocked(addBytes, addEntries) {
		victim := l.back
		if victim != nil && victim == keep {
			victim = victim.prev
		}
		if victim == nil {
			return // keep alone goes over: it stays
		}
		err := os.Remove(filepath.Join(l.dir, victim.d.name()))
		if err != nil {
			// Gone already: another process evicted or deleted it.
			// Not removable: the next scan finds it again, and it is
			// tried again then. Either way the index is off.
			l.stale = true
		}
		l.removeLocked(victim)
	}
}

// publish renames the finished temporary file tmp to d's entry file at path,
// after evicting what the budget needs to make room for its size, and
// records the new file, used at now. rescan says the caller should start a
// scan.
func (l *lru) publish(d digest, tmp, path string, size, now int64) (rescan bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.nodes[d]
	addBytes, addEntries := size, 1
	if n != nil {
		addBytes, addEntries = size-n.size, 0
	}
	l.makeRoomLocked(n, addBytes, addEntries)
	if err := os.Rename(tmp, path); err != nil {
		return false, err
	}
	if n == nil {
		n = &node{d: d}
		l.nodes[d] = n
		l.pushFront(n)
	} else {
		l.moveToFront(n)
	}
	l.bytes += size - n.size
	n.size, n.used, n.touched = size, now, now
	l.markChangedLocked(d)
	l.writes++
	return l.rescanDueLocked(), nil
}

// rescanDueLocked reports whether enough writes were made since the last
// scan for another.
func (l *lru) rescanDueLocked() bool {
	if l.scanning {
		return false
	}
	if l.stale {
		return l.writes >= max(len(l.nodes)/8, rescanMin)
	}
	return l.writes >= l.interval
}

// use records a read of d's entry file, named name, which info describes, at
// now, and reports whether the reader should set the file's modification
// time to now. A file the index does not know, another process's, is added
// to it if it is still the file read.
func (l *lru) use(d digest, name string, info fs.FileInfo, now int64) (touch bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.nodes[d]
	if n == nil {
		l.stale = true // others may have written more
		// Under the lock no change of this process can come between the
		// Lstat and the index: what it says is the directory.
		current, err := os.Lstat(filepath.Join(l.dir, name))
		if err != nil || !os.SameFile(current, info) {
			return false // removed or replaced since it was read
		}
		n = &node{d: d, size: current.Size(), touched: current.ModTime().UnixNano()}
		l.nodes[d] = n
		l.bytes += n.size
		l.pushFront(n)
		l.markChangedLocked(d)
	} else {
		l.moveToFront(n)
	}
	n.used = now
	if l.readOnly || now-n.touched < int64(touchEvery) {
		return false
	}
	n.touched = now
	return true
}

// missing is told that d's entry file was not found by a read: if the index
// has it and it is indeed gone, someone else removed it.
func (l *lru) missing(d digest, path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.nodes[d]
	if n == nil {
		return
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		l.removeLocked(n)
		l.stale = true
	}
}

// remove removes d's entry file at path, if any, and forgets it.
func (l *lru) remove(d digest, path string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := removeIfExists(path); err != nil {
		return err
	}
	l.forgetLocked(d)
	return nil
}

// forgetLocked drops d from the index, after its file was removed.
func (l *lru) forgetLocked(d digest) {
	l.markChangedLocked(d)
	if n := l.nodes[d]; n != nil {
		l.removeLocked(n)
	}
}

func (l *lru) markChangedLocked(d digest) {
	if l.changed != nil {
		l.changed[d] = struct{}{}
	}
}

// removeLocked drops n from the index.
func (l *lru) removeLocked(n *node) {
	l.markChangedLocked(n.d)
	l.unlink(n)
	delete(l.nodes, n.d)
	l.bytes -= n.size
}

func (l *lru) pushFront(n *node) {
	n.prev, n.next = nil, l.front
	if l.front != nil {
		l.front.prev = n
	} else {
		l.back = n
	}
	l.front = n
}

func (l *lru) unlink(n *node) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		l.front = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		l.back = n.prev
	}
	n.prev, n.next = nil, nil
}

func (l *lru) moveToFront(n *node) {
	if l.front != n {
		l.unlink(n)
		l.pushFront(n)
	}
}
