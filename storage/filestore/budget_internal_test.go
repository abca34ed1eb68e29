package filestore

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkIndexUse measures what a budget adds to a read, without the
// read's file system calls, whose noise hides it: moving the entry to the
// front of the index of 1024 entries.
func BenchmarkIndexUse(b *testing.B) {
	l := newLRU(b.TempDir(), 10<<20, 0, false)
	files := make([]fileStat, 1024)
	now := time.Now().UnixNano()
	for i := range files {
		files[i] = fileStat{d: digestOf(fmt.Sprintf("%064x", i)), size: 2048 + 87, mtime: now}
	}
	l.mu.Lock()
	l.mergeLocked(files, nil)
	l.mu.Unlock()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.use(files[i%len(files)].d, "", nil, now)
		i++
	}
}
