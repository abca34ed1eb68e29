package filestore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientcache/clientcache/storage/filestore"
)

// BenchmarkReadHit measures a cache hit's read of a typical 2 KiB entry.
func BenchmarkReadHit(b *testing.B) {
	ctx := context.Background()
	be, err := filestore.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := be.Responses
	value := make([]byte, 2048)
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = fmt.Sprintf("%064x", i)
		if err := s.Write(ctx, keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Read(ctx, keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWrite measures an atomic write of a typical 2 KiB entry.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	be, err := filestore.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := be.Responses
	value := make([]byte, 2048)
	i := 0
	for b.Loop() {
		if err := s.Write(ctx, fmt.Sprintf("%064x", i%256), value); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
