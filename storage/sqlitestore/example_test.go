package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/sqlitestore"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "sqlitestore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// The cache_name is the database path; ".sqlite" is appended and the
	// missing directory "cache" is created.
	b, err := sqlitestore.Open(ctx, filepath.Join(dir, "cache", "http_cache"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	if err := b.Responses.Write(ctx, "key", []byte("an encoded response")); err != nil {
		log.Fatal(err)
	}
	v, err := b.Responses.Read(ctx, "key")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)

	// Entries written with an expiry can be pruned without being read.
	ew := b.Responses.(storage.ExpiringWriter)
	if err := ew.WriteWithExpiry(ctx, "old", []byte("stale"), time.Now().Add(time.Minute)); err != nil {
		log.Fatal(err)
	}
	// Prune as of two minutes from now: the entry has expired by then.
	n, err := b.Responses.(storage.Pruner).DeleteExpired(ctx, time.Now().Add(2*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pruned", n)

	_, err = os.Stat(filepath.Join(dir, "cache", "http_cache.sqlite"))
	fmt.Println("file exists:", err == nil)
	// Output:
	// an encoded response
	// pruned 1
	// file exists: true
}

func Example_readOnlyURL() {
	dir, err := os.MkdirTemp("", "sqlitestore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := filepath.Join(dir, "shared.sqlite")

	// One process fills the cache...
	w, err := sqlitestore.Open(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Responses.Write(ctx, "key", []byte("value")); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// ...and another serves it read-only, opened from a URL with connection
	// options in its query.
	r, err := storage.Open(ctx, "sqlite://"+filepath.ToSlash(path)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	v, err := r.Responses.Read(ctx, "key")
	fmt.Printf("%s %v\n", v, err)
	fmt.Println(r.Responses.Write(ctx, "key", []byte("new")))
	// Output:
	// value <nil>
	// sqlitestore: responses: storage: store is read-only
}

// A budget of two entries: a write beyond it evicts the least recently used
// value. Reading "a" made it the most recently used, so the third write
// evicts "b".
func Example_budget() {
	dir, err := os.MkdirTemp("", "sqlitestore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// The same as sqlite:///<dir>/cache.sqlite?max_entries=2 with storage.Open.
	b, err := sqlitestore.Open(ctx, filepath.Join(dir, "cache.sqlite"), &sqlitestore.Options{MaxEntries: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	s := b.Responses // the budget applies to Responses
	for _, k := range []string{"a", "b"} {
		if err := s.Write(ctx, k, []byte("value of "+k)); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := s.Read(ctx, "a"); err != nil {
		log.Fatal(err)
	}
	if err := s.Write(ctx, "c", []byte("value of c")); err != nil {
		log.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		ok, _ := s.Contains(ctx, k)
		fmt.Println(k, ok)
	}
	use, err := s.(storage.Budgeted).Budget(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d entries, %d bytes\n", use.Entries, use.MaxEntries, use.Bytes)
	// Output:
	// a true
	// b false
	// c true
	// 2 of 2 entries, 22 bytes
}
