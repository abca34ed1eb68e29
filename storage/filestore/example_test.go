package filestore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/filestore"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "filestore-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// The cache_name is the directory; "~/.cache/myapp" would do as well.
	b, err := filestore.Open(ctx, filepath.Join(dir, "myapp"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	if err := b.Responses.Write(ctx, "key", []byte("entry")); err != nil {
		fmt.Println(err)
		return
	}
	v, err := b.Responses.Read(ctx, "key")
	fmt.Printf("%s %v\n", v, err)

	entries, _ := os.ReadDir(filepath.Join(dir, "myapp", "responses"))
	fmt.Println(len(entries), "file")
	// Output:
	// entry <nil>
	// 1 file
}

// Values written with an expiry vanish once it has passed, and
// DeleteExpired sweeps the files of the ones nobody read again. The core
// finds both abilities by type assertion, as here.
func Example_deleteExpired() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "filestore-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	b, err := filestore.Open(ctx, dir, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	s := b.Responses
	w := s.(storage.ExpiringWriter)

	now := time.Now()
	_ = w.WriteWithExpiry(ctx, "stale", []byte("old"), now.Add(time.Minute))
	_ = w.WriteWithExpiry(ctx, "fresh", []byte("new"), now.Add(time.Hour))
	_ = s.Write(ctx, "forever", []byte("kept"))

	// Prune as it will be in two minutes: "stale" has expired by then.
	n, err := s.(storage.Pruner).DeleteExpired(ctx, now.Add(2*time.Minute))
	fmt.Println(n, err)
	_, err = s.Read(ctx, "stale")
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	size, _ := s.Size(ctx)
	fmt.Println(size)
	// Output:
	// 1 <nil>
	// true
	// 2
}

// Importing filestore makes file: URLs known to storage.Open.
func Example_fromURL() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "filestore-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	b, err := storage.Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	_ = b.Responses.Write(ctx, "key", []byte("entry"))
	entries, _ := os.ReadDir(filepath.Join(dir, "responses"))
	fmt.Println(len(entries), "file")

	_, err = storage.Open(ctx, "file:///tmp/cache?mode=readonly")
	fmt.Println(err)
	// Output:
	// 1 file
	// filestore: file URL "file:///tmp/cache?mode=readonly": mode="readonly", want ro (read-only) or rw
}

// A budget bounds the responses a directory keeps: here two entries. A write
// beyond it evicts the least recently used; a read is a use.
func Example_budget() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "filestore-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// The same as storage.Open(ctx, "file://"+dir+"?max_entries=2").
	b, err := filestore.Open(ctx, dir, &filestore.Options{MaxEntries: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	s := b.Responses

	_ = s.Write(ctx, "a", []byte("first"))
	_ = s.Write(ctx, "b", []byte("second"))
	_, _ = s.Read(ctx, "a")                // "a" is now the most recently used
	_ = s.Write(ctx, "c", []byte("third")) // evicts "b"

	for _, k := range []string{"a", "b", "c"} {
		ok, _ := s.Contains(ctx, k)
		fmt.Println(k, ok)
	}
	use, _ := s.(storage.Budgeted).Budget(ctx)
	fmt.Printf("%d of %d entries, %d bytes\n", use.Entries, use.MaxEntries, use.Bytes)
	// Output:
	// a true
	// b false
	// c true
	// 2 of 2 entries, 58 bytes
}
