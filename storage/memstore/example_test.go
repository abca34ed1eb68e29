package memstore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/memstore"
)

func Example() {
	ctx := context.Background()
	b, err := memstore.Open(ctx, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	if err := b.Responses.Write(ctx, "greeting", []byte("hello")); err != nil {
		fmt.Println(err)
		return
	}
	v, err := b.Responses.Read(ctx, "greeting")
	fmt.Printf("%s %v\n", v, err)

	_, err = b.Responses.Read(ctx, "missing")
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// hello <nil>
	// true
}

// A budget of two entries: writing a third evicts the least recently used.
func ExampleOptions() {
	ctx := context.Background()
	b, err := memstore.Open(ctx, &memstore.Options{MaxEntries: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	s := b.Responses // the budget applies to Responses

	_ = s.Write(ctx, "a", []byte("1"))
	_ = s.Write(ctx, "b", []byte("2"))
	_, _ = s.Read(ctx, "a")            // a is now used more recently than b
	_ = s.Write(ctx, "c", []byte("3")) // so b is evicted

	for _, key := range []string{"a", "b", "c"} {
		ok, _ := s.Contains(ctx, key)
		fmt.Println(key, ok)
	}
	// Output:
	// a true
	// b false
	// c true
}

// Importing memstore makes memory:// URLs known to storage.Open.
func Example_fromURL() {
	ctx := context.Background()
	b, err := storage.Open(ctx, "memory://?max_entries=1000&max_bytes=64MiB")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	_ = b.Responses.Write(ctx, "key", []byte("entry"))
	n, _ := b.Responses.Size(ctx)
	fmt.Println(n)

	_, err = storage.Open(ctx, "memory://?max_entrys=10")
	fmt.Println(err)
	// Output:
	// 1
	// memstore: memory:// URL: unknown parameter "max_entrys"; use memory:// with optional ?max_entries=N&max_bytes=N
}
